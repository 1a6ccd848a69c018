import { useState } from 'react';
import * as api from '../api/client.js';
import { validateCode, validateUsername } from '../lib/validate.js';
import { Alert, Button, Field, errorText } from '../components/ui.jsx';
import AuthLayout from './AuthLayout.jsx';

export default function Verify({ go, params, notice, onLoggedIn }) {
  const [username, setUsername] = useState(params.username || '');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(null); // 'verify' | 'resend' | null
  const [error, setError] = useState(null);
  const [info, setInfo] = useState(null);

  async function onSubmit(e) {
    e.preventDefault();
    const u = username.trim();
    const c = code.replace(/\s+/g, '');
    const problem = validateUsername(u) || validateCode(c);
    if (problem) {
      setError({ message: problem });
      return;
    }
    setBusy('verify');
    setError(null);
    setInfo(null);
    try {
      const r = await api.verify({ username: u, code: c });
      // The browser that signed up is signed in by its code (signed_in); any other logs in.
      const me = r?.signed_in && onLoggedIn ? await api.me() : null;
      if (me?.user) {
        onLoggedIn(me.user);
        return;
      }
      go('login', null, { username: u }, { kind: 'success', text: 'Email confirmed. You can log in now.' });
    } catch (err) {
      setError(err);
      setBusy(null);
    }
  }

  async function onResend() {
    const u = username.trim();
    const problem = validateUsername(u);
    if (problem) {
      setError({ message: problem });
      return;
    }
    setBusy('resend');
    setError(null);
    setInfo(null);
    try {
      await api.resendCode({ username: u });
      setInfo('A new code was sent. Check your email.');
    } catch (err) {
      setError(err);
    }
    setBusy(null);
  }

  return (
    <AuthLayout title="Confirm your email" sub="Enter the 6-digit code we emailed you." notice={info ? null : notice}>
      <form className="space-y-4" onSubmit={onSubmit} noValidate>
        <Field label="Username" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
        <Field
          label="Code"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          placeholder="123456"
          autoFocus
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
        {error && <Alert>{errorText(error)}</Alert>}
        {info && <Alert kind="success">{info}</Alert>}
        <div className="flex flex-col gap-2 sm:flex-row-reverse">
          <Button type="submit" className="sm:flex-1" disabled={busy !== null}>
            {busy === 'verify' ? 'Confirming…' : 'Confirm'}
          </Button>
          <Button variant="secondary" className="sm:flex-1" onClick={onResend} disabled={busy !== null}>
            {busy === 'resend' ? 'Sending…' : 'Send a new code'}
          </Button>
        </div>
      </form>
    </AuthLayout>
  );
}
