import { useState } from 'react';
import { request } from '../api/client.js';
import { Alert, Button, Card, Field, Loading, errorText } from '../components/ui.jsx';
import { useLoad } from '../lib/useLoad.js';

// The server pages' words (views/twofactor.templ, app/web/response.go), word for word.
export const TWO_FACTOR_OFF = 'Two-factor is off. Logging in asks for your password only.';
export const CODES_ONCE =
  'Keep these recovery codes somewhere safe: each one signs you in once if you lose your authenticator app. They are shown only now.';

const getTwoFactor = () => request('GET', '/api/settings/two-factor');
const enrol = () => request('POST', '/api/settings/two-factor/enrol');
const confirm = (code) => request('POST', '/api/settings/two-factor/confirm', { body: { code } });
const disable = (password, code) => request('DELETE', '/api/settings/two-factor', { body: { password, code } });

// groupSecret writes a base32 key in groups of four, for typing (as the server page does).
export const groupSecret = (s) => s.replace(/(.{4})(?=.)/g, '$1 ');

// The Account screen's "Two-factor authentication": off → Set up (the QR code the server made and
// the key to type, then a code); on → the recovery codes, once, then Turn off (password and a
// code). Loaded lazily by Account.
export default function TwoFactor() {
  const [on, setOn] = useState(null);
  const [setup, setSetup] = useState(null); // {secret, qr} while setting up
  const [codes, setCodes] = useState(null); // the recovery codes, shown once
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);

  useLoad(getTwoFactor, (r) => setOn(!!r?.two_factor?.enabled), setError, []);

  async function run(call) {
    setError(null);
    setNotice(null);
    try {
      await call();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <Card aria-labelledby="two-factor-heading">
      <h2 id="two-factor-heading" className="text-lg font-semibold text-slate-900">
        Two-factor authentication
      </h2>
      {on === null && !error && <Loading />}
      {notice && (
        <div className="mt-4">
          <Alert kind="success">{notice}</Alert>
        </div>
      )}
      {codes ? (
        <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />
      ) : setup ? (
        <SetUp
          setup={setup}
          onConfirm={(code) => run(async () => {
            const r = await confirm(code);
            setSetup(null);
            setOn(true);
            setCodes(r.recovery_codes);
          })}
          onRestart={() => run(async () => setSetup(await enrol()))}
          onCancel={() => setSetup(null)}
        />
      ) : on ? (
        <TurnOff
          onSubmit={(password, code) => run(async () => {
            await disable(password, code);
            setOn(false);
            setNotice(TWO_FACTOR_OFF);
          })}
        />
      ) : (
        on === false && (
          <>
            <p className="mt-2 text-sm text-slate-600">
              <span className="font-semibold">Off.</span> Add a code from an authenticator app (such as 2FAS, Aegis or
              Google Authenticator) to your password, so a stolen password alone does not let anyone in.
            </p>
            <Button className="mt-4" onClick={() => run(async () => setSetup(await enrol()))}>
              Set up two-factor
            </Button>
          </>
        )
      )}
      {error && (
        <div className="mt-4">
          <Alert>{errorText(error)}</Alert>
        </div>
      )}
    </Card>
  );
}

function SetUp({ setup, onConfirm, onRestart, onCancel }) {
  const [code, setCode] = useState('');
  return (
    <div className="mt-2 space-y-4">
      <p className="text-sm text-slate-600">Scan this code with your authenticator app, or type the key below into it.</p>
      <img src={setup.qr} width="256" height="256" alt="QR code of your two-factor key" className="mx-auto rounded-lg ring-1 ring-slate-200" />
      <div>
        <p className="text-sm font-medium">Key</p>
        <p className="mt-1 text-lg tracking-wide">
          <code className="break-all">{groupSecret(setup.secret)}</code>
        </p>
      </div>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          onConfirm(code.trim());
        }}
        noValidate
      >
        <Field
          label="Code from your app"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          required
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
        <div className="flex flex-wrap gap-3">
          <Button type="submit">Turn on two-factor</Button>
          <Button variant="secondary" onClick={onRestart}>
            Start over with a new key
          </Button>
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>
    </div>
  );
}

function RecoveryCodes({ codes, onDone }) {
  return (
    <div className="mt-2 space-y-4">
      <p className="text-sm text-slate-600">
        <span className="font-semibold">Two-factor is on.</span> {CODES_ONCE}
      </p>
      <ol aria-label="Recovery codes" className="space-y-2 text-sm">
        {codes.map((c) => (
          <li key={c} className="rounded-lg bg-slate-50 px-3 py-2 ring-1 ring-slate-200">
            <code>{c}</code>
          </li>
        ))}
      </ol>
      <Button onClick={onDone}>I have saved them</Button>
    </div>
  );
}

function TurnOff({ onSubmit }) {
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  return (
    <>
      <p className="mt-2 text-sm text-slate-600">
        <span className="font-semibold">On.</span> Logging in with your password also asks for a code from your
        authenticator app, or one of your recovery codes.
      </p>
      <form
        className="mt-4 space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit(password, code.trim());
        }}
        noValidate
      >
        <Field label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <Field label="Code from your app, or a recovery code" name="code" autoComplete="one-time-code" maxLength={24} required value={code} onChange={(e) => setCode(e.target.value)} />
        <Button type="submit" variant="danger">
          Turn off two-factor
        </Button>
      </form>
    </>
  );
}
