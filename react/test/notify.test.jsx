import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import BrowserNotifications, { NOTIFY_WORDS } from '../src/screens/BrowserNotifications.jsx';
import { NOTIFY_KEY, notifyImage, notifyState } from '../src/lib/notify.js';

// A stand-in for the browser's Notification: records what is shown; requestPermission
// waits for the test's answer.
function fakeNotification(permission) {
  class Fake {
    static permission = permission;
    static shown = [];
    static answer = null;
    static requestPermission() {
      return new Promise((resolve) => {
        Fake.answer = (p) => {
          Fake.permission = p;
          resolve(p);
        };
      });
    }
    constructor(title, opts) {
      Object.assign(this, { title, ...opts });
      Fake.shown.push(this);
    }
    close() {}
  }
  vi.stubGlobal('Notification', Fake);
  return Fake;
}

beforeEach(() => localStorage.clear());
afterEach(() => vi.unstubAllGlobals());

describe('notifyImage', () => {
  it('shows nothing until this browser turned notifications on', () => {
    const N = fakeNotification('granted');
    notifyImage({ kind: 'message', from: 'alice' }, () => {});
    expect(N.shown).toHaveLength(0);
    expect(notifyState()).toBe('off');
  });

  it('names the sender only, tags by sender, and a click opens the conversation', () => {
    const N = fakeNotification('granted');
    localStorage.setItem(NOTIFY_KEY, 'on');
    const open = vi.fn();
    vi.spyOn(window, 'focus').mockImplementation(() => {});
    notifyImage({ kind: 'message', from: 'alice', id: 'm1', unread: 1 }, open);
    notifyImage({ kind: 'read', from: 'alice' }, open);
    notifyImage({ kind: 'request', from: 'eve' }, open);
    expect(N.shown).toHaveLength(1);
    const n = N.shown[0];
    expect(n.title).toBe('New image from alice');
    expect(n.tag).toBe('from:alice');
    expect(n.body).toBeUndefined();
    expect(n.image).toBeUndefined();
    n.onclick();
    expect(open).toHaveBeenCalledWith('alice');
    expect(window.focus).toHaveBeenCalled();
  });

  it('is blocked when the browser refuses, whatever was chosen', () => {
    fakeNotification('denied');
    localStorage.setItem(NOTIFY_KEY, 'on');
    expect(notifyState()).toBe('blocked');
  });
});

describe('BrowserNotifications', () => {
  it('goes off, asked, on, and off again', async () => {
    const N = fakeNotification('default');
    render(<BrowserNotifications />);
    expect(screen.getByRole('status')).toHaveTextContent(NOTIFY_WORDS.off);
    await userEvent.click(screen.getByRole('button', { name: 'Turn on notifications' }));
    expect(screen.getByRole('status')).toHaveTextContent(NOTIFY_WORDS.asked);
    N.answer('granted');
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent(NOTIFY_WORDS.on));
    expect(localStorage.getItem(NOTIFY_KEY)).toBe('on');
    await userEvent.click(screen.getByRole('button', { name: 'Turn off notifications' }));
    expect(screen.getByRole('status')).toHaveTextContent(NOTIFY_WORDS.off);
    expect(localStorage.getItem(NOTIFY_KEY)).toBe('off');
  });

  it('a refusal leaves it blocked, with no button', async () => {
    const N = fakeNotification('default');
    render(<BrowserNotifications />);
    await userEvent.click(screen.getByRole('button', { name: 'Turn on notifications' }));
    N.answer('denied');
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent(NOTIFY_WORDS.blocked));
    expect(screen.queryByRole('button')).toBeNull();
    expect(localStorage.getItem(NOTIFY_KEY)).toBe('off');
  });

  it('says when the browser has no notifications', () => {
    vi.stubGlobal('Notification', undefined);
    render(<BrowserNotifications />);
    expect(screen.getByRole('status')).toHaveTextContent(NOTIFY_WORDS.unsupported);
  });
});
