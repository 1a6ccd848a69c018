// Web Push for the React client, as the pages' static/push.js does: register /sw.js at the
// root (marked ?client=react, so a click opens the React route of the conversation),
// subscribe with the app's VAPID key and give the server the subscription.
import { request } from '../api/client.js';

function keyBytes(b64) {
  const s = atob(b64.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((b64.length + 3) % 4));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export async function currentSubscription() {
  const reg = await navigator.serviceWorker.getRegistration('/');
  return reg ? reg.pushManager.getSubscription() : null;
}

// subscribePush resolves to 'on', or 'blocked' when the person refuses notifications; it
// throws the server's ApiError (a 404: push is not set up there) or the browser's error.
export async function subscribePush() {
  const { key } = await request('GET', '/api/push/key');
  const N = globalThis.Notification;
  const permission = N.permission === 'granted' ? 'granted' : await N.requestPermission();
  if (permission !== 'granted') return 'blocked';
  await navigator.serviceWorker.register('/sw.js?client=react', { scope: '/' });
  const reg = await navigator.serviceWorker.ready;
  const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
  await request('POST', '/api/me/push', { body: sub.toJSON() });
  return 'on';
}

export async function unsubscribePush() {
  const sub = await currentSubscription();
  if (!sub) return;
  await request('DELETE', '/api/me/push', { body: { endpoint: sub.endpoint } });
  await sub.unsubscribe();
}
