import { describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import App from '../src/App.jsx';
import { deleteAccount } from '../src/api/client.js';
import { apiError, jsonResponse, mockFetch } from './helpers.js';

const me = { id: 'u-me', username: 'me', email: 'me@example.com' };
const WRONG = 'That password is not right, so the account was not deleted.';
const DELETED = 'Your account is deleted. Nobody can open the images sent to you any more.';

// The Account screen with a signed-in user; deleteReplies answer DELETE /api/me in turn.
function openAccount(deleteReplies) {
  window.location.hash = '#/account';
  const fetch = mockFetch({
    'GET /api/me': jsonResponse(200, { user: me, unread: 0 }),
    'GET /api/settings/privacy': jsonResponse(200, { privacy: { read_receipts: true, listed: true } }),
    'DELETE /api/me': deleteReplies,
  });
  render(<App />);
  return fetch;
}

async function openDialog() {
  const card = await screen.findByRole('region', { name: 'Delete my account' });
  await userEvent.click(within(card).getByRole('button', { name: 'Delete my account…' }));
  return screen.getByRole('dialog', { name: 'Delete my account' });
}

const deleteCalls = (fetch) => fetch.mock.calls.filter(([, init]) => init?.method === 'DELETE');

describe('Delete my account', () => {
  it('has a card in the server page’s words that opens a dialog listing what goes', async () => {
    openAccount([]);
    const card = await screen.findByRole('region', { name: 'Delete my account' });
    expect(card).toHaveTextContent('Your key is destroyed, so nobody can open the images sent to you any more.');
    expect(card).toHaveTextContent('Images you sent stay with the people you sent them to.');

    const dialog = await openDialog();
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    expect(dialog).toHaveAccessibleDescription(/This cannot be undone\. When you delete your account:/);
    const items = within(dialog)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(items).toEqual([
      'your key is destroyed at once, so nobody can open any image ever sent to you, and those images are removed;',
      'you are logged out everywhere, and your email notifications stop;',
      'you leave the people directory; your username is kept from new accounts for 90 days, so nobody can pose as you to the people you wrote to;',
      'the images you sent stay with the people you sent them to, until they delete them.',
    ]);
    const password = within(dialog).getByLabelText('Your password');
    expect(password).toHaveAttribute('type', 'password');
    expect(password).toHaveAttribute('autocomplete', 'current-password');
    expect(password).toHaveFocus();
    expect(within(dialog).getByRole('button', { name: 'Delete my account for good' })).toHaveAttribute('type', 'submit');
    expect(within(dialog).getByRole('button', { name: 'Keep my account' })).toBeInTheDocument();
  });

  it('keeps the account on Keep my account and on Escape, with focus back on the card’s button', async () => {
    const fetch = openAccount([]);
    await openDialog();
    await userEvent.click(screen.getByRole('button', { name: 'Keep my account' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Delete my account…' })).toHaveFocus();

    await openDialog();
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(deleteCalls(fetch)).toHaveLength(0);
  });

  it('keeps Tab inside the dialog', async () => {
    openAccount([]);
    const dialog = await openDialog();
    const [first, ...rest] = dialog.querySelectorAll('input, button');
    const last = rest.at(-1);
    last.focus();
    await userEvent.tab();
    expect(first).toHaveFocus();
    await userEvent.tab({ shift: true });
    expect(last).toHaveFocus();
  });

  it('asks for the password before it asks the server', async () => {
    const fetch = openAccount([]);
    const dialog = await openDialog();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete my account for good' }));
    const alert = within(dialog).getByRole('alert');
    expect(alert).toHaveTextContent('Enter your password to delete your account.');
    expect(deleteCalls(fetch)).toHaveLength(0);
  });

  it('shows a wrong password’s error in the dialog, focused, clears the field and stays logged in', async () => {
    const fetch = openAccount([apiError(403, 'forbidden', WRONG)]);
    const dialog = await openDialog();
    await userEvent.type(within(dialog).getByLabelText('Your password'), 'not my password');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete my account for good' }));

    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent(WRONG);
    await waitFor(() => expect(alert.parentElement).toHaveFocus());
    expect(within(dialog).getByLabelText('Your password')).toHaveValue('');
    expect(window.location.hash).toBe('#/account');
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeInTheDocument();

    const [[url, init]] = deleteCalls(fetch);
    expect(url).toBe('/api/me');
    expect(init.credentials).toBe('same-origin');
    expect(init.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(init.body)).toEqual({ password: 'not my password' });
  });

  it('says how long to wait after too many tries, keeping the password', async () => {
    openAccount([apiError(429, 'rate_limited', 'Too many attempts. Please wait and try again.', { 'Retry-After': '30' })]);
    const dialog = await openDialog();
    await userEvent.type(within(dialog).getByLabelText('Your password'), 'correct horse');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete my account for good' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Too many attempts. Please wait and try again. Try again in 30 s.');
    expect(within(dialog).getByLabelText('Your password')).toHaveValue('correct horse');
  });

  it('after a 204 forgets the user and shows the login screen with the server’s notice', async () => {
    const fetch = openAccount([apiError(403, 'forbidden', WRONG), new Response(null, { status: 204 })]);
    const dialog = await openDialog();
    const password = within(dialog).getByLabelText('Your password');
    await userEvent.type(password, 'wrong one');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete my account for good' }));
    await within(dialog).findByRole('alert');
    await userEvent.type(password, 'correct horse');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete my account for good' }));

    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeInTheDocument();
    expect(window.location.hash).toBe('#/login');
    expect(screen.getByRole('status')).toHaveTextContent(DELETED);
    expect(screen.queryByRole('navigation', { name: 'Main' })).not.toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(JSON.parse(deleteCalls(fetch)[1][1].body)).toEqual({ password: 'correct horse' });
  });
});

describe('deleteAccount', () => {
  it('sends DELETE /api/me with the password as JSON and resolves to null on 204', async () => {
    const fetch = mockFetch({ 'DELETE /api/me': new Response(null, { status: 204 }) });
    await expect(deleteAccount({ password: 'pw with spaces ' })).resolves.toBeNull();
    const [[url, init]] = fetch.mock.calls;
    expect([url, init.method, init.body]).toEqual(['/api/me', 'DELETE', '{"password":"pw with spaces "}']);
  });
});
