// Message requests, as Signal has them, in the server pages' words: the
// privacy setting, the Requests screen, the inbox's link, and the
// conversation's banner and placeholders.

import { beforeEach, describe, expect, it, vi } from 'vitest';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import * as api from '../src/api/client.js';
import { parseHash } from '../src/lib/route.js';
import App from '../src/App.jsx';
import Conversation from '../src/screens/Conversation.jsx';
import Inbox from '../src/screens/Inbox.jsx';
import MessageView from '../src/screens/MessageView.jsx';
import Requests from '../src/screens/Requests.jsx';
import { apiError, jsonResponse, mockFetch, msg } from './helpers.js';

const me = { id: 'u-me', username: 'me', email: 'me@example.com' };
const bob = { id: 'u-bob', username: 'bob' };
const BANNER = 'bob is not someone you know. Accept to see their images.';
const HINT_ON = 'You only accept images from people you know. Images from anyone else wait here until you accept them.';
const HINT_OFF =
  'Turn on “Only accept images from people I know” in your privacy settings, and images from anyone else wait here until you accept them.';

const waiting = (...requests) => jsonResponse(200, { requests });
const req = (username, count, latest = '2026-03-01T10:00:00Z') => ({ username, count, latest });
const calls = (f, method, path) => f.mock.calls.filter(([url, init]) => (init?.method || 'GET') === method && url === path);
const row = (name) => screen.getByRole('group', { name: `${name}’s request` }).closest('li');

// A request from bob: the server sends no thumbnail and no caption for it.
const request = (id, sent) => ({ ...msg(id, 'bob', { sent }), request: true });

describe('api: message requests', () => {
  it('lists with GET /api/requests, accepts with POST …/accept, deletes (and blocks) with DELETE', async () => {
    const f = mockFetch({
      'GET /api/requests': waiting(req('bob', 2)),
      'POST /api/requests/a%20b/accept': jsonResponse(200, { accepted: 2 }),
      'DELETE /api/requests/bob': [jsonResponse(200, { deleted: 1 }), jsonResponse(200, { deleted: 1, blocked: true })],
    });
    expect(await api.listRequests()).toEqual({ requests: [req('bob', 2)] });
    expect(await api.acceptRequests('a b')).toEqual({ accepted: 2 });
    expect(await api.deleteRequests('bob')).toEqual({ deleted: 1 });
    expect(await api.deleteRequests('bob', { block: true })).toEqual({ deleted: 1, blocked: true });
    expect(f.mock.calls.map(([url, init]) => `${init.method} ${url}`)).toEqual([
      'GET /api/requests',
      'POST /api/requests/a%20b/accept',
      'DELETE /api/requests/bob',
      'DELETE /api/requests/bob?block=yes',
    ]);
    expect(parseHash('#/requests').name).toBe('requests');
  });
});

describe('Privacy settings: message requests', () => {
  it('offers “Only accept images from people I know”, explained, and saves it with the other two', async () => {
    window.location.hash = '#/account';
    const puts = [];
    mockFetch({
      'GET /api/me': jsonResponse(200, { user: me, unread: 0 }),
      'GET /api/settings/blocked': jsonResponse(200, { users: [] }),
      'GET /api/settings/privacy': jsonResponse(200, { privacy: { read_receipts: true, listed: true, notify_by_mail: true, message_requests: false } }),
      'PUT /api/settings/privacy': (url, init) => {
        puts.push(JSON.parse(init.body));
        return jsonResponse(200, { privacy: { notify_by_mail: true, ...JSON.parse(init.body) } });
      },
    });
    render(<App />);
    const card = await screen.findByRole('region', { name: 'Privacy' });
    const box = await within(card).findByRole('checkbox', { name: 'Only accept images from people I know' });
    expect(box).not.toBeChecked();
    expect(box).toHaveAccessibleDescription('Images from others wait as message requests until you accept them.');
    await userEvent.click(box);
    await userEvent.click(within(card).getByRole('button', { name: 'Save' }));
    expect(await within(card).findByText('Privacy settings saved.')).toBeInTheDocument();
    expect(puts).toEqual([{ read_receipts: true, listed: true, message_requests: true }]);
    expect(box).toBeChecked();
  });

  it('offers no such box when the server does not know the setting', async () => {
    window.location.hash = '#/account';
    mockFetch({
      'GET /api/me': jsonResponse(200, { user: me, unread: 0 }),
      'GET /api/settings/blocked': jsonResponse(200, { users: [] }),
      'GET /api/settings/privacy': jsonResponse(200, { privacy: { read_receipts: true, listed: true } }),
    });
    render(<App />);
    const card = await screen.findByRole('region', { name: 'Privacy' });
    await within(card).findByRole('checkbox', { name: 'Send read receipts' });
    expect(within(card).queryByRole('checkbox', { name: /people I know/ })).not.toBeInTheDocument();
  });
});

