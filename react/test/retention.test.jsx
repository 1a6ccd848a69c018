// Expiry and view-once (issue 19 item 1): the Keep choice on the Send screen,
// the "Opens once" / "Gone in …" badges in lists, and opening a view-once
// image, its only time, from the message screen.

import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import * as api from '../src/api/client.js';
import { expiresIn, retentionLabel } from '../src/lib/retention.js';
import Send from '../src/screens/Send.jsx';
import Sent from '../src/screens/Sent.jsx';
import Conversation from '../src/screens/Conversation.jsx';
import MessageView from '../src/screens/MessageView.jsx';
import { apiError, installFakeXHR, jsonResponse, mockFetch, msg, wholeText } from './helpers.js';

const MIN = 60 * 1000;
const HOUR = 60 * MIN;
const inFuture = (ms) => new Date(Date.now() + ms).toISOString();
const png = () => new File([new Uint8Array(3000)], 'cat.png', { type: 'image/png' });

describe('expiresIn (the words of views/retention.templ)', () => {
  const now = Date.parse('2025-01-01T12:00:00Z');
  const at = (ms) => new Date(now + ms).toISOString();

  it('counts down in minutes, hours, then days', () => {
    expect(expiresIn(at(30 * 1000), now)).toBe('Gone in a minute');
    expect(expiresIn(at(MIN), now)).toBe('Gone in a minute');
    expect(expiresIn(at(59 * MIN + 59 * 1000), now)).toBe('Gone in 59 min');
    expect(expiresIn(at(HOUR), now)).toBe('Gone in 1 h');
    expect(expiresIn(at(47 * HOUR + 59 * MIN), now)).toBe('Gone in 47 h');
    expect(expiresIn(at(48 * HOUR), now)).toBe('Gone in 2 days');
    expect(expiresIn(at(7 * 24 * HOUR), now)).toBe('Gone in 7 days');
    expect(expiresIn(at(-HOUR), now)).toBe('Gone in a minute');
    expect(expiresIn(null, now)).toBe('');
  });

  it('labels view-once first, then an expiry, else nothing', () => {
    expect(retentionLabel({ view_once: true, expires_at: null }, now)).toBe('Opens once');
    expect(retentionLabel({ view_once: false, expires_at: at(2 * HOUR) }, now)).toBe('Gone in 2 h');
    expect(retentionLabel({ view_once: false, expires_at: null }, now)).toBe('');
  });
});

describe('api', () => {
  it('sends keep before the file', async () => {
    const XHR = installFakeXHR();
    api.sendMessage({ to: 'bob', file: png(), caption: 'hi', keep: 'once' });
    const form = XHR.instances[0].body;
    expect(form.get('keep')).toBe('once');
    const names = [...form.keys()];
    expect(names.indexOf('keep')).toBeLessThan(names.indexOf('image'));
  });

  it('opens a view-once image with a POST to …/view, sending no body', async () => {
    const reply = { message: { id: 'm1', caption: 'hi' }, image: 'data:image/png;base64,AAAA' };
    const f = mockFetch({ 'POST /api/messages/m1/view': jsonResponse(200, reply) });
    expect(await api.viewOnce('m1')).toEqual(reply);
    const [, init] = f.mock.calls[0];
    expect(init).toMatchObject({ method: 'POST', credentials: 'same-origin' });
    expect(init.body).toBeUndefined();
  });
});

describe('Send: Keep', () => {
  it('offers the five choices with the hint, keeps until deleted by default, and sends the choice', async () => {
    const XHR = installFakeXHR();
    render(<Send go={vi.fn()} params={{ to: 'bob' }} />);
    const keep = screen.getByRole('combobox', { name: 'Keep' });
    expect(keep).toHaveValue('keep');
    expect(within(keep).getAllByRole('option').map((o) => [o.value, o.textContent])).toEqual([
      ['keep', 'Until deleted'],
      ['1h', '1 hour'],
      ['1d', '1 day'],
      ['7d', '7 days'],
      ['once', 'View once'],
    ]);
    expect(keep).toHaveAccessibleDescription('When its time is up, or once viewed, the image is gone for good for both of you.');

    await userEvent.upload(screen.getByLabelText('Image file'), png());
    await userEvent.selectOptions(keep, 'View once');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(XHR.instances[0].body.get('keep')).toBe('once');
  });
});

describe('lists', () => {
  const once = { ...msg('m1', 'me', { to: 'bob' }), view_once: true, expires_at: null };
  const hour = { ...msg('m2', 'me', { to: 'bob' }), view_once: false, expires_at: inFuture(59 * MIN + 30 * 1000) };
  const kept = { ...msg('m3', 'me', { to: 'bob' }), view_once: false, expires_at: null };

  it('Sent marks an image that opens once and one that expires', async () => {
    mockFetch({ 'GET /api/messages': jsonResponse(200, { messages: [once, hour, kept], next_cursor: '', unread: 0 }) });
    render(<Sent />);
    const rows = within(await screen.findByRole('list', { name: 'Sent messages' })).getAllByRole('listitem');
    expect(rows[0]).toHaveTextContent('Opens once');
    expect(rows[1]).toHaveTextContent('Gone in 59 min');
    expect(within(rows[2]).queryByTestId('retention')).not.toBeInTheDocument();
  });

  it('the conversation marks its bubbles, for sight and for screen readers', async () => {
    const me = { id: 'u-me', username: 'me' };
    mockFetch({
      'GET /api/conversations/bob': jsonResponse(200, { with: { id: 'u-bob', username: 'bob' }, messages: [kept, hour, once], next_cursor: '' }),
    });
    render(<Conversation username="bob" me={me} />);
    const items = within(await screen.findByRole('list', { name: 'Images with bob' })).getAllByRole('listitem');
    expect(within(items[0]).queryByTestId('retention')).not.toBeInTheDocument();
    expect(within(items[1]).getByTestId('retention')).toHaveTextContent('Gone in 59 min');
    expect(within(items[2]).getByTestId('retention')).toHaveTextContent('Opens once');
    expect(within(items[2]).getByRole('link')).toHaveAccessibleName(/^Image you sent, Opens once, /);
  });
});

