// Sign-in people keep (issue 29, items 1 and 2): the code signs in the browser that signed
// up; "Keep me signed in on this device" at login, and the kept session's mark in the list.

import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Login from '../src/screens/Login.jsx';
import Verify from '../src/screens/Verify.jsx';
import Sessions from '../src/screens/Sessions.jsx';
import { jsonResponse, mockFetch } from './helpers.js';

const body = (f, i = -1) => JSON.parse(f.mock.calls.at(i)[1].body);

describe('Keep me signed in', () => {
  it('sends keep: true when ticked', async () => {
    const user = { id: '1', username: 'alice', email: 'a@x' };
    const f = mockFetch({ 'POST /api/login': jsonResponse(200, { user }) });
    const onLoggedIn = vi.fn();
    render(<Login params={{}} onLoggedIn={onLoggedIn} go={vi.fn()} />);
    await userEvent.type(screen.getByLabelText('Username'), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'secret-password');
    const keep = screen.getByRole('checkbox', { name: 'Keep me signed in on this device' });
    expect(keep).not.toBeChecked();
    expect(keep).toHaveAccessibleDescription(/30 days from your last visit/);
    await userEvent.click(keep);
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await waitFor(() => expect(onLoggedIn).toHaveBeenCalled());
    expect(body(f)).toEqual({ username: 'alice', password: 'secret-password', keep: true });
  });

  it('marks a kept session in the list', async () => {
    const here = { id: 's1', device: 'Firefox on Linux', created_at: '2026-11-30T08:00:00Z', last_seen: '2026-11-30T09:00:00Z', current: true, kept_signed_in: true };
    const other = { id: 's2', device: 'curl', created_at: '2026-11-30T08:00:00Z', last_seen: '2026-11-30T09:00:00Z', current: false, kept_signed_in: false };
    mockFetch({ 'GET /api/me/sessions': jsonResponse(200, { sessions: [here, other] }) });
    render(<Sessions />);
    const rows = within(await screen.findByRole('list', { name: 'Your sessions' })).getAllByRole('listitem');
    expect(rows[0]).toHaveTextContent('Kept signed in');
    expect(rows[1]).not.toHaveTextContent('Kept signed in');
  });
});

describe('Verify signs in', () => {
  it('hands the signed-in user over when the server signed this browser in', async () => {
    const user = { id: '1', username: 'alice', email: 'a@x' };
    mockFetch({
      'POST /api/verify': jsonResponse(200, { user: { username: 'alice', confirmed: true }, signed_in: true }),
      'GET /api/me': jsonResponse(200, { user, unread: 0 }),
    });
    const go = vi.fn();
    const onLoggedIn = vi.fn();
    render(<Verify go={go} params={{ username: 'alice' }} onLoggedIn={onLoggedIn} />);
    expect(screen.getByLabelText('Code')).toHaveFocus();
    await userEvent.type(screen.getByLabelText('Code'), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(onLoggedIn).toHaveBeenCalledWith(user));
    expect(go).not.toHaveBeenCalled();
  });

  it('sends to login when confirmed from elsewhere', async () => {
    mockFetch({ 'POST /api/verify': jsonResponse(200, { user: { username: 'alice', confirmed: true } }) });
    const go = vi.fn();
    const onLoggedIn = vi.fn();
    render(<Verify go={go} params={{ username: 'alice' }} onLoggedIn={onLoggedIn} />);
    await userEvent.type(screen.getByLabelText('Code'), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(go).toHaveBeenCalled());
    expect(go.mock.calls[0][0]).toBe('login');
    expect(onLoggedIn).not.toHaveBeenCalled();
  });
});
