import { useId, useState } from 'react';
import { getPrivacy, setPrivacy } from '../api/client.js';
import { Alert, Button, Card, Loading, errorText } from '../components/ui.jsx';
import { useLoad } from '../lib/useLoad.js';

// The server settings page's "Email notifications" switch: on (the default), each image
// sent to you is also mailed to you; off, no email comes, and the inbox still updates live.
// It saves only notify_by_mail, so the privacy card's settings stay as they are.
export default function MailNotifications({ email }) {
  const id = useId();
  const [saved, setSaved] = useState(null); // what the server has
  const [on, setOn] = useState(null); // what the box says
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);

  useLoad(getPrivacy, (r) => (setSaved(r.privacy.notify_by_mail !== false), setOn(r.privacy.notify_by_mail !== false)), setError, []);

  async function onSubmit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const r = await setPrivacy({ notify_by_mail: on });
      setSaved(r.privacy.notify_by_mail);
      setOn(r.privacy.notify_by_mail);
      setNotice('Email notification setting saved.');
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  }

  return (
    <Card aria-labelledby="mail-heading">
      <h2 id="mail-heading" className="text-lg font-semibold text-slate-900">
        Email notifications
      </h2>
      {on === null && !error && <Loading />}
      {on !== null && (
        <>
          <p className="mt-2 text-sm text-slate-600">
            {saved ? (
              `When someone sends you an image, we email ${email || 'you'} a link to it.`
            ) : (
              <>
                <span className="font-semibold text-slate-800">Off.</span> We do not email you when someone sends you an
                image.
              </>
            )}
          </p>
          <form className="mt-4 space-y-4" onSubmit={onSubmit}>
            <div className="flex items-start gap-3">
              <input
                type="checkbox"
                id={id}
                name="notify_by_mail"
                checked={on}
                onChange={(e) => (setNotice(null), setOn(e.target.checked))}
                aria-describedby={`${id}-hint`}
                className="mt-0.5 size-5 shrink-0 rounded border-slate-300 accent-indigo-600 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2"
              />
              <div className="min-w-0">
                <label htmlFor={id} className="text-sm font-medium text-slate-900">
                  Email me when someone sends me an image
                </label>
                <p id={`${id}-hint`} className="mt-0.5 text-sm text-slate-600">
                  When off, no email comes; your inbox still shows new images as they arrive.
                </p>
              </div>
            </div>
            {notice && <Alert kind="success">{notice}</Alert>}
            <Button type="submit" disabled={busy || on === saved}>
              {busy ? 'Saving…' : 'Save'}
            </Button>
          </form>
        </>
      )}
      {error && (
        <div className="mt-4">
          <Alert>{errorText(error)}</Alert>
        </div>
      )}
    </Card>
  );
}
