import { useEffect, useRef, useState } from 'react';
import { listBlocked, unblock } from '../api/client.js';
import { Alert, Button, Card, Loading, errorText } from '../components/ui.jsx';
import { useLoad } from '../lib/useLoad.js';

// The server pages' words (app/web/blocks.go, views/blocks.templ), word for word.
export const BLOCKED_NOTICE = 'Blocked. They can no longer send you images, and are not told.';
export const UNBLOCKED_NOTICE = 'Unblocked. Their new images reach you again.';

// The Account screen's "Blocked people" card: everyone the person blocks, each
// with Unblock, as on the server's settings page.
export default function BlockedPeople() {
  const [users, setUsers] = useState(null); // null until loaded
  const [busy, setBusy] = useState(''); // the username being unblocked
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const noticeBox = useRef(null);

  useLoad(listBlocked, (r) => setUsers(r?.users || []), setError, []);

  // The pressed button is gone with its row: the notice takes the focus, so it is heard.
  useEffect(() => {
    if (notice) noticeBox.current?.focus();
  }, [notice]);

  async function onUnblock(name) {
    setBusy(name);
    setError(null);
    setNotice(null);
    try {
      await unblock(name);
      setUsers((list) => list.filter((u) => u.username !== name));
      setNotice(UNBLOCKED_NOTICE);
    } catch (err) {
      setError(err);
    }
    setBusy('');
  }

  return (
    <Card aria-labelledby="blocked-heading">
      <h2 id="blocked-heading" className="text-lg font-semibold text-slate-900">
        Blocked people
      </h2>
      <p className="mt-2 text-sm text-slate-600">
        People you block cannot send you images, and are not told: their images are withheld from you. Block someone from
        your conversation with them.
      </p>
      {notice && (
        <div ref={noticeBox} tabIndex={-1} className="mt-4 rounded-lg focus:outline-none">
          <Alert kind="success">{notice}</Alert>
        </div>
      )}
      {!users && !error && <Loading />}
      {users && users.length === 0 && <p className="mt-4 text-sm text-slate-600">You block nobody.</p>}
      {users && users.length > 0 && (
        <ul aria-label="People you block" className="mt-4 divide-y divide-slate-100">
          {users.map((u) => (
            <li key={u.id || u.username} className="flex items-center justify-between gap-3 py-2">
              <span className="min-w-0 truncate font-medium text-slate-900">{u.username}</span>
              <Button variant="secondary" size="sm" className="shrink-0" onClick={() => onUnblock(u.username)} disabled={busy !== ''}>
                {busy === u.username ? 'Unblocking…' : `Unblock ${u.username}`}
              </Button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <div className="mt-4">
          <Alert>{errorText(error)}</Alert>
        </div>
      )}
    </Card>
  );
}
