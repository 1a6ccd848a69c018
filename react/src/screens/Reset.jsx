import { useRef, useState } from 'react';
import * as api from '../api/client.js';
import { hrefFor } from '../lib/route.js';
import { rules, validateCode, validatePassword, validateUsername } from '../lib/validate.js';
import { Alert, Button, Field, errorText } from '../components/ui.jsx';
import AuthLayout from './AuthLayout.jsx';

const link = 'rounded font-semibold text-indigo-700 hover:text-indigo-500 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500';

// The server checks the code's shape, then the password policy, then the code
// itself, all answering 400. So a 400 for a password that meets the policy means
// the code was refused: only then is the code cleared (as on the server's /reset page).
export function codeWasRefused(err, password) {
  return err.status === 400 && !validatePassword(password);
}

// Step 2 of a password reset: the mailed code and a new password.
export default function Reset({ go, params, notice }) {
  const [username, setUsername] = useState(params.username || '');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const codeInput = useRef(null);

  async function onSubmit(e) {
    e.preventDefault();
    const u = username.trim();
    const c = code.replace(/\s+/g, '');
    const problem = validateUsername(u) || validateCode(c) || validatePassword(password);
    if (problem) {
      setError({ message: problem });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.resetPassword({ username: u, code: c, password });
      go('login', null, { username: u }, { kind: 'success', text: 'Password changed. Log in with the new one.' });
    } catch (err) {
      setError(err);
      setBusy(false);
      if (codeWasRefused(err, password)) {
        setCode('');
        codeInput.current?.focus();
      }
    }
  }

  return (
    <AuthLayout
      title="Choose a new password"
      sub="Enter the code from the email and a new password."
      notice={notice}
      footer={
        <a className={link} href={hrefFor('forgot', null, { username: username.trim() })}>
          Ask for a new code
        </a>
      }
    >
      <form className="space-y-4" onSubmit={onSubmit} noValidate>
        <Field label="Username" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
        <Field
          ref={codeInput}
          label="Code"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
        <Field
          label="New password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          hint={rules.password.hint}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {error && <Alert>{errorText(error)}</Alert>}
        <Button type="submit" className="w-full" disabled={busy}>
          {busy ? 'Saving…' : 'Set password'}
        </Button>
      </form>
    </AuthLayout>
  );
}
