import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import App from '../src/App.jsx';
import { apiError, jsonResponse, mockFetch } from './helpers.js';
import replies from './fixtures/api-replies.json';

const me = { id: 'u-me', username: 'me', email: 'me@example.com' };

afterEach(() => vi.unstubAllGlobals());

function account(routes) {
  window.location.hash = '#/account';
  return mockFetch({
    'GET /api/me': jsonResponse(200, { user: me, unread: 0 }),
    'GET /api/settings/privacy': jsonResponse(200, { privacy: { read_receipts: true, listed: true, notify_by_mail: true } }),
    'GET /api/settings/email': jsonResponse(200, { email: { address: 'me@example.com', pending: '' } }),
    ...routes,
  });
}

const state = (address, pending) => ({ email: { address, pending } });

describe('Change email', () => {
  it('mails a code to the new address, then confirms it with the code and the password', async () => {
    const posts = [];
    account({
      'POST /api/settings/email': (url, init) => {
        posts.push(JSON.parse(init.body));
        return jsonResponse(202, state('me@example.com', 'new@example.com'));
      },
      'POST /api/settings/email/confirm': (url, init) => {
        posts.push(JSON.parse(init.body));
        return jsonResponse(200, state('new@example.com', ''));
      },
    });
    render(<App />);
    const card = await screen.findByRole('region', { name: 'Email address' });
    expect(within(card).getByText('me@example.com')).toBeInTheDocument();
    await userEvent.type(within(card).getByLabelText('New email address'), 'new@example.com');
    await userEvent.type(within(card).getByLabelText('Your password'), 'correct horse battery');
    await userEvent.click(within(card).getByRole('button', { name: 'Send the code' }));
    expect(await within(card).findByText(/Waiting for you to confirm/)).toHaveTextContent('new@example.com');
    await userEvent.type(within(card).getByLabelText('Code from the email'), '123456');
    await userEvent.type(within(card).getByLabelText('Your password'), 'correct horse battery');
    await userEvent.click(within(card).getByRole('button', { name: 'Confirm new address' }));
    expect(await within(card).findByRole('status')).toHaveTextContent('Email changed. We told your old address.');
    expect(within(card).getByText('new@example.com')).toBeInTheDocument();
    expect(within(card).queryByText(/Waiting for you to confirm/)).not.toBeInTheDocument();
    expect(posts).toEqual([
      { new_email: 'new@example.com', password: 'correct horse battery' },
      { code: '123456', password: 'correct horse battery' },
    ]);
  });

  it('shows a waiting change from the server, a refused code, and cancels', async () => {
    const pending = replies['GET /api/settings/email'].body; // the server's own reply (contract)
    account({
      'GET /api/settings/email': jsonResponse(200, pending),
      'POST /api/settings/email/confirm': apiError(400, 'invalid', 'That code did not work. Check it, or ask for a new one.'),
      'POST /api/settings/email/cancel': jsonResponse(200, state(pending.email.address, '')),
    });
    render(<App />);
    const card = await screen.findByRole('region', { name: 'Email address' });
    expect(await within(card).findByText(/Waiting for you to confirm/)).toHaveTextContent(pending.email.pending);
    await userEvent.type(within(card).getByLabelText('Code from the email'), '000000');
    await userEvent.type(within(card).getByLabelText('Your password'), 'correct horse battery');
    await userEvent.click(within(card).getByRole('button', { name: 'Confirm new address' }));
    expect(await within(card).findByRole('alert')).toHaveTextContent('That code did not work.');
    await userEvent.click(within(card).getByRole('button', { name: 'Cancel the change' }));
    expect(await within(card).findByRole('status')).toHaveTextContent('Email change cancelled.');
    expect(within(card).getByLabelText('New email address')).toBeInTheDocument();
  });
});
