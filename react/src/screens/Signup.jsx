import { useState } from 'react';
import * as api from '../api/client.js';
import { rules, validateSignup } from '../lib/validate.js';
import { Alert, Button, Field, errorText } from '../components/ui.jsx';
import AuthLayout from './AuthLayout.jsx';

export default function Signup({ go, notice }) {
  const [form, setForm] = useState({ username: '', email: '', password: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const set = (k) => (e) => setForm((f) => ({ ...f, [k]: e.target.value }));

  async function onSubmit(e) {
    e.preventDefault();
    const data = { ...form, username: form.username.trim(), email: form.email.trim() };
    const problem = validateSignup(data);
    if (problem) {
      setError({ message: problem });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await api.signup(data);
      // A server that writes mail to its outbox folder (the embedded backend) says where the code is.
      go('verify', null, { username: data.username }, {
        kind: 'success',
        text: r?.outbox
          ? `Account created. This server sends no mail: the code is in a file in its outbox folder, ${r.outbox}, the newest .eml file.`
          : `Account created. We sent a 6-digit code to ${data.email}.`,
      });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <AuthLayout
      title="Create an account"
      sub="You will confirm your email with a 6-digit code."
      notice={notice}
      footer={
        <>
          Already have an account?{' '}
          <a className="font-semibold text-indigo-700 hover:text-indigo-500 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500" href="#/login">
            Log in
          </a>
        </>
      }
    >
      <form className="space-y-4" onSubmit={onSubmit} noValidate>
        <Field
          label="Username"
          name="username"
          autoComplete="username"
          required
          minLength={rules.username.min_length}
          maxLength={rules.username.max_length}
          hint={rules.username.hint}
          value={form.username}
          onChange={set('username')}
        />
        <Field label="Email" name="email" type="email" autoComplete="email" required value={form.email} onChange={set('email')} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={rules.password.min_length}
          hint={rules.password.hint}
          value={form.password}
          onChange={set('password')}
        />
        {error && <Alert>{errorText(error)}</Alert>}
        <Button type="submit" className="w-full" disabled={busy}>
          {busy ? 'Creating account…' : 'Sign up'}
        </Button>
      </form>
    </AuthLayout>
  );
}
