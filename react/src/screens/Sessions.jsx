import { useEffect, useRef, useState } from 'react';
import { endOtherSessions, endSession, listSessions } from '../api/client.js';
import { Alert, Button, Card, Loading, errorText } from '../components/ui.jsx';
import { formatDate } from '../lib/format.js';
import { useLoad } from '../lib/useLoad.js';
import { KeptBadge } from './KeepSignedIn.jsx';

// The server pages' words (app/web/sessions.go, views/sessions.templ), word for word.
export const SESSION_ENDED = 'That device is logged out.';
export const OTHERS_ENDED = 'Every other device is logged out.';
export const NOWHERE_ELSE = 'You are not logged in anywhere else.';

// The Account screen's "Where you're logged in": every active session of the person, this
// device first and marked, each other one with "Log out this device", and "Log out all other
// devices" — as on the server's settings page.
export default function Sessions() {
  const [sessions, setSessions] = useState(null); // null until loaded
  const [busy, setBusy] = useState(''); // the session being ended, or 'others'
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const noticeBox = useRef(null);

  useLoad(listSessions, (r) => setSessions(r?.sessions || []), setError, []);

  // The pressed button is gone with its row: the notice takes the focus, so it is heard.
  useEffect(() => {
    if (notice) noticeBox.current?.focus();
  }, [notice]);

  async function run(what, call, keep, done) {
    setBusy(what);
    setError(null);
    setNotice(null);
    try {
      await call();
      setSessions((list) => list.filter(keep));
      setNotice(done);
    } catch (err) {
      setError(err);
    }
    setBusy('');
  }

  const onEnd = (s) => run(s.id, () => endSession(s.id), (x) => x.id !== s.id, SESSION_ENDED);
  const onEndOthers = () => run('others', endOtherSessions, (x) => x.current, OTHERS_ENDED);

  return (
    <Card aria-labelledby="sessions-heading">
      <h2 id="sessions-heading" className="text-lg font-semibold text-slate-900">
        Where you're logged in
      </h2>
      <p className="mt-2 text-sm text-slate-600">
        Log out a device you do not recognise or no longer use; it is logged out at once. Then change your password if you
        did not log in there.
      </p>
      {notice && (
        <div ref={noticeBox} tabIndex={-1} className="mt-4 rounded-lg focus:outline-none">
          <Alert kind="success">{notice}</Alert>
        </div>
      )}
      {!sessions && !error && <Loading />}
      {sessions && (
        <ul aria-label="Your sessions" className="mt-4 divide-y divide-slate-100">
          {sessions.map((s) => (
            <li key={s.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
              <div className="min-w-0">
                <p className="font-medium text-slate-900">
                  {s.device}
                  {s.current && (
                    <span className="ml-2 rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-semibold text-emerald-800 ring-1 ring-emerald-200">
                      This device
                    </span>
                  )}
                  {s.kept_signed_in && <KeptBadge />}
                </p>
                <p className="text-sm text-slate-600">
                  Logged in <time dateTime={s.created_at}>{formatDate(s.created_at)}</time> · last active{' '}
                  <time dateTime={s.last_seen}>{formatDate(s.last_seen)}</time>
                </p>
              </div>
              {!s.current && (
                <Button
                  variant="secondary"
                  size="sm"
                  className="shrink-0"
                  onClick={() => onEnd(s)}
                  disabled={busy !== ''}
                  aria-label={`Log out this device: ${s.device}, last active ${formatDate(s.last_seen)}`}
                >
                  {busy === s.id ? 'Logging out…' : 'Log out this device'}
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      {sessions && sessions.length > 1 && (
        <Button variant="danger" className="mt-4" onClick={onEndOthers} disabled={busy !== ''}>
          {busy === 'others' ? 'Logging out…' : 'Log out all other devices'}
        </Button>
      )}
      {sessions && sessions.length <= 1 && <p className="mt-4 text-sm text-slate-600">{NOWHERE_ELSE}</p>}
      {error && (
        <div className="mt-4">
          <Alert>{errorText(error)}</Alert>
        </div>
      )}
    </Card>
  );
}
