import { lazy, Suspense, useState } from 'react';
import { Button, Card } from '../components/ui.jsx';
import { chooseNotify, notifyState, turnOnNotify } from '../lib/notify.js';

const PushToggle = lazy(() => import('./PushToggle.jsx')); // Web Push: its own chunk

// canPush: Web Push's feature check; where it fails, its toggle is not shown.
const canPush = () => 'PushManager' in window && 'serviceWorker' in navigator && 'Notification' in window;

// The server pages' words (views/notify.templ, static/notify.js), word for word.
export const NOTIFY_WORDS = {
  unsupported: 'This browser cannot show notifications.',
  blocked:
    "Blocked: this browser refuses notifications from this site. Allow them in the browser's site settings, then come back.",
  on: "On: while a tab of ImageApp is open, a new image shows a notification with the sender's name only.",
  asked: "Answer your browser's question to turn notifications on.",
  off: 'Off.',
};

// The Account screen's "Notifications on this device": turn system notifications for new
// images on or off for this browser (lib/notify.js keeps the choice).
export default function BrowserNotifications() {
  const [state, setState] = useState(notifyState);

  async function turnOn() {
    setState('asked');
    try {
      setState(await turnOnNotify());
    } catch {
      setState(notifyState());
    }
  }

  return (
    <Card aria-labelledby="browser-notifications-heading" data-state={state}>
      <h2 id="browser-notifications-heading" className="text-lg font-semibold text-slate-900">
        Notifications on this device
      </h2>
      <p className="mt-2 text-sm text-slate-600">
        While a tab of ImageApp is open, your computer or phone shows a notification when an image arrives. It names the
        sender, never the caption or the image; several from one person show as one.
      </p>
      <p className="mt-4 text-sm" role="status">
        {NOTIFY_WORDS[state]}
      </p>
      {(state === 'off' || state === 'on') && (
        <div className="mt-4 flex flex-wrap gap-3">
          {state === 'off' ? (
            <Button onClick={turnOn}>Turn on notifications</Button>
          ) : (
            <Button
              variant="secondary"
              onClick={() => {
                chooseNotify(false);
                setState(notifyState());
              }}
            >
              Turn off notifications
            </Button>
          )}
        </div>
      )}
      {canPush() && (
        <Suspense fallback={null}>
          <PushToggle />
        </Suspense>
      )}
    </Card>
  );
}
