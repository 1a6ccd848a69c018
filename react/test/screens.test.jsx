import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Login from '../src/screens/Login.jsx';
import Signup from '../src/screens/Signup.jsx';
import Verify from '../src/screens/Verify.jsx';
import Users from '../src/screens/Users.jsx';
import Send from '../src/screens/Send.jsx';
import Inbox from '../src/screens/Inbox.jsx';
import Sent from '../src/screens/Sent.jsx';
import MessageView from '../src/screens/MessageView.jsx';
import { apiError, installFakeXHR, jsonResponse, mockFetch, msg, wholeText } from './helpers.js';
import { formatDate } from '../src/lib/format.js';

const body = (f, i = -1) => JSON.parse(f.mock.calls.at(i)[1].body);

describe('Login', () => {
  it('labels its inputs, logs in and hands over the user', async () => {
    const user = { id: '1', username: 'alice', email: 'a@x' };
    const f = mockFetch({ 'POST /api/login': jsonResponse(200, { user }) });
    const onLoggedIn = vi.fn();
    render(<Login params={{}} next="#/send?to=bob" onLoggedIn={onLoggedIn} go={vi.fn()} />);
    await userEvent.type(screen.getByLabelText('Username'), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'secret-password');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await waitFor(() => expect(onLoggedIn).toHaveBeenCalledWith(user, '#/send?to=bob'));
    expect(body(f)).toEqual({ username: 'alice', password: 'secret-password', keep: false });
  });

  it('shows the server message and offers verification when unconfirmed', async () => {
    mockFetch({ 'POST /api/login': apiError(403, 'unconfirmed', 'Confirm your email before logging in.') });
    render(<Login params={{ username: 'alice' }} onLoggedIn={vi.fn()} go={vi.fn()} />);
    await userEvent.type(screen.getByLabelText('Password'), 'secret-password');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Confirm your email before logging in.');
    expect(within(alert).getByRole('link', { name: /confirmation code/ })).toHaveAttribute('href', '#/verify?username=alice');
  });

  it('shows the wait on a 429', async () => {
    mockFetch({ 'POST /api/login': apiError(429, 'rate_limited', 'Too many attempts.', { 'Retry-After': '60' }) });
    render(<Login params={{ username: 'alice' }} onLoggedIn={vi.fn()} go={vi.fn()} />);
    await userEvent.type(screen.getByLabelText('Password'), 'x');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many attempts. Try again in 60 s.');
  });
});

