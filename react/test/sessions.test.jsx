// "Where you're logged in" (issue 19 item 4) on the Account screen, in the server pages' words.

import { describe, expect, it } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import * as api from '../src/api/client.js';
import Sessions from '../src/screens/Sessions.jsx';
import { apiError, jsonResponse, mockFetch } from './helpers.js';

const here = { id: 's1', device: 'Firefox on Linux', created_at: '2026-11-30T08:00:00Z', last_seen: '2026-11-30T09:00:00Z', current: true };
const phone = { id: 's2', device: 'Chrome on Android', created_at: '2026-11-29T08:00:00Z', last_seen: '2026-11-30T07:00:00Z', current: false };
const script = { id: 's3', device: 'curl', created_at: '2026-11-28T08:00:00Z', last_seen: '2026-11-28T08:00:00Z', current: false };
const list = (...sessions) => jsonResponse(200, { sessions });

describe('api: sessions', () => {
  it('lists with GET /api/settings/sessions, ends one with DELETE /api/settings/sessions/{id}, the others with DELETE /api/settings/sessions', async () => {
    const f = mockFetch({
      'GET /api/settings/sessions': list(here),
      'DELETE /api/settings/sessions/s2': jsonResponse(204),
      'DELETE /api/settings/sessions': jsonResponse(204),
    });
    expect(await api.listSessions()).toEqual({ sessions: [here] });
    expect(await api.endSession('s2')).toBeNull();
    expect(await api.endOtherSessions()).toBeNull();
    expect(f.mock.calls.map(([url, init]) => `${init.method} ${url}`)).toEqual([
      'GET /api/settings/sessions',
      'DELETE /api/settings/sessions/s2',
      'DELETE /api/settings/sessions',
    ]);
  });
});

describe('Sessions card', () => {
  it('lists the devices, marks this one, and ends one: its row goes and the notice is focused', async () => {
    mockFetch({ 'GET /api/settings/sessions': list(here, phone, script), 'DELETE /api/settings/sessions/s2': jsonResponse(204) });
    render(<Sessions />);
    const rows = within(await screen.findByRole('list', { name: 'Your sessions' })).getAllByRole('listitem');
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringContaining('Firefox on LinuxThis device'),
      expect.stringContaining('Chrome on Android'),
      expect.stringContaining('curl'),
    ]);
    expect(within(rows[0]).queryByRole('button')).toBeNull(); // this device logs out with Log out
    await userEvent.click(within(rows[1]).getByRole('button', { name: /^Log out this device: Chrome on Android/ }));
    const notice = await screen.findByText('That device is logged out.');
    expect(notice.closest('[tabindex="-1"]')).toHaveFocus();
    expect(screen.queryByText('Chrome on Android')).toBeNull();
    expect(screen.getByText('curl')).toBeInTheDocument();
  });

  it('logs out all other devices, leaving this one and saying so', async () => {
    mockFetch({ 'GET /api/settings/sessions': list(here, phone, script), 'DELETE /api/settings/sessions': jsonResponse(204) });
    render(<Sessions />);
    await userEvent.click(await screen.findByRole('button', { name: 'Log out all other devices' }));
    expect(await screen.findByText('Every other device is logged out.')).toBeInTheDocument();
    expect(screen.getAllByRole('listitem')).toHaveLength(1);
    expect(screen.getByText('You are not logged in anywhere else.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Log out all other devices' })).toBeNull();
  });

  it('shows the server’s error and keeps the row when ending fails', async () => {
    mockFetch({
      'GET /api/settings/sessions': list(here, phone),
      'DELETE /api/settings/sessions/s2': apiError(404, 'not_found', 'That session has ended already.'),
    });
    render(<Sessions />);
    await userEvent.click(await screen.findByRole('button', { name: /^Log out this device: Chrome on Android/ }));
    expect(await screen.findByText('That session has ended already.')).toBeInTheDocument();
    expect(screen.getByText('Chrome on Android')).toBeInTheDocument();
  });
});
