import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, render, renderHook, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import App from '../src/App.jsx';
import { DOWN_AFTER_MS, EVENTS_URL, FALLBACK_MS, useLiveEvents } from '../src/lib/live.js';
import { jsonResponse, mockFetch, msg } from './helpers.js';

// A stand-in for the browser's EventSource, driven by the tests.
class FakeEventSource {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSED = 2;
  static instances = [];

  constructor(url) {
    this.url = url;
    this.readyState = FakeEventSource.CONNECTING;
    this.listeners = {};
    this.onerror = null;
    FakeEventSource.instances.push(this);
  }

  addEventListener(type, fn) {
    (this.listeners[type] ||= []).push(fn);
  }

  close() {
    this.readyState = FakeEventSource.CLOSED;
    this.closed = true;
  }

  // --- drivers ---
  emit(type, data = {}) {
    this.readyState = FakeEventSource.OPEN;
    act(() => {
      for (const fn of this.listeners[type] || []) fn(new MessageEvent(type, { data: JSON.stringify(data) }));
    });
  }

  fail({ closed = false } = {}) {
    this.readyState = closed ? FakeEventSource.CLOSED : FakeEventSource.CONNECTING;
    act(() => this.onerror?.(new Event('error')));
  }

  static latest() {
    return FakeEventSource.instances[FakeEventSource.instances.length - 1];
  }
}

const me = { id: 'u-me', username: 'me', email: 'me@example.com' };
const page = (messages, unread) => jsonResponse(200, { messages, next_cursor: '', unread });

beforeEach(() => {
  FakeEventSource.instances = [];
  vi.stubGlobal('EventSource', FakeEventSource);
});

afterEach(() => {
  document.title = '';
});

describe('the live inbox', () => {
  it('shows a new message as it arrives, with the nav count and the tab title', async () => {
    const f = mockFetch({
      'GET /api/me': jsonResponse(200, { user: me, unread: 0 }),
      'GET /api/messages': [page([], 0), page([msg('m1', 'bob')], 1)],
    });
    render(<App />);
    expect(await screen.findByText(/No images yet/)).toBeInTheDocument();
    const es = FakeEventSource.latest();
    expect(es.url).toBe(EVENTS_URL);
    es.emit('hello', { unread: 0 });
    expect(screen.getByTestId('live-status')).toHaveTextContent('New images appear here as they arrive.');
    expect(document.title).toBe('Inbox · ImageApp');

    es.emit('inbox', { kind: 'message', id: 'm1', from: 'bob', unread: 1 });
    expect(await screen.findByRole('link', { name: /Images from ?bob/ })).toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByLabelText('1 unread')).toHaveTextContent('1');
    expect(document.title).toBe('(1) Inbox · ImageApp');
    // The list was reloaded in place, not emptied first: no "Loading" in between.
    expect(f.mock.calls.filter(([url]) => String(url).startsWith('/api/messages')).length).toBe(2);
  });

  it('tells the Sent view that a message was opened', async () => {
    window.location.hash = '#/sent';
    mockFetch({
      'GET /api/me': jsonResponse(200, { user: me, unread: 0 }),
      'GET /api/messages': [page([msg('m1', 'me', { to: 'bob' })], 0), page([msg('m1', 'me', { to: 'bob', read: true })], 0)],
    });
    render(<App />);
    expect(await screen.findByText('Delivered')).toBeInTheDocument();
    FakeEventSource.latest().emit('sent', { kind: 'opened', id: 'm1' });
    expect(await screen.findByText(/^Opened /)).toBeInTheDocument();
    expect(screen.queryByText('Delivered')).not.toBeInTheDocument();
  });

  it('reloads the inbox when Inbox is clicked while on it', async () => {
    const f = mockFetch({
      'GET /api/me': jsonResponse(200, { user: me, unread: 0 }),
      'GET /api/messages': [page([], 0), page([msg('m1', 'bob')], 1)],
    });
    render(<App />);
    expect(await screen.findByText(/No images yet/)).toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    await userEvent.click(within(nav).getByRole('link', { name: /Inbox/ }));
    expect(await screen.findByRole('link', { name: /Images from ?bob/ })).toBeInTheDocument();
    expect(f.mock.calls.filter(([url]) => String(url).startsWith('/api/messages')).length).toBe(2);
  });

  it('says when live updates are unavailable', async () => {
    mockFetch({
      'GET /api/me': jsonResponse(200, { user: me, unread: 0 }),
      'GET /api/messages': page([], 0),
    });
    render(<App />);
    expect(await screen.findByText(/No images yet/)).toBeInTheDocument();
    expect(screen.queryByTestId('live-status')).not.toBeInTheDocument(); // connecting: no flicker
    FakeEventSource.latest().emit('unavailable');
    expect(screen.getByTestId('live-status')).toHaveTextContent('Live updates are unavailable right now; this list refreshes every 15 seconds.');
  });

  it('closes the stream on logout', async () => {
    mockFetch({
      'GET /api/me': jsonResponse(200, { user: me, unread: 0 }),
      'GET /api/messages': page([], 0),
      'POST /api/logout': new Response(null, { status: 204 }),
    });
    render(<App />);
    expect(await screen.findByText(/No images yet/)).toBeInTheDocument();
    const es = FakeEventSource.latest();
    await userEvent.click(screen.getByRole('button', { name: 'Log out' }));
    await waitFor(() => expect(es.closed).toBe(true));
    expect(FakeEventSource.instances.length).toBe(1);
  });
});