describe('the Requests screen', () => {
  it('lists one row per person: name, how many images, when', async () => {
    mockFetch({ 'GET /api/requests': waiting(req('bob', 2), req('cat', 1)) });
    render(<Requests />);
    const list = await screen.findByRole('list', { name: 'Message requests' });
    const rows = within(list).getAllByRole('listitem');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('bob');
    expect(rows[0]).toHaveTextContent('2 images ·');
    expect(rows[1]).toHaveTextContent('1 image ·');
    expect(rows[0].querySelector('time')).toHaveAttribute('dateTime', '2026-03-01T10:00:00Z');
    for (const name of ['Accept', 'Delete…', 'Block…']) expect(within(rows[0]).getByRole('button', { name })).toBeInTheDocument();
    expect(screen.getByText(/Images from people you do not know wait here, unopened/)).toBeInTheDocument();
  });

  it('accepts: the row goes, and the focused notice links to their images', async () => {
    const f = mockFetch({
      'GET /api/requests': waiting(req('bob', 2), req('cat', 1)),
      'POST /api/requests/bob/accept': jsonResponse(200, { accepted: 2 }),
    });
    render(<Requests />);
    await screen.findByRole('list', { name: 'Message requests' });
    await userEvent.click(within(row('bob')).getByRole('button', { name: 'Accept' }));
    const notice = await screen.findByText('Accepted. Their images are in your inbox.');
    expect(notice.closest('[tabindex="-1"]')).toHaveFocus();
    expect(screen.getByRole('link', { name: 'See bob’s images' })).toHaveAttribute('href', '#/conversations/bob');
    expect(screen.queryByRole('group', { name: 'bob’s request' })).not.toBeInTheDocument();
    expect(screen.getByRole('group', { name: 'cat’s request' })).toBeInTheDocument();
    expect(calls(f, 'POST', '/api/requests/bob/accept')).toHaveLength(1);
  });

  it('asks before Delete (deleted for good, they are not told); Cancel keeps it, Delete deletes', async () => {
    const f = mockFetch({
      'GET /api/requests': waiting(req('bob', 2)),
      'DELETE /api/requests/bob': jsonResponse(200, { deleted: 2 }),
    });
    render(<Requests />);
    await screen.findByRole('list', { name: 'Message requests' });
    await userEvent.click(within(row('bob')).getByRole('button', { name: 'Delete…' }));
    let dialog = screen.getByRole('dialog', { name: 'Delete bob’s message request?' });
    expect(dialog).toHaveAccessibleDescription(
      'The 2 images they sent you will be deleted for good, unopened, for both of you. bob is not told why, and can still send you new ones.',
    );
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(within(row('bob')).getByRole('button', { name: 'Delete…' })).toHaveFocus();
    expect(calls(f, 'DELETE', '/api/requests/bob')).toHaveLength(0);

    await userEvent.click(within(row('bob')).getByRole('button', { name: 'Delete…' }));
    dialog = screen.getByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('Deleted.')).toBeInTheDocument();
    expect(calls(f, 'DELETE', '/api/requests/bob')).toHaveLength(1);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.queryByRole('group', { name: 'bob’s request' })).not.toBeInTheDocument();
  });

  it('asks before Block (they are not told), then blocks and deletes with ?block=yes', async () => {
    const f = mockFetch({
      'GET /api/requests': waiting(req('bob', 1)),
      'GET /api/settings/privacy': jsonResponse(200, { privacy: { read_receipts: true, listed: true, message_requests: true } }),
      'DELETE /api/requests/bob': jsonResponse(200, { deleted: 1, blocked: true }),
    });
    render(<Requests />);
    await screen.findByRole('list', { name: 'Message requests' });
    await userEvent.click(within(row('bob')).getByRole('button', { name: 'Block…' }));
    const dialog = screen.getByRole('dialog', { name: 'Block bob and delete their images?' });
    expect(dialog).toHaveAccessibleDescription(
      'bob will no longer be able to send you images, and is not told. The 1 image they sent you will be deleted for good.',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Block and delete' }));
    expect(await screen.findByText('Blocked and deleted. They are not told.')).toBeInTheDocument();
    expect(calls(f, 'DELETE', '/api/requests/bob?block=yes')).toHaveLength(1);
    // The last one gone: the empty state.
    expect(await screen.findByText(HINT_ON)).toBeInTheDocument();
  });

  it('says what went wrong, and keeps the row', async () => {
    mockFetch({
      'GET /api/requests': waiting(req('bob', 1)),
      'POST /api/requests/bob/accept': apiError(503, 'unavailable', 'Try again in a moment.'),
    });
    render(<Requests />);
    await screen.findByRole('list', { name: 'Message requests' });
    await userEvent.click(within(row('bob')).getByRole('button', { name: 'Accept' }));
    expect(await within(row('bob')).findByRole('alert')).toHaveTextContent('Try again in a moment.');
    expect(within(row('bob')).getByRole('button', { name: 'Accept' })).toBeEnabled();
  });

  it('with none, explains the setting (off or on) and links to the privacy settings', async () => {
    mockFetch({
      'GET /api/requests': waiting(),
      'GET /api/settings/privacy': [
        jsonResponse(200, { privacy: { read_receipts: true, listed: true, message_requests: false } }),
        jsonResponse(200, { privacy: { read_receipts: true, listed: true, message_requests: true } }),
      ],
    });
    const { unmount } = render(<Requests />);
    expect(await screen.findByText(HINT_OFF)).toBeInTheDocument();
    expect(screen.getByText('No message requests.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Privacy settings' })).toHaveAttribute('href', '#/account');
    expect(screen.queryByRole('list')).not.toBeInTheDocument();
    unmount();
    render(<Requests />);
    expect(await screen.findByText(HINT_ON)).toBeInTheDocument();
  });

  it('is reached at #/requests, titled, under the Inbox tab', async () => {
    window.location.hash = '#/requests';
    mockFetch({
      'GET /api/me': jsonResponse(200, { user: me, unread: 0 }),
      'GET /api/requests': waiting(req('bob', 1)),
    });
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Message requests' })).toBeInTheDocument();
    expect(document.title).toBe('Message requests · ImageApp');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Inbox' })).toHaveAttribute('aria-current', 'true');
  });
});

