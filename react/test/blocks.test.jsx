// Blocking (issue 19 item 2), in the server pages' words: the conversation's
// "Block <name>…" step and banner, and the Account screen's "Blocked people".

import { describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import * as api from '../src/api/client.js';
import App from '../src/App.jsx';
import Conversation from '../src/screens/Conversation.jsx';
import { apiError, jsonResponse, mockFetch, msg, wholeText } from './helpers.js';

const me = { id: 'u-me', username: 'me', email: 'me@example.com' };
const bob = { id: 'u-bob', username: 'bob' };
const ann = { id: 'u-ann', username: 'ann' };
const BLOCKED = 'Blocked. They can no longer send you images, and are not told.';
const UNBLOCKED = 'Unblocked. Their new images reach you again.';
const STEP =
  'bob will not be able to send you images, and will not be told: their images are withheld from you. You can unblock them at any time; what was withheld stays withheld.';
const BANNER = 'You block bob: images they send are withheld from you, and they are not told.';

const conversation = () => jsonResponse(200, { with: bob, messages: [msg('m1', 'bob')], next_cursor: '' });
const blocked = (...users) => jsonResponse(200, { users });
const calls = (f, method, path) => f.mock.calls.filter(([url, init]) => (init?.method || 'GET') === method && url === path);

describe('api: blocking', () => {
  it('blocks with PUT, unblocks with DELETE on /api/people/{username}/block, and lists with GET /api/settings/blocked', async () => {
    const f = mockFetch({
      'PUT /api/people/a%20b/block': jsonResponse(204),
      'DELETE /api/people/bob/block': jsonResponse(204),
      'GET /api/settings/blocked': blocked(bob),
    });
    expect(await api.block('a b')).toBeNull();
    expect(await api.unblock('bob')).toBeNull();
    expect(await api.listBlocked()).toEqual({ users: [bob] });
    expect(f.mock.calls.map(([url, init]) => `${init.method} ${url}`)).toEqual([
      'PUT /api/people/a%20b/block',
      'DELETE /api/people/bob/block',
      'GET /api/settings/blocked',
    ]);
  });
});

describe('Conversation: blocking', () => {
  it('states what blocking does before the Block button, then blocks: notice, banner, no step', async () => {
    const f = mockFetch({
      'GET /api/conversations/bob': conversation(),
      'GET /api/settings/blocked': blocked(ann),
      'PUT /api/people/bob/block': jsonResponse(204),
    });
    render(<Conversation username="bob" me={me} />);
    const summary = await screen.findByText(wholeText('Block bob…'));
    const step = screen.getByTestId('block-step');
    expect(step.tagName).toBe('DETAILS');
    expect(step.open).toBe(false);
    await userEvent.click(summary);
    expect(step.open).toBe(true);
    const consequence = within(step).getByText(wholeText(STEP));
    const button = within(step).getByRole('button', { name: 'Block bob' });
    // The consequence comes first, so it is read before the button is reached.
    expect(consequence.compareDocumentPosition(button) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(screen.queryByText(wholeText(BANNER))).not.toBeInTheDocument();

    await userEvent.click(button);
    expect(await screen.findByText(BLOCKED)).toBeInTheDocument();
    expect(screen.getByText(BLOCKED).closest('[tabindex="-1"]')).toHaveFocus();
    expect(screen.getByText(wholeText(BANNER))).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Unblock bob' })).toBeInTheDocument();
    expect(screen.queryByTestId('block-step')).not.toBeInTheDocument();
    expect(calls(f, 'PUT', '/api/people/bob/block')).toHaveLength(1);
    // The images reload, as the server's page does after its redirect.
    await waitFor(() => expect(calls(f, 'GET', '/api/conversations/bob')).toHaveLength(2));
  });

  it('shows the banner for someone blocked, and Unblock brings the step back', async () => {
    const f = mockFetch({
      'GET /api/conversations/bob': conversation(),
      'GET /api/settings/blocked': blocked(ann, bob),
      'DELETE /api/people/bob/block': jsonResponse(204),
    });
    render(<Conversation username="bob" me={me} />);
    expect(await screen.findByText(wholeText(BANNER))).toBeInTheDocument();
    expect(screen.queryByTestId('block-step')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Unblock bob' }));
    expect(await screen.findByText(UNBLOCKED)).toBeInTheDocument();
    expect(screen.queryByText(wholeText(BANNER))).not.toBeInTheDocument();
    expect(screen.getByTestId('block-step')).toBeInTheDocument();
    expect(calls(f, 'DELETE', '/api/people/bob/block')).toHaveLength(1);
  });

  it('says what went wrong when blocking fails, and stays unblocked', async () => {
    mockFetch({
      'GET /api/conversations/bob': conversation(),
      'GET /api/settings/blocked': blocked(),
      'PUT /api/people/bob/block': apiError(503, 'unavailable', 'Try again in a moment.'),
    });
    render(<Conversation username="bob" me={me} />);
    await userEvent.click(await screen.findByText(wholeText('Block bob…')));
    await userEvent.click(screen.getByRole('button', { name: 'Block bob' }));
    expect(await within(screen.getByTestId('block-step')).findByRole('alert')).toHaveTextContent('Try again in a moment.');
    expect(screen.queryByText(wholeText(BANNER))).not.toBeInTheDocument();
    expect(screen.queryByText(BLOCKED)).not.toBeInTheDocument();
  });

  it('says what went wrong when unblocking fails, and keeps the banner', async () => {
    mockFetch({
      'GET /api/conversations/bob': conversation(),
      'GET /api/settings/blocked': blocked(bob),
      'DELETE /api/people/bob/block': apiError(503, 'unavailable', 'Try again in a moment.'),
    });
    render(<Conversation username="bob" me={me} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Unblock bob' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Try again in a moment.');
    expect(screen.getByText(wholeText(BANNER))).toBeInTheDocument();
  });

  it('says so when it cannot tell whether bob is blocked, and offers no step', async () => {
    mockFetch({
      'GET /api/conversations/bob': conversation(),
      'GET /api/settings/blocked': apiError(503, 'unavailable', 'Try again in a moment.'),
    });
    render(<Conversation username="bob" me={me} />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Try again in a moment.');
    expect(screen.queryByTestId('block-step')).not.toBeInTheDocument();
    expect(screen.queryByText(wholeText(BANNER))).not.toBeInTheDocument();
  });

  it('offers no step in a conversation with oneself', async () => {
    mockFetch({
      'GET /api/conversations/me': jsonResponse(200, { with: me, messages: [], next_cursor: '' }),
      'GET /api/settings/blocked': blocked(),
    });
    render(<Conversation username="me" me={me} />);
    expect(await screen.findByText(/have not sent each other any images/)).toBeInTheDocument();
    expect(screen.queryByTestId('block-step')).not.toBeInTheDocument();
  });
});

describe('Account: Blocked people', () => {
  function openAccount(routes) {
    window.location.hash = '#/account';
    const f = mockFetch({
      'GET /api/me': jsonResponse(200, { user: me, unread: 0 }),
      'GET /api/settings/privacy': jsonResponse(200, { privacy: { read_receipts: true, listed: true } }),
      ...routes,
    });
    render(<App />);
    return f;
  }

  it('lists the people I block, each with Unblock, in the server page’s words', async () => {
    const f = openAccount({ 'GET /api/settings/blocked': blocked(ann, bob), 'DELETE /api/people/bob/block': jsonResponse(204) });
    const card = await screen.findByRole('region', { name: 'Blocked people' });
    expect(card).toHaveTextContent(
      'People you block cannot send you images, and are not told: their images are withheld from you. Block someone from your conversation with them.',
    );
    const list = await within(card).findByRole('list', { name: 'People you block' });
    expect(within(list).getAllByRole('listitem').map((li) => li.firstChild.textContent)).toEqual(['ann', 'bob']);
    expect(within(list).getByRole('button', { name: 'Unblock ann' })).toBeInTheDocument();

    await userEvent.click(within(list).getByRole('button', { name: 'Unblock bob' }));
    expect(await within(card).findByText(UNBLOCKED)).toBeInTheDocument();
    expect(within(card).getByText(UNBLOCKED).closest('[tabindex="-1"]')).toHaveFocus();
    expect(within(list).getAllByRole('listitem')).toHaveLength(1);
    expect(within(card).queryByRole('button', { name: 'Unblock bob' })).not.toBeInTheDocument();
    expect(calls(f, 'DELETE', '/api/people/bob/block')).toHaveLength(1);
  });

  it('says “You block nobody.” for nobody, and after the last Unblock', async () => {
    openAccount({ 'GET /api/settings/blocked': blocked(bob), 'DELETE /api/people/bob/block': jsonResponse(204) });
    const card = await screen.findByRole('region', { name: 'Blocked people' });
    await userEvent.click(await within(card).findByRole('button', { name: 'Unblock bob' }));
    expect(await within(card).findByText('You block nobody.')).toBeInTheDocument();
    expect(within(card).queryByRole('list')).not.toBeInTheDocument();
  });

  it('shows the errors of loading and of unblocking', async () => {
    openAccount({
      'GET /api/settings/blocked': blocked(bob),
      'DELETE /api/people/bob/block': apiError(503, 'unavailable', 'Try again in a moment.'),
    });
    const card = await screen.findByRole('region', { name: 'Blocked people' });
    await userEvent.click(await within(card).findByRole('button', { name: 'Unblock bob' }));
    expect(await within(card).findByRole('alert')).toHaveTextContent('Try again in a moment.');
    expect(within(card).getByRole('button', { name: 'Unblock bob' })).toBeEnabled();
  });

  it('shows the error when the list cannot be loaded', async () => {
    openAccount({ 'GET /api/settings/blocked': apiError(500, 'internal', 'Something broke.') });
    const card = await screen.findByRole('region', { name: 'Blocked people' });
    expect(await within(card).findByRole('alert')).toHaveTextContent('Something broke.');
    expect(within(card).queryByText('You block nobody.')).not.toBeInTheDocument();
  });
});
