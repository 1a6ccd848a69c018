import { useEffect, useState } from 'react';
import { currentSubscription, subscribePush, unsubscribePush } from '../lib/push.js';

// The pages' words (static/push.js), word for word.
export const PUSH_WORDS = {
  on: 'On: a new image shows a notification even with no ImageApp tab open.',
  off: '',
  working: 'One moment…',
  blocked: "Blocked: allow notifications for this site in the browser's settings first.",
  unset: 'Notifications with no tab open are not set up on this server.',
  failed: 'This browser could not subscribe. Try again later.',
};

// "Also when no tab is open" on the Account screen's notification card: Web Push. Its own
// chunk (lazy), shown only where canPush() holds.
export default function PushToggle() {
  const [state, setState] = useState('off');
  const [detail, setDetail] = useState('');

  useEffect(() => {
    let live = true;
    currentSubscription().then(
      (sub) => live && setState(sub ? 'on' : 'off'),
      () => live && setState('off'),
    );
    return () => {
      live = false;
    };
  }, []);

  async function change(on) {
    setState('working');
    setDetail('');
    try {
      if (on) setState(await subscribePush());
      else {
        await unsubscribePush();
        setState('off');
      }
    } catch (e) {
      if (e.status === 404) setState('unset');
      else {
        setState('failed');
        if (e.status) setDetail(e.message);
      }
    }
  }

  return (
    <div className="mt-4 flex items-start gap-3" data-push data-state={state}>
      <input
        type="checkbox"
        id="push-toggle"
        checked={state === 'on'}
        disabled={state === 'working'}
        onChange={(e) => change(e.target.checked)}
        aria-describedby="push-hint"
        className="mt-0.5 size-5 shrink-0 rounded border-slate-300 accent-indigo-600 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2"
      />
      <div className="min-w-0">
        <label htmlFor="push-toggle" className="text-sm font-medium text-slate-900">
          Also when no tab is open
        </label>
        <p id="push-hint" className="mt-0.5 text-sm text-slate-600">
          This browser keeps a small helper that shows the notification (the sender&apos;s name only) with every
          ImageApp tab closed.
        </p>
        <p className="mt-1 text-sm" role="status">
          {detail || PUSH_WORDS[state]}
        </p>
      </div>
    </div>
  );
}
