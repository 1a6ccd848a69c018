import { useEffect, useRef, useState } from 'react';
import { changePassword } from '../api/client.js';
import { Alert, Button, Card, Field, errorText } from '../components/ui.jsx';
import { rules } from '../lib/validate.js';

// The server's flash after a change (app/web/password_settings.go), word for word.
export const CHANGED_NOTICE = 'Password changed. Other devices are logged out.';

// The Account screen's "Change password", as on the server's settings page: the current
// and the new password. The server ends every other session and re-issues this one's
// cookie, so this screen stays logged in.
export default function ChangePassword() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const errorBox = useRef(null);

  useEffect(() => {
    if (error) errorBox.current?.focus();
  }, [error]);

  async function onSubmit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await changePassword({ current_password: current, new_password: next });
      setCurrent('');
      setNext('');
      setNotice(CHANGED_NOTICE);
    } catch (err) {
      if (err.status === 403) setCurrent(''); // a wrong current password: type it afresh
      setError(err);
    }
    setBusy(false);
  }

  return (
    <Card aria-labelledby="password-heading">
      <h2 id="password-heading" className="text-lg font-semibold text-slate-900">
        Change password
      </h2>
      <p className="mt-2 text-sm text-slate-600">
        You stay logged in here; every other device where you are logged in is logged out.
      </p>
      <form className="mt-4 space-y-4" onSubmit={onSubmit}>
        {error && (
          <div ref={errorBox} tabIndex={-1} className="rounded-lg focus:outline-none">
            <Alert>{errorText(error)}</Alert>
          </div>
        )}
        <Field
          label="Current password"
          name="current_password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          readOnly={busy}
        />
        <Field
          label="New password"
          name="new_password"
          type="password"
          autoComplete="new-password"
          hint={rules.password.hint}
          required
          minLength={rules.password.min_length}
          value={next}
          onChange={(e) => setNext(e.target.value)}
          readOnly={busy}
        />
        {notice && <Alert kind="success">{notice}</Alert>}
        <Button type="submit" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </Button>
      </form>
    </Card>
  );
}
