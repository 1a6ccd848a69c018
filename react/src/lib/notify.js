// System notifications for new images while a tab of the site is open, from the live
// stream (live.js), as the server pages do (static/notify.js). Never asked on load: the
// Account screen's "Turn on notifications" asks for the permission. The choice belongs to
// this browser, so it is kept in localStorage under the pages' key: turned on in either
// client, it is on in both.
export const NOTIFY_KEY = 'imageapp-notify';

function chosen() {
  try {
    return localStorage.getItem(NOTIFY_KEY) === 'on';
  } catch {
    return false; // no localStorage: notifications stay off
  }
}

export function chooseNotify(on) {
  try {
    localStorage.setItem(NOTIFY_KEY, on ? 'on' : 'off');
  } catch {
    // private mode without storage: the choice lasts for this screen only
  }
}

// notifyState: 'unsupported' | 'blocked' | 'on' | 'off' (the card adds 'asked' while the
// browser's question is open).
export function notifyState() {
  const N = globalThis.Notification;
  if (!N) return 'unsupported';
  if (N.permission === 'denied') return 'blocked';
  if (N.permission === 'granted' && chosen()) return 'on';
  return 'off';
}

// turnOnNotify asks the browser, keeps the answer, and resolves to the new state.
export async function turnOnNotify() {
  const answer = await globalThis.Notification.requestPermission();
  chooseNotify(answer === 'granted');
  return notifyState();
}

// notifyImage shows a live inbox event's new image: the sender's name only (never the
// caption or the image), tagged with the sender so several from one person replace each
// other; a click focuses the tab and opens the conversation (open(from)).
export function notifyImage(data, open) {
  if (data.kind !== 'message' || !data.from || notifyState() !== 'on') return;
  const n = new globalThis.Notification(`New image from ${data.from}`, { tag: `from:${data.from}`, renotify: true });
  n.onclick = () => {
    window.focus();
    open(data.from);
    n.close();
  };
}
