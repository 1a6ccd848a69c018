import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import BrowserNotifications from '../src/screens/BrowserNotifications.jsx';
import { PUSH_WORDS } from '../src/screens/PushToggle.jsx';
import { apiError, jsonResponse, mockFetch } from './helpers.js';

const LABEL = 'Also when no tab is open';

// A browser with Web Push: a service worker container whose registration subscribes.
function fakePushBrowser() {
  const sub = {
    endpoint: 'https://push.example/t-1',
    toJSON: () => ({ endpoint: 'https://push.example/t-1', keys: { p256dh: 'BKey', auth: 'AuthSecret' } }),
    unsubscribe: vi.fn(async () => true),
  };
  let current = null;
  const reg = {
    pushManager: {
      getSubscription: vi.fn(async () => current),
      subscribe: vi.fn(async () => {
        current = sub;
        return sub;
      }),
    },
  };
  const sw = {
    register: vi.fn(async () => reg),
    ready: Promise.resolve(reg),
    getRegistration: vi.fn(async () => (current ? reg : undefined)),
  };
  vi.stubGlobal('PushManager', function PushManager() {});
  Object.defineProperty(navigator, 'serviceWorker', { value: sw, configurable: true });
  vi.stubGlobal('Notification', { permission: 'granted', requestPermission: async () => 'granted' });
  return { sw, reg, sub };
}

beforeEach(() => localStorage.clear());
afterEach(() => {
  vi.unstubAllGlobals();
  delete navigator.serviceWorker;
});

describe('Also when no tab is open', () => {
  it('is not shown where the browser has no Web Push', () => {
    vi.stubGlobal('Notification', { permission: 'default' });
    render(<BrowserNotifications />);
    expect(screen.queryByLabelText(LABEL)).toBeNull();
  });

  it('registers /sw.js at the root for React, subscribes with the VAPID key, and unsubscribes when turned off', async () => {
    const { sw, reg, sub } = fakePushBrowser();
    const fetch = mockFetch({
      'GET /api/push/key': jsonResponse(200, { key: 'AQID' }),
      'POST /api/me/push': new Response(null, { status: 204 }),
      'DELETE /api/me/push': new Response(null, { status: 204 }),
    });
    render(<BrowserNotifications />);
    const box = await screen.findByLabelText(LABEL);
    expect(box.checked).toBe(false);
    await userEvent.click(box);
    await waitFor(() => expect(screen.getByText(PUSH_WORDS.on)).toBeTruthy());
    expect(sw.register).toHaveBeenCalledWith('/sw.js?client=react', { scope: '/' });
    const opts = reg.pushManager.subscribe.mock.calls[0][0];
    expect(opts.userVisibleOnly).toBe(true);
    expect([...opts.applicationServerKey]).toEqual([1, 2, 3]);
    const post = fetch.mock.calls.find(([url, init]) => url === '/api/me/push' && init.method === 'POST');
    expect(JSON.parse(post[1].body)).toEqual({ endpoint: 'https://push.example/t-1', keys: { p256dh: 'BKey', auth: 'AuthSecret' } });
    expect(box.checked).toBe(true);

    await userEvent.click(box);
    await waitFor(() => expect(box.checked).toBe(false));
    const del = fetch.mock.calls.find(([url, init]) => url === '/api/me/push' && init.method === 'DELETE');
    expect(JSON.parse(del[1].body)).toEqual({ endpoint: 'https://push.example/t-1' });
    expect(sub.unsubscribe).toHaveBeenCalled();
  });

  it('says so when the server has no push set up', async () => {
    const { sw } = fakePushBrowser();
    mockFetch({ 'GET /api/push/key': apiError(404, 'not_found', 'Notifications with no tab open are not set up on this server.') });
    render(<BrowserNotifications />);
    await userEvent.click(await screen.findByLabelText(LABEL));
    await waitFor(() => expect(screen.getByText(PUSH_WORDS.unset)).toBeTruthy());
    expect(sw.register).not.toHaveBeenCalled();
  });
});