describe('useLiveEvents', () => {
  beforeEach(() => vi.useFakeTimers());

  it('counts as down only when a dropped stream stays away, and refreshes meanwhile', () => {
    const { result } = renderHook(() => useLiveEvents(true, () => {}));
    const es = FakeEventSource.latest();
    es.emit('hello', { unread: 0 });
    expect(result.current.status).toBe('live');
    es.fail(); // EventSource reconnects by itself
    act(() => vi.advanceTimersByTime(DOWN_AFTER_MS - 100));
    expect(result.current.status).toBe('live');
    es.emit('hello', { unread: 0 }); // back in time: never "down"
    act(() => vi.advanceTimersByTime(DOWN_AFTER_MS));
    expect(result.current.status).toBe('live');
    const before = result.current.inbox;
    act(() => vi.advanceTimersByTime(FALLBACK_MS));
    expect(result.current.inbox).toBe(before); // live: no polling

    es.fail();
    act(() => vi.advanceTimersByTime(DOWN_AFTER_MS));
    expect(result.current.status).toBe('down');
    act(() => vi.advanceTimersByTime(FALLBACK_MS));
    expect(result.current.inbox).toBe(before + 1); // down: the fallback refresh
    expect(result.current.sent).toBeGreaterThan(0);
  });

  it('tries again later when the server refuses the stream', () => {
    const { result, unmount } = renderHook(() => useLiveEvents(true, () => {}));
    FakeEventSource.latest().fail({ closed: true });
    expect(result.current.status).toBe('down');
    expect(FakeEventSource.instances.length).toBe(1);
    act(() => vi.advanceTimersByTime(FALLBACK_MS));
    expect(FakeEventSource.instances.length).toBe(2);
    unmount();
    expect(FakeEventSource.latest().closed).toBe(true);
    act(() => vi.advanceTimersByTime(10 * FALLBACK_MS));
    expect(FakeEventSource.instances.length).toBe(2);
  });

  it('passes each event\'s unread count on, and connects only when signed in', () => {
    const counts = [];
    const { rerender } = renderHook(({ on }) => useLiveEvents(on, (n) => counts.push(n)), { initialProps: { on: false } });
    expect(FakeEventSource.instances.length).toBe(0);
    rerender({ on: true });
    const es = FakeEventSource.latest();
    es.emit('hello', { unread: 2 });
    es.emit('inbox', { kind: 'read', unread: 1 });
    expect(counts).toEqual([2, 1]);
  });
});