// stubEventSource replaces EventSource with one that records its listeners;
// it returns the sources made, so a test can fire their events.
function stubEventSource() {
  const sources = [];
  vi.stubGlobal(
    'EventSource',
    class {
      static CLOSED = 2;
      constructor() {
        this.listeners = {};
        sources.push(this);
      }
      addEventListener(type, fn) {
        this.listeners[type] = fn;
      }
      close() {}
    },
  );
  return sources;
}

describe('Inbox: the requests link', () => {
  const inbox = () => jsonResponse(200, { messages: [msg('m1', 'ann')], next_cursor: '', unread: 1 });

  it('shows “Message requests (N)” with N people, linking to #/requests, and reloads with requestsVersion', async () => {
    const f = mockFetch({
      'GET /api/messages': inbox(),
      'GET /api/requests': [waiting(req('bob', 3), req('cat', 1)), waiting(req('bob', 3), req('cat', 1), req('dan', 1))],
    });
    const { rerender } = render(<Inbox setUnread={() => {}} />);
    const link = await screen.findByRole('link', { name: /Message requests \(2\)/ });
    expect(link).toHaveAttribute('href', '#/requests');
    rerender(<Inbox setUnread={() => {}} requestsVersion={1} />);
    expect(await screen.findByRole('link', { name: /Message requests \(3\)/ })).toBeInTheDocument();
    expect(calls(f, 'GET', '/api/requests')).toHaveLength(2);
  });

  it('an inbox of only requests says so, instead of "No images yet"', async () => {
    mockFetch({
      'GET /api/messages': jsonResponse(200, { messages: [], next_cursor: '', unread: 0 }),
      'GET /api/requests': waiting(req('bob', 2)),
    });
    render(<Inbox setUnread={() => {}} />);
    expect(await screen.findByText(/Only message requests so far/)).toBeInTheDocument();
    expect(screen.queryByText(/No images yet/)).not.toBeInTheDocument();
  });

  it('shows no link when nobody waits, or when the requests cannot be read', async () => {
    mockFetch({ 'GET /api/messages': inbox(), 'GET /api/requests': [waiting(), apiError(500, 'internal', 'x')] });
    const { unmount } = render(<Inbox setUnread={() => {}} />);
    await screen.findByRole('link', { name: /Images from ?ann/ });
    expect(screen.queryByTestId('requests-link')).not.toBeInTheDocument();
    unmount();
    render(<Inbox setUnread={() => {}} />);
    await screen.findByRole('link', { name: /Images from ?ann/ });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.queryByTestId('requests-link')).not.toBeInTheDocument();
  });

  it('a live “request” event brings the link in, and leaves the inbox list alone', async () => {
    const sources = stubEventSource();
    window.location.hash = '#/inbox';
    const f = mockFetch({
      'GET /api/me': jsonResponse(200, { user: me, unread: 1 }),
      'GET /api/messages': inbox(),
      'GET /api/requests': [waiting(), waiting(req('bob', 1))],
    });
    render(<App />);
    await screen.findByRole('link', { name: /Images from ?ann/ });
    expect(screen.queryByTestId('requests-link')).not.toBeInTheDocument();
    act(() => sources[0].listeners.inbox(new MessageEvent('inbox', { data: JSON.stringify({ kind: 'request', unread: 1 }) })));
    expect(await screen.findByRole('link', { name: /Message requests \(1\)/ })).toBeInTheDocument();
    expect(calls(f, 'GET', '/api/messages?box=inbox&status=all')).toHaveLength(1);
  });

  it('a resync (a reconnect that may have missed events) reloads the requests screen', async () => {
    const sources = stubEventSource();
    window.location.hash = '#/requests';
    mockFetch({
      'GET /api/me': jsonResponse(200, { user: me, unread: 1 }),
      'GET /api/settings/privacy': jsonResponse(200, { privacy: { read_receipts: true, listed: true, notify_by_mail: true, message_requests: true } }),
      'GET /api/requests': [waiting(), waiting(req('bob', 1))],
    });
    render(<App />);
    expect(await screen.findByText('No message requests.')).toBeInTheDocument();
    act(() => sources[0].listeners.inbox(new MessageEvent('inbox', { data: JSON.stringify({ kind: 'resync', unread: 1 }) })));
    expect(await screen.findByText('bob')).toBeInTheDocument();
  });
});

