import { Suspense, lazy, useState } from 'react';
import * as api from '../api/client.js';
import { hrefFor } from '../lib/route.js';
import { Alert, Button, Field, Loading, errorText } from '../components/ui.jsx';
import AuthLayout from './AuthLayout.jsx';
import KeepSignedIn from './KeepSignedIn.jsx';

// The code step of a two-factor login: its own chunk, the main bundle's budget.
const LoginCode = lazy(() => import('./LoginCode.jsx'));

const link = 'rounded font-semibold text-indigo-700 hover:text-indigo-500 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500';

export default function Login({ params, notice, next, onLoggedIn }) {
  const [username, setUsername] = useState(params.username || '');
  const [password, setPassword] = useState('');
  const [keep, setKeep] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [codeStep, setCodeStep] = useState(null); // the token of a login waiting for its code

  async function onSubmit(e) {
    e.preventDefault();
    if (!username || !password) {
      setError({ message: 'Enter your username and password.' });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await api.login({ username: username.trim(), password, keep });
      if (r.second_factor) {
        setCodeStep(r.token);
        setBusy(false);
        return;
      }
      onLoggedIn(r.user, next);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  // Username-less: the browser offers the passkeys it has for this site.
  async function onPasskey() {
    setBusy(true);
    setError(null);
    try {
      const { signInWithPasskey } = await import('../lib/webauthn.js');
      const r = await signInWithPasskey();
      onLoggedIn(r.user, next);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  if (codeStep) {
    const restart = () => {
      setCodeStep(null);
      setPassword('');
    };
    return (
      <AuthLayout title="Enter your code" sub="Open your authenticator app and type the 6-digit code it shows for ImageApp.">
        <Suspense fallback={<Loading />}>
          <LoginCode token={codeStep} onLoggedIn={(u) => onLoggedIn(u, next)} onRestart={restart} />
        </Suspense>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Log in"
      sub="Private image messages between ImageApp users."
      notice={notice}
      footer={
        <>
          New here?{' '}
          <a className={link} href="#/signup">
            Create an account
          </a>
          <span className="mx-2 text-slate-400" aria-hidden="true">·</span>
          <a className={link} href={hrefFor('verify', null, { username: username.trim() })}>
            Confirm your email
          </a>
        </>
      }
    >
      <form className="space-y-4" onSubmit={onSubmit} noValidate>
        <Field label="Username" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <KeepSignedIn checked={keep} onChange={setKeep} />
        {error && (
          <Alert>
            {errorText(error)}
            {error.code === 'unconfirmed' && (
              <>
                {' '}
                <a className="font-semibold underline" href={hrefFor('verify', null, { username: username.trim() })}>
                  Enter your confirmation code
                </a>
              </>
            )}
          </Alert>
        )}
        <Button type="submit" className="w-full" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </Button>
      </form>
      {typeof window !== 'undefined' && window.PublicKeyCredential && (
        <Button type="button" variant="secondary" className="w-full" disabled={busy} onClick={onPasskey}>
          Sign in with a passkey
        </Button>
      )}
      <p className="text-sm">
        <a className={link} href={hrefFor('forgot', null, { username: username.trim() })}>
          Forgot your password?
        </a>
      </p>
    </AuthLayout>
  );
}
