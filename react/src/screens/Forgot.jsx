import { useState } from 'react';
import * as api from '../api/client.js';
import { validateUsername } from '../lib/validate.js';
import { Alert, Button, Field, errorText } from '../components/ui.jsx';
import AuthLayout from './AuthLayout.jsx';

const link = 'rounded font-semibold text-indigo-700 hover:text-indigo-500 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500';

// Step 1 of a password reset: ask for a code by email (the server pages' /forgot).
export default function Forgot({ go, params, notice }) {
  const [username, setUsername] = useState(params.username || '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  async function onSubmit(e) {
    e.preventDefault();
    const u = username.trim();
    const problem = validateUsername(u);
    if (problem) {
      setError({ message: problem });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.forgotPassword({ username: u });
      go('reset', null, { username: u }, { kind: 'success', text: 'If that account exists, we emailed it a code.' });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <AuthLayout
      title="Reset your password"
      sub="We email a 6-digit code to the address of your account."
      notice={notice}
      footer={
        <a className={link} href="#/login">
          Back to log in
        </a>
      }
    >
      <form className="space-y-4" onSubmit={onSubmit} noValidate>
        <Field label="Username" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
        {error && <Alert>{errorText(error)}</Alert>}
        <Button type="submit" className="w-full" disabled={busy}>
          {busy ? 'Sending…' : 'Email me a code'}
        </Button>
      </form>
    </AuthLayout>
  );
}