describe('Conversation: requests', () => {
  const pending = () =>
    jsonResponse(200, { with: bob, messages: [request('r1', '2026-03-01T10:00:00Z'), request('r2', '2026-03-01T11:00:00Z')], next_cursor: '' });
  const accepted = () =>
    jsonResponse(200, {
      with: bob,
      messages: [
        { ...msg('r1', 'bob'), thumbnail: 'data:image/png;base64,AAAA', snippet: 'hello' },
        { ...msg('r2', 'bob'), thumbnail: 'data:image/png;base64,AAAA' },
      ],
      next_cursor: '',
    });

  it('shows a request as a placeholder (no thumbnail, caption or link), the banner, and no Reply or Block step', async () => {
    mockFetch({ 'GET /api/conversations/bob': pending(), 'GET /api/settings/blocked': jsonResponse(200, { users: [] }) });
    render(<Conversation username="bob" me={me} />);
    expect(await screen.findByTestId('request-banner')).toHaveTextContent(BANNER);
    const list = screen.getByRole('list', { name: 'Images with bob' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent('Message request · PNG · 2.0 KiB');
    expect(within(list).queryByRole('link')).not.toBeInTheDocument();
    expect(list.querySelector('img')).toBeNull();
    expect(screen.queryByRole('link', { name: 'Reply with an image' })).not.toBeInTheDocument();
    expect(screen.queryByTestId('composer')).not.toBeInTheDocument();
    expect(screen.queryByTestId('block-step')).not.toBeInTheDocument();
    const banner = within(screen.getByTestId('request-banner'));
    expect(banner.getByRole('button', { name: 'Accept' })).toBeInTheDocument();
    await userEvent.click(banner.getByRole('button', { name: 'Block…' }));
    expect(await screen.findByRole('dialog')).toHaveAccessibleDescription(/The 2 images they sent you will be deleted for good/);
  });

  it('accepts from the banner: the images show, Reply is back, the notice is focused', async () => {
    const f = mockFetch({
      'GET /api/conversations/bob': [pending(), accepted()],
      'GET /api/settings/blocked': jsonResponse(200, { users: [] }),
      'POST /api/requests/bob/accept': jsonResponse(200, { accepted: 2 }),
    });
    render(<Conversation username="bob" me={me} />);
    await userEvent.click(await within(await screen.findByTestId('request-banner')).findByRole('button', { name: 'Accept' }));
    expect(await screen.findByRole('link', { name: /Image from bob: hello/ })).toBeInTheDocument();
    expect(screen.getByText('Accepted. Their images are in your inbox.').closest('[tabindex="-1"]')).toHaveFocus();
    expect(screen.queryByTestId('request-banner')).not.toBeInTheDocument();
    expect(screen.getByTestId('composer')).toBeInTheDocument();
    expect(screen.getByTestId('block-step')).toBeInTheDocument();
    expect(calls(f, 'POST', '/api/requests/bob/accept')).toHaveLength(1);
  });

  it('blocks from the banner: the requests go, and the blocked banner shows', async () => {
    const f = mockFetch({
      'GET /api/conversations/bob': [pending(), jsonResponse(200, { with: bob, messages: [], next_cursor: '' })],
      'GET /api/settings/blocked': [jsonResponse(200, { users: [] }), jsonResponse(200, { users: [bob] })],
      'DELETE /api/requests/bob': jsonResponse(200, { deleted: 2, blocked: true }),
    });
    render(<Conversation username="bob" me={me} />);
    await userEvent.click(await within(await screen.findByTestId('request-banner')).findByRole('button', { name: 'Block…' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Block and delete' }));
    expect(await screen.findByText('Blocked and deleted. They are not told.')).toBeInTheDocument();
    expect(await screen.findByTestId('blocked-banner')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId('request-banner')).not.toBeInTheDocument());
    // The dialog closing does not pull the focus back to Block… (about to go): the notice keeps it.
    expect(screen.getByText('Blocked and deleted. They are not told.').closest('[tabindex="-1"]')).toHaveFocus();
    expect(calls(f, 'DELETE', '/api/requests/bob?block=yes')).toHaveLength(1);
  });

  it('does not count the requests when older pages are not loaded', async () => {
    mockFetch({
      'GET /api/conversations/bob': jsonResponse(200, { with: bob, messages: [request('r2')], next_cursor: 'older' }),
      'GET /api/settings/blocked': jsonResponse(200, { users: [] }),
    });
    render(<Conversation username="bob" me={me} />);
    await userEvent.click(await within(await screen.findByTestId('request-banner')).findByRole('button', { name: 'Delete…' }));
    expect(screen.getByRole('dialog')).toHaveAccessibleDescription(/^The images they sent you will be deleted for good/);
  });

  it('shows my own images to a stranger as usual (request is only what I received)', async () => {
    const mine = { ...msg('s1', 'me', { to: 'bob' }), from: me, to: bob, request: false, thumbnail: 'data:image/png;base64,AAAA' };
    mockFetch({
      'GET /api/conversations/bob': jsonResponse(200, { with: bob, messages: [mine], next_cursor: '' }),
      'GET /api/settings/blocked': jsonResponse(200, { users: [] }),
    });
    render(<Conversation username="bob" me={me} />);
    expect(await screen.findByRole('link', { name: /Image you sent/ })).toBeInTheDocument();
    expect(screen.queryByTestId('request-banner')).not.toBeInTheDocument();
  });
});

describe('MessageView: a request', () => {
  it('says why it does not open (403), and links to the requests', async () => {
    mockFetch({
      'GET /api/messages/r1': apiError(403, 'forbidden', 'This image is a message request from bob: accept their request to open it, or delete it.'),
    });
    render(<MessageView id="r1" me={me} />);
    expect(await screen.findByRole('alert')).toHaveTextContent('This image is a message request from bob');
    expect(screen.getByRole('link', { name: 'Message requests' })).toHaveAttribute('href', '#/requests');
    expect(screen.getByRole('heading', { level: 1, name: 'Message request' })).toBeInTheDocument(); // the page has its h1
    expect(screen.queryByRole('img')).not.toBeInTheDocument();
  });
});
