// Contract with the Go server's real /api/ replies.
//
// test/fixtures/api-replies.json holds one recorded reply per route, keyed by route
// ("GET /api/me", "GET /api/messages?box=inbox", …, "error 404"), each
// {"status": <HTTP status>, "body": <the JSON reply>}. The server's Go test records
// it from a running handler (the first copy was written by hand from app/web).
// Every screen here is fed exactly those bodies and must show what they carry, so
// renaming or dropping a JSON field the client reads breaks this file.
//
// What the recording must contain, for the checks to mean something: an inbox with
// at least one unread and one opened message, a sent box with at least one opened and
// one not-yet-opened message, at least one other user, and an opened message with a caption.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import * as api from '../src/api/client.js';
import { formatMiB, unreadLabel } from '../src/lib/format.js';
import { groupBySender } from '../src/lib/group.js';
import { hrefFor } from '../src/lib/route.js';
import App from '../src/App.jsx';
import Inbox from '../src/screens/Inbox.jsx';
import Sent from '../src/screens/Sent.jsx';
import MessageView from '../src/screens/MessageView.jsx';
import Users from '../src/screens/Users.jsx';
import Send from '../src/screens/Send.jsx';
import Login from '../src/screens/Login.jsx';
import Signup from '../src/screens/Signup.jsx';
import Verify from '../src/screens/Verify.jsx';
import Conversation from '../src/screens/Conversation.jsx';
import TwoFactor from '../src/screens/TwoFactor.jsx';
import { installFakeXHR, jsonResponse, mockFetch } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const replies = JSON.parse(readFileSync(resolve(here, 'fixtures/api-replies.json'), 'utf8'));

const ROUTES = [
  'POST /api/signup',
  'POST /api/verify',
  'POST /api/login',
  'GET /api/me',
  'GET /api/users',
  'GET /api/messages?box=inbox',
  'GET /api/messages?box=sent',
  'GET /api/messages/{id}',
  'POST /api/messages',
  'POST /api/messages (an album)',
  'GET /api/conversations/{username}',
  'error 404',
  'POST /api/login (two-factor)',
  'POST /api/login/code',
  'GET /api/settings/two-factor',
];

const body = (route) => replies[route].body;
const reply = (route) => jsonResponse(replies[route].status, replies[route].body);

const me = () => body('GET /api/me');
const inbox = () => body('GET /api/messages?box=inbox');
const sent = () => body('GET /api/messages?box=sent');
const opened = () => body('GET /api/messages/{id}').message;

// GET /api/messages answers by ?box=.
const messagesRoute = (url) => {
  const box = new URL(url, 'http://x').searchParams.get('box');
  if (box !== 'inbox' && box !== 'sent') throw new Error(`no recorded reply for ${url}`);
  return reply(`GET /api/messages?box=${box}`);
};

const isDate = (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v));

// --- the fields the client reads, route by route ------------------------------

function expectUser(u, { private: priv }) {
  expect(u).toBeTypeOf('object');
  expect(u.id).toBeTypeOf('string');
  expect(u.id).not.toBe('');
  expect(u.username).toBeTypeOf('string');
  expect(u.username).not.toBe('');
  if (priv) expect(u.email).toBeTypeOf('string');
  else expect(u).not.toHaveProperty('email');
}