describe('Signup', () => {
  it('checks input locally before asking the server', async () => {
    const f = mockFetch({});
    render(<Signup go={vi.fn()} />);
    await userEvent.type(screen.getByLabelText('Username'), 'al');
    await userEvent.click(screen.getByRole('button', { name: 'Sign up' }));
    expect(screen.getByRole('alert')).toHaveTextContent('3 to 32 characters');
    expect(f).not.toHaveBeenCalled();
  });

  it('creates the account and moves to verification', async () => {
    const f = mockFetch({ 'POST /api/signup': jsonResponse(201, { user: { username: 'alice', email: 'a@b.c', confirmed: false } }) });
    const go = vi.fn();
    render(<Signup go={go} />);
    await userEvent.type(screen.getByLabelText('Username'), 'alice');
    await userEvent.type(screen.getByLabelText('Email'), 'a@b.c');
    await userEvent.type(screen.getByLabelText('Password'), 'long-enough-pw');
    await userEvent.click(screen.getByRole('button', { name: 'Sign up' }));
    await waitFor(() => expect(go).toHaveBeenCalled());
    expect(body(f)).toEqual({ username: 'alice', email: 'a@b.c', password: 'long-enough-pw' });
    expect(go.mock.calls[0].slice(0, 3)).toEqual(['verify', null, { username: 'alice' }]);
    expect(go.mock.calls[0][3].text).toBe('Account created. We sent a 6-digit code to a@b.c.');
  });

  it('names the outbox folder when the server sends no mail', async () => {
    mockFetch({ 'POST /api/signup': jsonResponse(201, { user: { username: 'alice', email: 'a@b.c', confirmed: false }, outbox: '/srv/imageapp/outbox' }) });
    const go = vi.fn();
    render(<Signup go={go} />);
    await userEvent.type(screen.getByLabelText('Username'), 'alice');
    await userEvent.type(screen.getByLabelText('Email'), 'a@b.c');
    await userEvent.type(screen.getByLabelText('Password'), 'long-enough-pw');
    await userEvent.click(screen.getByRole('button', { name: 'Sign up' }));
    await waitFor(() => expect(go).toHaveBeenCalled());
    expect(go.mock.calls[0][3].text).toContain('its outbox folder, /srv/imageapp/outbox, the newest .eml file');
  });

  it('shows a conflict from the server', async () => {
    mockFetch({ 'POST /api/signup': apiError(409, 'conflict', 'That username is taken.') });
    render(<Signup go={vi.fn()} />);
    await userEvent.type(screen.getByLabelText('Username'), 'alice');
    await userEvent.type(screen.getByLabelText('Email'), 'a@b.c');
    await userEvent.type(screen.getByLabelText('Password'), 'long-enough-pw');
    await userEvent.click(screen.getByRole('button', { name: 'Sign up' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('That username is taken.');
  });
});

describe('Verify', () => {
  it('confirms the code and goes to login', async () => {
    const f = mockFetch({ 'POST /api/verify': jsonResponse(200, { user: { username: 'alice', confirmed: true } }) });
    const go = vi.fn();
    render(<Verify go={go} params={{ username: 'alice' }} />);
    expect(screen.getByLabelText('Username')).toHaveValue('alice');
    await userEvent.type(screen.getByLabelText('Code'), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(go).toHaveBeenCalled());
    expect(body(f)).toEqual({ username: 'alice', code: '123456' });
    expect(go.mock.calls[0][0]).toBe('login');
  });

  it('resends a code and reports rate limits', async () => {
    const f = mockFetch({
      'POST /api/verify/resend': [jsonResponse(202, { sent: true }), apiError(429, 'rate_limited', 'Wait before asking again.', { 'Retry-After': '30' })],
    });
    render(<Verify go={vi.fn()} params={{ username: 'alice' }} />);
    await userEvent.click(screen.getByRole('button', { name: 'Send a new code' }));
    expect(await screen.findByRole('status')).toHaveTextContent('A new code was sent');
    expect(body(f)).toEqual({ username: 'alice' });
    await userEvent.click(screen.getByRole('button', { name: 'Send a new code' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wait before asking again. Try again in 30 s.');
  });

  it('shows a wrong-code error', async () => {
    mockFetch({ 'POST /api/verify': apiError(400, 'invalid', 'That code is not right.') });
    render(<Verify go={vi.fn()} params={{ username: 'alice' }} />);
    await userEvent.type(screen.getByLabelText('Code'), '000000');
    await userEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('That code is not right.');
  });
});

describe('Users', () => {
  it('lists people, searches, and pages', async () => {
    const f = mockFetch({
      'GET /api/users': (url) => {
        const q = new URL(url, 'http://x').searchParams;
        if (q.get('q') === 'bo') return jsonResponse(200, { users: [{ id: '2', username: 'bob' }], next_cursor: '' });
        if (q.get('cursor') === 'c2') return jsonResponse(200, { users: [{ id: '4', username: 'dora' }], next_cursor: '' });
        return jsonResponse(200, { users: [{ id: '2', username: 'bob' }, { id: '3', username: 'cid' }], next_cursor: 'c2' });
      },
    });
    render(<Users params={{}} />);
    expect(await screen.findByText('cid')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Send an image to bob' })).toHaveAttribute('href', '#/send?to=bob');

    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('dora')).toBeInTheDocument();
    expect(screen.getByText('bob')).toBeInTheDocument();

    await userEvent.type(screen.getByLabelText('Search people'), 'bo');
    await waitFor(() => expect(screen.queryByText('cid')).not.toBeInTheDocument());
    expect(screen.getByText('bob')).toBeInTheDocument();
    expect(f.mock.calls.at(-1)[0]).toBe('/api/users?q=bo');
  });
});

const png = (name = 'cat.png', type = 'image/png') => new File([new Uint8Array(3000)], name, { type });
// A file that claims a size without allocating it.
const sized = (size, name = 'big.png', type = 'image/png') => {
  const f = png(name, type);
  Object.defineProperty(f, 'size', { value: size });
  return f;
};
// What /api/me says; 5 MiB here, so nothing can pass by a hard-coded 20 MiB.
const LIMITS = { max_upload_bytes: 5 * 1024 * 1024, max_caption_length: 10, image_types: ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] };

describe('Send', () => {
  it('uploads a chosen file with a progress bar, then goes to Sent', async () => {
    const XHR = installFakeXHR();
    const go = vi.fn();
    render(<Send go={go} params={{ to: 'bob' }} />);
    expect(screen.getByLabelText('To (username)')).toHaveValue('bob');
    await userEvent.upload(screen.getByLabelText('Image file'), png());
    expect(screen.getByTestId('chosen-file')).toHaveTextContent('cat.png');
    await userEvent.type(screen.getByLabelText('Caption (optional)'), 'for you');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));

    const xhr = XHR.instances[0];
    expect(xhr.body.get('to')).toBe('bob');
    expect(xhr.body.get('caption')).toBe('for you');
    expect(xhr.body.get('image').name).toBe('cat.png');
    const bar = screen.getByRole('progressbar');
    expect(bar).toHaveAttribute('aria-valuenow', '0');
    act(() => xhr.progress(60, 100));
    expect(screen.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '60');
    act(() => xhr.progress(100, 100));
    expect(screen.getByRole('progressbar', { name: 'Encrypting and saving…' })).toHaveAttribute('aria-valuenow', '100');
    act(() => xhr.respond(201, { message: { id: 'm1' } }));
    await waitFor(() => expect(go).toHaveBeenCalledWith('sent', null, null, { kind: 'success', text: 'Sent to bob.' }));
  });

  it('says how many images an album sent', async () => {
    const XHR = installFakeXHR();
    const go = vi.fn();
    render(<Send go={go} params={{ to: 'bob' }} />);
    await userEvent.upload(screen.getByLabelText('Image file'), [png('a.png'), png('b.png')]);
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    const album = [{ id: 'm1', album_id: 'al' }, { id: 'm2', album_id: 'al' }];
    act(() => XHR.instances[0].respond(201, { message: album[0], album: { id: 'al', messages: album } }));
    await waitFor(() => expect(go).toHaveBeenCalledWith('sent', null, null, { kind: 'success', text: 'Sent 2 images to bob.' }));
  });

  it('accepts a file dropped on the drop zone and shows a 413 message', async () => {
    const XHR = installFakeXHR();
    render(<Send go={vi.fn()} params={{}} />);
    await userEvent.type(screen.getByLabelText('To (username)'), 'bob');
    const zone = screen.getByTestId('dropzone');
    const file = png('dropped.webp', 'image/webp');
    fireEvent.dragEnter(zone, { dataTransfer: { files: [file], types: ['Files'] } });
    expect(zone).toHaveTextContent('Drop the image to attach it');
    fireEvent.drop(zone, { dataTransfer: { files: [file], types: ['Files'] } });
    expect(screen.getByTestId('chosen-file')).toHaveTextContent('dropped.webp');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(XHR.instances[0].body.get('image').name).toBe('dropped.webp');
    XHR.instances[0].respond(413, { error: { code: 'too_large', message: 'Images can be at most 20 MiB.' } });
    expect(await screen.findByRole('alert')).toHaveTextContent('Images can be at most 20 MiB.');
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Send' })).toBeEnabled();
  });

  it('sends the same form again with the same Idempotency-Key, and a changed one with a new key', async () => {
    const XHR = installFakeXHR();
    render(<Send go={vi.fn()} params={{ to: 'bob' }} />);
    await userEvent.upload(screen.getByLabelText('Image file'), png());
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    const first = XHR.instances[0].requestHeaders['Idempotency-Key'];
    expect(first).toMatch(/^[0-9a-f-]{32,36}$/);
    act(() => XHR.instances[0].fail()); // the answer was lost: the image may be stored already
    expect(await screen.findByRole('alert')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(XHR.instances[1].requestHeaders['Idempotency-Key']).toBe(first);
    act(() => XHR.instances[1].respond(503, { error: { code: 'unavailable', message: 'This server is restarting.' } }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This server is restarting.');

    await userEvent.type(screen.getByLabelText('Caption (optional)'), 'x');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(XHR.instances[2].requestHeaders['Idempotency-Key']).not.toBe(first);
  });

  it('refuses a non-image and a missing file locally', async () => {
    const XHR = installFakeXHR();
    render(<Send go={vi.fn()} params={{ to: 'bob' }} limits={LIMITS} />);
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Choose an image to send.');
    fireEvent.drop(screen.getByTestId('dropzone'), { dataTransfer: { files: [png('notes.pdf', 'application/pdf')] } });
    expect(screen.getByRole('alert')).toHaveTextContent('Only PNG, JPEG, GIF, WebP or AVIF images can be sent.');
    expect(XHR.instances).toHaveLength(0);
  });

  it("refuses a file over the server's limit before uploading, naming the limit in MiB", async () => {
    const XHR = installFakeXHR();
    render(<Send go={vi.fn()} params={{ to: 'bob' }} limits={LIMITS} />);
    expect(screen.getByTestId('upload-hint')).toHaveTextContent('PNG, JPEG, GIF or WebP, up to 5 MiB.');
    expect(screen.getByLabelText('Image file')).toHaveAttribute('accept', 'image/png,image/jpeg,image/gif,image/webp');
    await userEvent.upload(screen.getByLabelText('Image file'), sized(5 * 1024 * 1024 + 1));
    expect(screen.getByRole('alert')).toHaveTextContent('This image is larger than the 5 MiB limit.');
    expect(screen.queryByTestId('chosen-file')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Choose an image to send.');
    await userEvent.upload(screen.getByLabelText('Image file'), sized(5 * 1024 * 1024));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(XHR.instances).toHaveLength(1);
  });

  it("counts the caption against the server's limit and refuses a longer one", async () => {
    const XHR = installFakeXHR();
    render(<Send go={vi.fn()} params={{ to: 'bob' }} limits={LIMITS} />);
    const caption = screen.getByLabelText('Caption (optional)');
    expect(screen.getByTestId('caption-count')).toHaveTextContent('0 / 10 characters');
    await userEvent.upload(screen.getByLabelText('Image file'), png());
    await userEvent.type(caption, '  ten chars!  ');
    // Counted as the server counts: trimmed, in characters.
    expect(screen.getByTestId('caption-count')).toHaveTextContent('10 / 10 characters');
    expect(caption).not.toHaveAttribute('aria-invalid');
    await userEvent.type(caption, 'x'); // the trailing spaces are inside the caption now
    expect(screen.getByTestId('caption-count')).toHaveTextContent('13 / 10 characters');
    expect(caption).toHaveAttribute('aria-invalid', 'true');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Captions can be at most 10 characters.');
    expect(XHR.instances).toHaveLength(0);
  });

  it('without limits (an older server) checks no size locally and guesses none', async () => {
    const XHR = installFakeXHR();
    render(<Send go={vi.fn()} params={{ to: 'bob' }} />);
    expect(screen.queryByTestId('upload-hint')).not.toBeInTheDocument();
    expect(screen.queryByTestId('caption-count')).not.toBeInTheDocument();
    expect(document.body.textContent).not.toMatch(/MiB/);
    await userEvent.upload(screen.getByLabelText('Image file'), sized(64 * 1024 * 1024));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(XHR.instances).toHaveLength(1);
  });

  it('keeps a file dropped beside the zone from navigating the page away', () => {
    render(<Send go={vi.fn()} params={{}} />);
    const ev = new Event('drop', { bubbles: true, cancelable: true });
    ev.dataTransfer = { types: ['Files'], files: [] };
    window.dispatchEvent(ev);
    expect(ev.defaultPrevented).toBe(true);
  });

  it('can cancel an upload', async () => {
    const XHR = installFakeXHR();
    render(<Send go={vi.fn()} params={{ to: 'bob' }} />);
    await userEvent.upload(screen.getByLabelText('Image file'), png());
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(XHR.instances[0].aborted).toBe(true);
    expect(await screen.findByRole('alert')).toHaveTextContent('Upload cancelled.');
  });
});

describe('Inbox', () => {
  it('is one entry per sender, with the newest thumbnail, "N new", unread senders first, opening the conversation', async () => {
    const thumb = 'data:image/jpeg;base64,/9j/2w==';
    const f = mockFetch({
      'GET /api/messages': jsonResponse(200, {
        messages: [
          { ...msg('1', 'bob', { sent: '2025-01-03T00:00:00Z' }), thumbnail: thumb, snippet: 'At the lake' },
          msg('2', 'bob', { sent: '2025-01-02T00:00:00Z' }),
          msg('3', 'ann', { sent: '2025-01-01T00:00:00Z' }),
          msg('4', 'cid', { read: true, sent: '2025-01-09T00:00:00Z' }),
        ],
        next_cursor: '',
        unread: 3,
      }),
    });
    const setUnread = vi.fn();
    render(<Inbox setUnread={setUnread} />);
    const list = await screen.findByRole('list', { name: 'Conversations' });
    const entries = within(list).getAllByRole('link');
    expect(entries.map((a) => a.getAttribute('href'))).toEqual(['#/conversations/bob', '#/conversations/ann', '#/conversations/cid']);
    expect(entries[0]).toHaveAccessibleName(new RegExp(`^Images from ?bob ?At the lake ?${formatDate('2025-01-03T00:00:00Z')} ?2 new$`));
    expect(entries[1]).toHaveTextContent(/^Images from ann Image /); // no caption: the word, as on the server page
    expect(entries[2]).not.toHaveTextContent(/new/);
    // The newest image's thumbnail, as the server sent it (the CSP allows data: images).
    expect((await within(entries[0]).findByTestId('thumb')).getAttribute('src')).toBe(thumb);
    expect(within(entries[1]).getByTestId('thumb-placeholder')).toBeInTheDocument(); // none: a neutral placeholder
    expect(within(entries[0]).getByText(formatDate('2025-01-03T00:00:00Z'))).toBeInTheDocument();
    expect(setUnread).toHaveBeenCalledWith(3);
    expect(f.mock.calls[0][0]).toBe('/api/messages?box=inbox&status=all');

    await userEvent.click(screen.getByRole('button', { name: 'Unread' }));
    await waitFor(() => expect(f.mock.calls.at(-1)[0]).toBe('/api/messages?box=inbox&status=unread'));
  });

  it('says when there is nothing', async () => {
    mockFetch({ 'GET /api/messages': jsonResponse(200, { messages: [], next_cursor: '', unread: 0 }) });
    render(<Inbox setUnread={vi.fn()} />);
    expect(await screen.findByText(/No images yet/)).toBeInTheDocument();
  });
});

describe('Sent', () => {
  it('lists sent messages with "Opened …" or "Delivered"', async () => {
    const f = mockFetch({
      'GET /api/messages': jsonResponse(200, {
        messages: [msg('9', 'me', { to: 'bob', read: true }), msg('8', 'me', { to: 'cid' })],
        next_cursor: '',
        unread: 0,
      }),
    });
    render(<Sent />);
    expect(await screen.findByText(wholeText('To bob'))).toBeInTheDocument();
    expect(screen.getByText('Delivered')).toBeInTheDocument();
    expect(screen.getByText(/^Opened /)).toBeInTheDocument();
    expect(screen.queryByText(/^Read /)).not.toBeInTheDocument();
    expect(f.mock.calls[0][0]).toBe('/api/messages?box=sent&status=all');
  });
});

describe('MessageView', () => {
  const me = { id: 'u-me', username: 'me' };
  const full = { ...msg('m1', 'bob'), caption: 'Look at this', filename: 'cat.png', image_url: '/api/messages/m1/image' };

  it('shows the image, caption and file name, and refreshes the unread count', async () => {
    mockFetch({ 'GET /api/messages/m1': jsonResponse(200, { message: full }) });
    const onOpened = vi.fn();
    render(<MessageView id="m1" me={me} go={vi.fn()} onOpened={onOpened} />);
    const img = await screen.findByRole('img', { name: 'Look at this' });
    expect(img).toHaveAttribute('src', '/api/messages/m1/image');
    expect(screen.getByText(wholeText('From bob'))).toBeInTheDocument();
    expect(screen.getByText('cat.png')).toBeInTheDocument();
    expect(screen.getByText('Look at this', { selector: 'p' })).toBeInTheDocument();
    expect(onOpened).toHaveBeenCalled();
  });

  it('tells its sender whether it was opened', async () => {
    const mine = { ...full, from: { id: 'u-me', username: 'me' }, to: { id: 'u-bob', username: 'bob' } };
    mockFetch({
      'GET /api/messages/m1': [
        jsonResponse(200, { message: { ...mine, read_at: '2025-01-02T10:00:00Z' } }),
        jsonResponse(200, { message: mine }),
      ],
    });
    const { unmount } = render(<MessageView id="m1" me={me} go={vi.fn()} />);
    expect(await screen.findByRole('heading', { name: 'To bob' })).toBeInTheDocument();
    expect(screen.getByText(/Opened/)).toBeInTheDocument();
    unmount();
    render(<MessageView id="m1" me={me} go={vi.fn()} />);
    expect(await screen.findByText(/Delivered/)).toBeInTheDocument();
    expect(screen.queryByText(/\bread\b/i)).not.toBeInTheDocument();
  });

  it('deletes only after a dialog that says it is gone for both, then returns to the inbox', async () => {
    const f = mockFetch({
      'GET /api/messages/m1': jsonResponse(200, { message: full }),
      'DELETE /api/messages/m1': new Response(null, { status: 204 }),
    });
    const go = vi.fn();
    render(<MessageView id="m1" me={me} go={go} />);
    const del = await screen.findByRole('button', { name: 'Delete' });
    await userEvent.click(del);
    const dialog = screen.getByRole('dialog', { name: 'Delete this image for both of you?' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    expect(dialog).toHaveAccessibleDescription('bob and you will no longer be able to see it. This cannot be undone.');
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    expect(f).toHaveBeenCalledTimes(1);

    // Cancel (and Escape) close it, delete nothing, and give focus back.
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(del).toHaveFocus();
    await userEvent.click(del);
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(f).toHaveBeenCalledTimes(1);

    await userEvent.click(del);
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(go).toHaveBeenCalledWith('inbox', null, null, { kind: 'success', text: 'The image was deleted.' }));
    expect(f.mock.calls[1][1].method).toBe('DELETE');
  });

  it('names the recipient in the dialog when its sender deletes it', async () => {
    const mine = { ...full, from: { id: 'u-me', username: 'me' }, to: { id: 'u-cid', username: 'cid' } };
    mockFetch({ 'GET /api/messages/m1': jsonResponse(200, { message: mine }) });
    render(<MessageView id="m1" me={me} go={vi.fn()} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    expect(screen.getByRole('dialog')).toHaveAccessibleDescription(/^cid and you will no longer be able to see it/);
  });

  it('offers Download and, to its recipient, Reply with an image', async () => {
    mockFetch({ 'GET /api/messages/m1': jsonResponse(200, { message: full }) });
    render(<MessageView id="m1" me={me} go={vi.fn()} />);
    expect(await screen.findByRole('link', { name: 'Download' })).toHaveAttribute('href', '/api/messages/m1/image?download=1');
    expect(screen.getByRole('link', { name: 'Reply with an image' })).toHaveAttribute('href', '#/send?to=bob');
  });

  it('says when the message is gone', async () => {
    mockFetch({ 'GET /api/messages/zz': apiError(404, 'not_found', 'Not found.') });
    render(<MessageView id="zz" me={me} go={vi.fn()} />);
    expect(await screen.findByRole('alert')).toHaveTextContent('does not exist or was deleted');
  });
});
