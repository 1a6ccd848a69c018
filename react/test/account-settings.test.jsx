import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import App from '../src/App.jsx';
import { apiError, jsonResponse, mockFetch } from './helpers.js';

const me = { id: 'u-me', username: 'me', email: 'me@example.com' };

afterEach(() => vi.unstubAllGlobals());

function account(routes) {
  window.location.hash = '#/account';
  return mockFetch({
    'GET /api/me': jsonResponse(200, { user: me, unread: 0 }),
    'GET /api/settings/privacy': jsonResponse(200, { privacy: { read_receipts: true, listed: true, notify_by_mail: true } }),
    ...routes,
  });
}

describe('Change password', () => {
  it('posts both passwords to /api/settings/password, clears them and says other devices are logged out', async () => {
    const posts = [];
    account({
      'POST /api/settings/password': (url, init) => {
        posts.push(JSON.parse(init.body));
        return new Response(null, { status: 204 });
      },
    });
    render(<App />);
    const card = await screen.findByRole('region', { name: 'Change password' });
    const current = within(card).getByLabelText('Current password');
    const next = within(card).getByLabelText('New password');
    expect(current).toHaveAttribute('autocomplete', 'current-password');
    expect(next).toHaveAttribute('autocomplete', 'new-password');
    expect(next).toHaveAccessibleDescription('At least 10 characters.');
    await userEvent.type(current, 'correct horse battery');
    await userEvent.type(next, 'a brand new passphrase');
    await userEvent.click(within(card).getByRole('button', { name: 'Change password' }));
    expect(await within(card).findByRole('status')).toHaveTextContent('Password changed. Other devices are logged out.');
    expect(posts).toEqual([{ current_password: 'correct horse battery', new_password: 'a brand new passphrase' }]);
    expect(current).toHaveValue('');
    expect(next).toHaveValue('');
    expect(screen.getByRole('heading', { name: 'Account' })).toBeInTheDocument(); // still logged in
  });

  it('shows a wrong current password (403) and empties that field only', async () => {
    account({ 'POST /api/settings/password': apiError(403, 'forbidden', 'That is not your current password.') });
    render(<App />);
    const card = await screen.findByRole('region', { name: 'Change password' });
    await userEvent.type(within(card).getByLabelText('Current password'), 'wrong one here');
    await userEvent.type(within(card).getByLabelText('New password'), 'a brand new passphrase');
    await userEvent.click(within(card).getByRole('button', { name: 'Change password' }));
    expect(await within(card).findByRole('alert')).toHaveTextContent('That is not your current password.');
    expect(within(card).getByLabelText('Current password')).toHaveValue('');
    expect(within(card).getByLabelText('New password')).toHaveValue('a brand new passphrase');
    expect(screen.getByRole('heading', { name: 'Account' })).toBeInTheDocument();
  });
});

describe('Email notifications', () => {
  it('shows the setting and saves only notify_by_mail', async () => {
    const puts = [];
    account({
      'PUT /api/settings/privacy': (url, init) => {
        const body = JSON.parse(init.body);
        puts.push(body);
        return jsonResponse(200, { privacy: { read_receipts: true, listed: true, notify_by_mail: body.notify_by_mail } });
      },
    });
    render(<App />);
    const card = await screen.findByRole('region', { name: 'Email notifications' });
    const box = await within(card).findByRole('checkbox', { name: 'Email me when someone sends me an image' });
    expect(box).toBeChecked();
    expect(box).toHaveAccessibleDescription(/inbox still shows new images/);
    expect(within(card).getByText(/we email me@example.com a link/)).toBeInTheDocument();
    const save = within(card).getByRole('button', { name: 'Save' });
    expect(save).toBeDisabled();
    await userEvent.click(box);
    await userEvent.click(save);
    expect(await within(card).findByText('Email notification setting saved.')).toBeInTheDocument();
    expect(puts).toEqual([{ notify_by_mail: false }]);
    expect(box).not.toBeChecked();
    expect(within(card).getByText(/We do not email you/)).toBeInTheDocument();
  });

  it('the privacy card leaves the mail setting alone', async () => {
    const puts = [];
    account({
      'GET /api/settings/privacy': jsonResponse(200, { privacy: { read_receipts: true, listed: true, notify_by_mail: false } }),
      'PUT /api/settings/privacy': (url, init) => {
        puts.push(JSON.parse(init.body));
        return jsonResponse(200, { privacy: { read_receipts: false, listed: true, notify_by_mail: false } });
      },
    });
    render(<App />);
    const card = await screen.findByRole('region', { name: 'Privacy' });
    await userEvent.click(await within(card).findByRole('checkbox', { name: 'Send read receipts' }));
    await userEvent.click(within(card).getByRole('button', { name: 'Save' }));
    await within(card).findByText('Privacy settings saved.');
    expect(puts).toEqual([{ read_receipts: false, listed: true }]);
  });
});
