import { useEffect, useId, useRef, useState } from 'react';
import { deleteAccount } from '../api/client.js';
import { Alert, Button, Card, Field, errorText } from '../components/ui.jsx';

// How long a deleted account's username is kept from new accounts: the server's
// accounts.RetireDays (TestBrowserReactDelete checks the two agree).
export const RETIRE_DAYS = 90;

// The server's flash after a deletion, shown on the login screen.
export const DELETED_NOTICE = 'Your account is deleted. Nobody can open the images sent to you any more.';

// The Account screen's card, in the server settings page's words; its button opens
// the confirmation, which asks for the password. onDeleted runs after the 204.
export default function DeleteAccount({ onDeleted }) {
  const [asking, setAsking] = useState(false);
  return (
    <Card aria-labelledby="delete-account-heading">
      <h2 id="delete-account-heading" className="text-lg font-semibold text-slate-900">
        Delete my account
      </h2>
      <p className="mt-2 text-sm text-slate-600">
        Your key is destroyed, so nobody can open the images sent to you any more. Images you sent stay with the people you
        sent them to.
      </p>
      <Button variant="dangerOutline" className="mt-4" aria-haspopup="dialog" onClick={() => setAsking(true)}>
        Delete my account…
      </Button>
      {asking && <DeleteAccountDialog onCancel={() => setAsking(false)} onDeleted={onDeleted} />}
    </Card>
  );
}

// A modal that lists what deleting removes and takes the password: focus starts in
// the password field, Tab stays inside, Escape keeps the account, and focus goes back
// to the card's button when it closes. An error is focused so it is heard at once.
export function DeleteAccountDialog({ onCancel, onDeleted }) {
  const id = useId();
  const panel = useRef(null);
  const errorBox = useRef(null);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  useEffect(() => {
    const opener = document.activeElement;
    panel.current.querySelector('input')?.focus();
    return () => opener?.focus?.();
  }, []);

  useEffect(() => {
    if (error) errorBox.current?.focus();
  }, [error]);

  async function onSubmit(e) {
    e.preventDefault();
    if (!password) {
      setError({ message: 'Enter your password to delete your account.' });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await deleteAccount({ password });
    } catch (err) {
      if (err.status === 403) setPassword(''); // a wrong password: start the next try afresh
      setError(err);
      setBusy(false);
      return;
    }
    onDeleted();
  }

  return (
    <div
      className="fixed inset-0 z-50 flex items-end justify-center overflow-y-auto bg-black/50 p-4 sm:items-center"
      onKeyDown={(e) => trapKeys(e, panel.current, busy, onCancel)}
    >
      <div
        ref={panel}
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
        className="max-h-full w-full max-w-lg overflow-y-auto rounded-xl bg-surface p-5 shadow-xl ring-1 ring-slate-200 sm:p-6"
      >
        <h2 id={`${id}-title`} className="text-lg font-semibold text-slate-900">
          Delete my account
        </h2>
        <Consequences id={`${id}-desc`} />
        <form className="mt-5 space-y-4" onSubmit={onSubmit} noValidate>
          {error && (
            <div ref={errorBox} tabIndex={-1} className="rounded-lg focus:outline-none">
              <Alert>{errorText(error)}</Alert>
            </div>
          )}
          <Field
            label="Your password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            readOnly={busy}
          />
          <div className="flex flex-col gap-2 sm:flex-row-reverse sm:justify-start">
            <Button type="submit" variant="danger" disabled={busy}>
              {busy ? 'Deleting…' : 'Delete my account for good'}
            </Button>
            <Button variant="secondary" onClick={onCancel} disabled={busy}>
              Keep my account
            </Button>
          </div>
        </form>
      </div>
    </div>
  );
}

// The server page's list (views/deleteaccount.templ), word for word.
function Consequences({ id }) {
  return (
    <div id={id}>
      <p className="mt-2 text-sm text-slate-700">This cannot be undone. When you delete your account:</p>
      <ul className="mt-3 list-disc space-y-1 pl-6 text-sm text-slate-700">
        <li>
          your key is destroyed at once, so <strong>nobody can open any image ever sent to you</strong>, and those images are
          removed;
        </li>
        <li>you are logged out everywhere, and your email notifications stop;</li>
        <li>
          you leave the people directory; your username is kept from new accounts for {RETIRE_DAYS} days, so nobody can pose
          as you to the people you wrote to;
        </li>
        <li>the images you sent stay with the people you sent them to, until they delete them.</li>
      </ul>
    </div>
  );
}

const FOCUSABLE = 'input:not([disabled]), button:not([disabled]), a[href]';

// Escape cancels (not while the deletion runs); Tab and Shift+Tab wrap inside the panel.
function trapKeys(e, panel, busy, onCancel) {
  if (e.key === 'Escape' && !busy) {
    e.preventDefault();
    onCancel();
    return;
  }
  if (e.key !== 'Tab') return;
  const items = [...panel.querySelectorAll(FOCUSABLE)];
  if (items.length === 0) return;
  const first = items[0];
  const last = items.at(-1);
  const outside = !panel.contains(document.activeElement);
  if (e.shiftKey && (document.activeElement === first || outside)) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (document.activeElement === last || outside)) {
    e.preventDefault();
    first.focus();
  }
}