describe('MessageView: view once', () => {
  const me = { id: 'u-me', username: 'me' };
  // What GET /api/messages/{id} gives of a view-once image: nothing of it.
  const fromBob = { ...msg('m1', 'bob'), view_once: true, expires_at: null, caption: '', filename: '', image_url: '' };
  const toCid = { ...fromBob, from: { id: 'u-me', username: 'me' }, to: { id: 'u-cid', username: 'cid' } };
  const viewed = { message: { ...fromBob, caption: 'Just this once', filename: 'cat.png' }, image: 'data:image/png;base64,iVBORw0KGgo=' };

  it('shows its recipient no image, only "Open it now"; opening shows it once, already deleted', async () => {
    const f = mockFetch({
      'GET /api/messages/m1': jsonResponse(200, { message: fromBob }),
      'POST /api/messages/m1/view': jsonResponse(200, viewed),
    });
    vi.stubGlobal('URL', Object.assign(class extends URL {}, { createObjectURL: vi.fn(() => 'blob:once'), revokeObjectURL: vi.fn() }));
    const onOpened = vi.fn();
    const { unmount } = render(<MessageView id="m1" me={me} go={vi.fn()} onOpened={onOpened} />);
    expect(await screen.findByText('This image opens once.')).toBeInTheDocument();
    expect(screen.getByText('Open it when you are ready: once you leave it, it is gone for good, for both of you.')).toBeInTheDocument();
    expect(screen.queryByRole('img')).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Download' })).not.toBeInTheDocument();
    expect(screen.queryByText('File name')).not.toBeInTheDocument();
    expect(f).toHaveBeenCalledTimes(1); // the GET: nothing opened yet

    onOpened.mockClear();
    await userEvent.click(screen.getByRole('button', { name: 'Open it now' }));
    expect(await screen.findByRole('heading', { name: 'From bob, once' })).toHaveFocus();
    expect(f.mock.calls[1][0]).toBe('/api/messages/m1/view');
    expect(f.mock.calls[1][1].method).toBe('POST');
    expect(screen.getByText('This image is already deleted: when you leave this page it is gone for good.')).toBeInTheDocument();
    // The data: URL becomes a blob: URL a moment after the heading shows.
    expect(await screen.findByRole('img', { name: 'Image from bob' })).toHaveAttribute('src', 'blob:once');
    expect(screen.getByText('Just this once')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Delete' })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Download' })).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: '← All images with bob' })).toHaveAttribute('href', '#/conversations/bob');
    expect(onOpened).toHaveBeenCalled();
    unmount();
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:once'); // leaving drops the only copy
  });

  it('tells its sender only the recipient can open it, once', async () => {
    mockFetch({ 'GET /api/messages/m1': jsonResponse(200, { message: toCid }) });
    render(<MessageView id="m1" me={me} go={vi.fn()} />);
    expect(await screen.findByText('This image opens once.')).toBeInTheDocument();
    expect(screen.getByText(wholeText('Only cid can open it, once; then it is gone for good. You cannot open it.'))).toBeInTheDocument();
    expect(screen.getByText(/Delivered/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Open it now' })).not.toBeInTheDocument();
    expect(screen.queryByRole('img')).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Download' })).not.toBeInTheDocument();
  });

  it('says so when it was viewed meanwhile, and offers nothing to open', async () => {
    mockFetch({
      'GET /api/messages/m1': jsonResponse(200, { message: fromBob }),
      'POST /api/messages/m1/view': apiError(410, 'viewed_once', 'This image was viewed once and is gone.'),
    });
    render(<MessageView id="m1" me={me} go={vi.fn()} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Open it now' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This image was viewed once and is gone.');
    expect(screen.queryByRole('button', { name: 'Open it now' })).not.toBeInTheDocument();
  });
});

describe('MessageView: expiry', () => {
  const me = { id: 'u-me', username: 'me' };

  it('says when an expiring image is gone', async () => {
    const m = { ...msg('m1', 'bob'), view_once: false, expires_at: inFuture(23 * HOUR + 30 * MIN), caption: '', filename: 'a.png', image_url: '/api/messages/m1/image' };
    mockFetch({ 'GET /api/messages/m1': jsonResponse(200, { message: m }) });
    render(<MessageView id="m1" me={me} go={vi.fn()} />);
    expect(await screen.findByText(/Gone in 23 h/)).toBeInTheDocument();
  });

  it("shows the server's words for an expired image", async () => {
    mockFetch({ 'GET /api/messages/m1': apiError(404, 'not_found', 'This image has expired and is gone for good.') });
    render(<MessageView id="m1" me={me} go={vi.fn()} />);
    expect(await screen.findByRole('alert')).toHaveTextContent('This image has expired and is gone for good.');
  });
});

describe('MessageView: a plain 404', () => {
  it('still says the message does not exist when the server gives no reason', async () => {
    mockFetch({ 'GET /api/messages/zz': new Response('', { status: 404 }) });
    render(<MessageView id="zz" me={{ id: 'u-me', username: 'me' }} go={vi.fn()} />);
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('This message does not exist or was deleted.'));
  });
});