function expectMessage(m) {
  expect(m.id).toBeTypeOf('string');
  expect(m.id).not.toBe('');
  for (const side of ['from', 'to']) {
    expect(m[side]?.id, `${side}.id`).toBeTypeOf('string');
    expect(m[side]?.username, `${side}.username`).toBeTypeOf('string');
  }
  expect(isDate(m.sent_at), 'sent_at is a time').toBe(true);
  // read_at: a time once opened; null (or absent) while unread.
  expect(m.read_at == null || isDate(m.read_at), 'read_at is a time or null').toBe(true);
  expect(m.content_type).toMatch(/^image\//);
  expect(m.size).toBeTypeOf('number');
}

function expectMessageList(b) {
  expect(Array.isArray(b.messages)).toBe(true);
  expect(b.messages.length, 'record some messages').toBeGreaterThan(0);
  b.messages.forEach(expectMessage);
  expect(b.next_cursor).toBeTypeOf('string');
  expect(b.unread).toBeTypeOf('number');
}

describe('recorded replies: every route, the fields the client reads', () => {
  it('has a reply for every route, as {status, body}', () => {
    for (const route of ROUTES) {
      expect(replies, route).toHaveProperty([route]);
      expect(replies[route].status, route).toBeTypeOf('number');
      expect(replies[route].body, route).toBeTypeOf('object');
    }
  });

  it('account replies', () => {
    expect(replies['POST /api/signup'].status).toBe(201);
    expect(body('POST /api/signup').user).toMatchObject({ confirmed: false });
    expect(body('POST /api/signup').user.username).toBeTypeOf('string');
    expect(body('POST /api/signup').outbox).toBeTypeOf('string'); // the embedded backend: where the code is
    expect(body('POST /api/verify').user).toMatchObject({ confirmed: true });
    expect(body('POST /api/verify').user.username).toBeTypeOf('string');
    expectUser(body('POST /api/login').user, { private: true });
  });

  it('GET /api/me: the user, the unread count and the limits', () => {
    expectUser(me().user, { private: true });
    expect(me().unread).toBeTypeOf('number');
    const { limits } = me();
    expect(limits.max_upload_bytes).toBeTypeOf('number');
    expect(limits.max_upload_bytes).toBeGreaterThan(0);
    expect(limits.max_caption_length).toBeTypeOf('number');
    expect(limits.max_caption_length).toBeGreaterThan(0);
    expect(limits.image_types.length).toBeGreaterThan(0);
    limits.image_types.forEach((t) => expect(t).toMatch(/^image\//));
  });

  it('GET /api/users: public users only', () => {
    const b = body('GET /api/users');
    expect(b.users.length, 'record at least one other user').toBeGreaterThan(0);
    b.users.forEach((u) => expectUser(u, { private: false }));
    expect(b.next_cursor).toBeTypeOf('string');
  });

  it('message lists, one message, a sent message', () => {
    expectMessageList(inbox());
    expectMessageList(sent());
    expect(inbox().messages.some((m) => !m.read_at), 'an unread message in the inbox').toBe(true);
    expect(inbox().messages.some((m) => m.read_at), 'an opened message in the inbox').toBe(true);
    expect(sent().messages.some((m) => m.read_at), 'an opened message in sent').toBe(true);
    expect(sent().messages.some((m) => !m.read_at), 'a not-yet-opened message in sent').toBe(true);

    expectMessage(opened());
    expect(opened().caption).toBeTypeOf('string');
    expect(opened().caption, 'record a message with a caption').not.toBe('');
    expect(opened().filename).toBeTypeOf('string');
    // The client builds the image URL itself; it must be the one the server names.
    expect(api.imageUrl(opened().id)).toBe(opened().image_url);

    expect(replies['POST /api/messages'].status).toBe(201);
    expectMessage(body('POST /api/messages').message);

    // An album: its first image as the message, and all of them, sharing its ID.
    const { album, message } = body('POST /api/messages (an album)');
    expect(album.id).toBeTypeOf('string');
    expect(album.messages.length).toBeGreaterThan(1);
    expect(album.messages[0].id).toBe(message.id);
    for (const m of album.messages) {
      expectMessage(m);
      expect(m.album_id).toBe(album.id);
    }
  });

  it('errors are {error: {code, message}}', () => {
    expect(replies['error 404'].status).toBe(404);
    expect(body('error 404').error.code).toBe('not_found');
    expect(body('error 404').error.message).toBeTypeOf('string');
  });
});

// --- the screens, fed the recorded replies ------------------------------------

describe('screens show what the server sends', () => {
  it('Inbox: one entry per sender, "N new", each opening the conversation', async () => {
    mockFetch({ 'GET /api/messages': messagesRoute });
    const setUnread = vi.fn();
    render(<Inbox setUnread={setUnread} />);
    const list = await screen.findByRole('list', { name: 'Conversations' });
    const entries = within(list).getAllByRole('link');
    const groups = groupBySender(inbox().messages);
    expect(entries).toHaveLength(groups.length);
    groups.forEach((g, i) => {
      expect(entries[i]).toHaveTextContent(g.sender.username);
      if (g.unread > 0) expect(entries[i]).toHaveTextContent(`${g.unread} new`);
      else expect(entries[i]).not.toHaveTextContent(/new/);
      expect(entries[i]).toHaveAttribute('href', hrefFor('conversation', g.sender.username));
    });
    expect(setUnread).toHaveBeenCalledWith(inbox().unread);
  });

  it('Conversation: the images both ways, oldest first, each with its thumbnail and side', async () => {
    const c = body('GET /api/conversations/{username}');
    expect(c.with.username).toBeTypeOf('string');
    expect(c.next_cursor).toBeTypeOf('string');
    for (const m of c.messages) {
      if ('thumbnail' in m) expect(m.thumbnail).toMatch(/^data:image\/jpeg;base64,/);
    }
    const times = c.messages.map((m) => Date.parse(m.sent_at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const viewer = c.messages.map((m) => m.from).find((u) => u.username !== c.with.username);
    mockFetch({ [`GET /api/conversations/${encodeURIComponent(c.with.username)}`]: reply('GET /api/conversations/{username}') });
    render(<Conversation username={c.with.username} me={viewer} />);
    const list = await screen.findByRole('list', { name: `Images with ${c.with.username}` });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((li) => within(li).getByRole('link').getAttribute('href'))).toEqual(c.messages.map((m) => hrefFor('message', m.id)));
    expect(items.map((li) => li.dataset.mine)).toEqual(c.messages.map((m) => String(m.from.username !== c.with.username)));
    expect(await within(list).findAllByTestId('thumb')).toHaveLength(c.messages.filter((m) => m.thumbnail).length);
  });

  it('Sent: recipient, and "Opened …" or "Delivered"', async () => {
    mockFetch({ 'GET /api/messages': messagesRoute });
    render(<Sent />);
    const list = await screen.findByRole('list', { name: 'Sent messages' });
    const rows = within(list).getAllByRole('link');
    expect(rows).toHaveLength(sent().messages.length);
    sent().messages.forEach((m, i) => {
      expect(rows[i]).toHaveTextContent(`To ${m.to.username}`);
      if (m.read_at) expect(rows[i]).toHaveTextContent(/Opened /);
      else expect(rows[i]).toHaveTextContent('Delivered');
      expect(rows[i]).not.toHaveTextContent(/\bRead\b/);
    });
    // Both states show up, whatever the recording's order.
    expect(within(list).getAllByText(/^Opened /).length).toBeGreaterThan(0);
    expect(within(list).getAllByText('Delivered').length).toBeGreaterThan(0);
  });

  it('Message, as its recipient: sender, caption, file name', async () => {
    const m = opened();
    mockFetch({ [`GET /api/messages/${encodeURIComponent(m.id)}`]: reply('GET /api/messages/{id}') });
    render(<MessageView id={m.id} me={m.to} go={vi.fn()} />);
    expect(await screen.findByRole('heading', { name: `From ${m.from.username}` })).toBeInTheDocument();
    expect(screen.getByRole('img', { name: m.caption })).toHaveAttribute('src', m.image_url);
    expect(screen.getByText(m.caption, { selector: 'p' })).toBeInTheDocument();
    expect(screen.getByText(m.filename)).toBeInTheDocument();
  });

  it('Message, as its sender: recipient and "Opened"/"Delivered"', async () => {
    const m = opened();
    mockFetch({ [`GET /api/messages/${encodeURIComponent(m.id)}`]: reply('GET /api/messages/{id}') });
    render(<MessageView id={m.id} me={m.from} go={vi.fn()} />);
    expect(await screen.findByRole('heading', { name: `To ${m.to.username}` })).toBeInTheDocument();
    expect(screen.getByText(m.read_at ? /Opened/ : /Delivered/)).toBeInTheDocument();
  });

  it('Message that is not there: the 404 error reply', async () => {
    const e = body('error 404').error;
    mockFetch({ 'GET /api/messages/gone': reply('error 404') });
    await expect(api.getMessage('gone')).rejects.toMatchObject({ status: 404, code: e.code, message: e.message });
    render(<MessageView id="gone" me={me().user} go={vi.fn()} />);
    expect(await screen.findByRole('alert')).toHaveTextContent(e.message);
  });

  it('Message that is gone: the 410 error reply says what happened', async () => {
    const e = body('error 410').error;
    expect(e.code).toBe('deleted');
    mockFetch({ 'GET /api/messages/deleted': reply('error 410') });
    await expect(api.getMessage('deleted')).rejects.toMatchObject({ status: 410, code: e.code, message: e.message });
    render(<MessageView id="deleted" me={me().user} go={vi.fn()} />);
    expect(await screen.findByRole('heading', { name: 'Image gone' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent(e.message);
  });

  it('Users: every user, with a link to send them an image', async () => {
    mockFetch({ 'GET /api/users': reply('GET /api/users') });
    render(<Users params={{}} />);
    const list = await screen.findByRole('list', { name: 'Users' });
    for (const u of body('GET /api/users').users) {
      expect(within(list).getByText(u.username)).toBeInTheDocument();
      expect(within(list).getByRole('link', { name: `Send an image to ${u.username}` })).toHaveAttribute(
        'href',
        `#/send?to=${encodeURIComponent(u.username)}`,
      );
    }
  });

  it('Send: the limits from /api/me, then the recorded 201', async () => {
    const { limits } = me();
    const XHR = installFakeXHR();
    const go = vi.fn();
    const to = body('POST /api/messages').message.to.username;
    render(<Send go={go} params={{ to }} limits={limits} />);
    const mib = formatMiB(limits.max_upload_bytes);
    expect(mib).toMatch(/^\d+(\.\d+)? MiB$/);
    expect(screen.getByTestId('upload-hint')).toHaveTextContent(`up to ${mib}`);
    expect(screen.getByTestId('caption-count')).toHaveTextContent(`0 / ${limits.max_caption_length}`);

    // One byte over the server's limit is refused before any upload, naming the limit.
    const big = new File([new Uint8Array(8)], 'big.png', { type: limits.image_types[0] });
    Object.defineProperty(big, 'size', { value: limits.max_upload_bytes + 1 });
    await userEvent.upload(screen.getByLabelText('Image file'), big);
    expect(screen.getByRole('alert')).toHaveTextContent(`larger than the ${mib} limit`);
    expect(XHR.instances).toHaveLength(0);

    await userEvent.upload(screen.getByLabelText('Image file'), new File([new Uint8Array(64)], 'ok.png', { type: limits.image_types[0] }));
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    const rec = replies['POST /api/messages'];
    act(() => XHR.instances[0].respond(rec.status, rec.body));
    await waitFor(() => expect(go).toHaveBeenCalledWith('sent', null, null, { kind: 'success', text: `Sent to ${to}.` }));
  });

  it('App: /api/me gives the name, the unread count and the upload limit', async () => {
    window.location.hash = '#/send';
    mockFetch({ 'GET /api/me': reply('GET /api/me'), 'GET /api/messages': messagesRoute });
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Send an image' })).toBeInTheDocument();
    expect(screen.getByText(me().user.username)).toHaveAttribute('title', expect.stringContaining(me().user.email));
    if (me().unread > 0) {
      expect(within(screen.getByRole('navigation', { name: 'Main' })).getByLabelText(unreadLabel(me().unread))).toBeInTheDocument();
    }
    expect(screen.getByTestId('upload-hint')).toHaveTextContent(`up to ${formatMiB(me().limits.max_upload_bytes)}`);
    expect(screen.getByTestId('caption-count')).toHaveTextContent(`/ ${me().limits.max_caption_length}`);
  });

  it('Login asks for the code on the recorded two-factor reply, and the code signs in', async () => {
    const f = mockFetch({
      'POST /api/login': reply('POST /api/login (two-factor)'),
      'POST /api/login/code': reply('POST /api/login/code'),
    });
    const onLoggedIn = vi.fn();
    render(<Login params={{}} onLoggedIn={onLoggedIn} go={vi.fn()} />);
    await userEvent.type(screen.getByLabelText('Username'), 'carol');
    await userEvent.type(screen.getByLabelText('Password'), 'secret-password');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await userEvent.type(await screen.findByLabelText('Code'), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await waitFor(() => expect(onLoggedIn).toHaveBeenCalledWith(body('POST /api/login/code').user, undefined));
    expect(JSON.parse(f.mock.calls.at(-1)[1].body).token).toBe(body('POST /api/login (two-factor)').token);
  });

  it('the two-factor card reads the recorded state', async () => {
    mockFetch({ 'GET /api/settings/two-factor': reply('GET /api/settings/two-factor') });
    render(<TwoFactor />);
    expect(await screen.findByRole('button', { name: 'Turn off two-factor' })).toBeInTheDocument();
  });

  it('Login, sign-up and confirm accept the recorded replies', async () => {
    mockFetch({
      'POST /api/login': reply('POST /api/login'),
      'POST /api/signup': reply('POST /api/signup'),
      'POST /api/verify': reply('POST /api/verify'),
    });
    const onLoggedIn = vi.fn();
    const { unmount } = render(<Login params={{}} onLoggedIn={onLoggedIn} go={vi.fn()} />);
    await userEvent.type(screen.getByLabelText('Username'), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'secret-password');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await waitFor(() => expect(onLoggedIn).toHaveBeenCalledWith(body('POST /api/login').user, undefined));
    unmount();

    const go = vi.fn();
    const s = render(<Signup go={go} />);
    await userEvent.type(screen.getByLabelText('Username'), 'alice');
    await userEvent.type(screen.getByLabelText('Email'), 'alice@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'long-enough-pw');
    await userEvent.click(screen.getByRole('button', { name: 'Sign up' }));
    await waitFor(() => expect(go).toHaveBeenCalledWith('verify', null, { username: 'alice' }, expect.anything()));
    s.unmount();

    go.mockClear();
    render(<Verify go={go} params={{ username: 'alice' }} />);
    await userEvent.type(screen.getByLabelText('Code'), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(go).toHaveBeenCalledWith('login', null, { username: 'alice' }, expect.anything()));
  });
});
