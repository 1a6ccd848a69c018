import { useState } from 'react';
import { request } from '../api/client.js';
import { Alert, Button, Field, errorText } from '../components/ui.jsx';

// The server's words (app/web/twofactor.go), word for word.
const NO_CODE = 'Type the 6-digit code from your authenticator app, or a recovery code.';

// The login's second step, for someone with two-factor on: the code from the authenticator app,
// or a recovery code, for the token POST /api/login answered. A wrong code may be tried again;
// an expired token says to start over. Loaded lazily by Login.
export default function LoginCode({ token, onLoggedIn, onRestart }) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  async function onSubmit(e) {
    e.preventDefault();
    if (!code.trim()) {
      setError({ message: NO_CODE });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await request('POST', '/api/login/code', { body: { token, code: code.trim() }, auth: false });
      onLoggedIn(r.user);
    } catch (err) {
      setError(err);
      setCode('');
      setBusy(false);
    }
  }

  return (
    <>
      <form className="space-y-4" onSubmit={onSubmit} noValidate>
        <Field
          label="Code"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={24}
          required
          autoFocus
          hint="A recovery code also works."
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
        {error && <Alert>{errorText(error)}</Alert>}
        <Button type="submit" className="w-full" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </Button>
      </form>
      <Button variant="secondary" className="w-full" onClick={onRestart}>
        Start over
      </Button>
    </>
  );
}
