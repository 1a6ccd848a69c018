import { useEffect, useRef, useState } from 'react';
import { cancelEmailChange, confirmEmailChange, emailState, requestEmailChange } from '../api/client.js';
import { Alert, Button, Card, Field, errorText } from '../components/ui.jsx';
import { useLoad } from '../lib/useLoad.js';

// The server's flashes (app/web/email_settings.go), word for word.
export const CODE_SENT_NOTICE = 'We emailed a 6-digit code to your new address. Enter it below to make the change.';
export const CHANGED_NOTICE = 'Email changed. We told your old address.';
export const CANCELLED_NOTICE = 'Email change cancelled. Your address stays as it was.';

// The Account screen's "Email address", as on the server's settings page: the new address
// and the password mail a code to the new address; nothing changes until the code (with the
// password again) comes back. While a change waits, the card says for which address and
// offers to confirm, send the code again, or cancel.
export default function ChangeEmail({ email }) {
  const [state, setState] = useState({ address: email || '', pending: '' });
  const [newEmail, setNewEmail] = useState('');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const errorBox = useRef(null);

  // On an error the address from /api/me stands; a change can still be asked for.
  useLoad(emailState, (r) => r?.email && setState(r.email), () => {}, []);

  useEffect(() => {
    if (error) errorBox.current?.focus();
  }, [error]);

  async function run(call, done) {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const r = await call();
      if (r?.email) setState(r.email);
      setPassword('');
      setCode('');
      setNotice(done);
      setBusy(false);
      return true;
    } catch (err) {
      if (err.status === 403) setPassword('');
      setError(err);
      setBusy(false);
      return false;
    }
  }

  const request = (to) => run(() => requestEmailChange({ new_email: to, password }), CODE_SENT_NOTICE);
  const onRequest = async (e) => {
    e.preventDefault();
    if (await request(newEmail)) setNewEmail('');
  };
  const onConfirm = (e) => {
    e.preventDefault();
    run(() => confirmEmailChange({ code, password }), CHANGED_NOTICE);
  };
  const onCancel = () => run(() => cancelEmailChange(), CANCELLED_NOTICE);
  const passwordField = (
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
  );

  return (
    <Card aria-labelledby="email-heading">
      <h2 id="email-heading" className="text-lg font-semibold text-slate-900">
        Email address
      </h2>
      <p className="mt-2 text-sm text-slate-600">
        Codes, password resets and notifications go to <span className="break-all font-semibold">{state.address}</span>.
      </p>
      {error && (
        <div ref={errorBox} tabIndex={-1} className="mt-4 rounded-lg focus:outline-none">
          <Alert>{errorText(error)}</Alert>
        </div>
      )}
      {notice && (
        <div className="mt-4">
          <Alert kind="success">{notice}</Alert>
        </div>
      )}
      {state.pending ? (
        <>
          <p className="mt-4 text-sm">
            <span className="font-semibold">
              Waiting for you to confirm <span className="break-all">{state.pending}</span>.
            </span>{' '}
            Until then everything keeps going to your current address.
          </p>
          <form className="mt-4 space-y-4" onSubmit={onConfirm}>
            <Field
              label="Code from the email"
              name="code"
              inputMode="numeric"
              pattern="[0-9]{6}"
              maxLength={6}
              autoComplete="one-time-code"
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
              readOnly={busy}
            />
            {passwordField}
            <div className="flex flex-wrap gap-3">
              <Button type="submit" disabled={busy}>
                Confirm new address
              </Button>
              <Button variant="secondary" disabled={busy || !password} onClick={() => request(state.pending)}>
                Send the code again
              </Button>
              <Button variant="secondary" disabled={busy} onClick={onCancel}>
                Cancel the change
              </Button>
            </div>
          </form>
        </>
      ) : (
        <form className="mt-4 space-y-4" onSubmit={onRequest}>
          <Field
            label="New email address"
            name="new_email"
            type="email"
            autoComplete="email"
            required
            value={newEmail}
            onChange={(e) => setNewEmail(e.target.value)}
            readOnly={busy}
          />
          {passwordField}
          <p className="text-sm text-slate-600">We email a 6-digit code to the new address. Nothing changes until you enter it.</p>
          <Button type="submit" disabled={busy}>
            Send the code
          </Button>
        </form>
      )}
    </Card>
  );
}
