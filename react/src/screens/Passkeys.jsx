import { useState } from 'react';
import { request } from '../api/client.js';
import { Alert, Button, Card, Field, Loading, errorText } from '../components/ui.jsx';
import { formatDate } from '../lib/format.js';
import { useLoad } from '../lib/useLoad.js';

// The server pages' words (views/passkeys.templ, app/web/response.go), word for word.
export const PASSKEY_ADDED = 'Passkey added. You can sign in with it from the login page.';
export const PASSKEY_REMOVED = 'Passkey removed. It no longer signs you in.';
export const NO_PASSKEYS = 'You have no passkeys.';

const listPasskeys = () => request('GET', '/api/settings/passkeys');
const removePasskey = (id) => request('DELETE', `/api/settings/passkeys/${encodeURIComponent(id)}`);

const supported = () => typeof window !== 'undefined' && !!window.PublicKeyCredential && !!navigator.credentials;

// The Account screen's "Passkeys": the person's passkeys (name, added, last used), each with
// Remove, and "Add a passkey" where the browser has WebAuthn. Loaded lazily by Account.
export default function Passkeys() {
  const [list, setList] = useState(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState('');
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);

  useLoad(listPasskeys, (r) => setList(r?.passkeys || []), setError, []);

  async function run(what, call, done) {
    setBusy(what);
    setError(null);
    setNotice(null);
    try {
      await call();
      const r = await listPasskeys();
      setList(r?.passkeys || []);
      setNotice(done);
    } catch (err) {
      setError(err);
    }
    setBusy('');
  }

  async function onAdd(e) {
    e.preventDefault();
    await run(
      'add',
      async () => {
        const { addPasskey } = await import('../lib/webauthn.js');
        await addPasskey(name);
        setName('');
      },
      PASSKEY_ADDED,
    );
  }

  return (
    <Card aria-labelledby="passkeys-heading">
      <h2 id="passkeys-heading" className="text-lg font-semibold text-slate-900">
        Passkeys
      </h2>
      <p className="mt-2 text-sm text-slate-600">
        A passkey signs you in with this device's screen lock or a security key, without your password. It is an extra
        way in: it does not replace your password or the email code that resets it if you lose your devices.
      </p>
      {notice && (
        <div className="mt-4">
          <Alert kind="success">{notice}</Alert>
        </div>
      )}
      {!list && !error && <Loading />}
      {list && list.length === 0 && <p className="mt-4 text-sm text-slate-600">{NO_PASSKEYS}</p>}
      {list && list.length > 0 && (
        <ul aria-label="Your passkeys" className="mt-4 divide-y divide-slate-100">
          {list.map((p) => (
            <li key={p.id} data-passkey={p.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
              <div className="min-w-0">
                <p className="font-medium text-slate-900 wrap-anywhere">{p.name}</p>
                <p className="text-sm text-slate-600">
                  Added <time dateTime={p.created}>{formatDate(p.created)}</time> ·{' '}
                  {p.last_used ? (
                    <>
                      last used <time dateTime={p.last_used}>{formatDate(p.last_used)}</time>
                    </>
                  ) : (
                    'never used'
                  )}
                </p>
              </div>
              <Button
                variant="secondary"
                size="sm"
                onClick={() => run(p.id, () => removePasskey(p.id), PASSKEY_REMOVED)}
                disabled={busy !== ''}
                aria-label={`Remove the passkey ${p.name}`}
              >
                {busy === p.id ? 'Removing…' : 'Remove'}
              </Button>
            </li>
          ))}
        </ul>
      )}
      {supported() ? (
        <form className="mt-4 space-y-3" onSubmit={onAdd}>
          <Field
            label="Name it, so you know which device it is"
            name="passkey-name"
            maxLength={64}
            autoComplete="off"
            placeholder="e.g. My phone"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <Button type="submit" disabled={busy !== ''}>
            {busy === 'add' ? 'Adding…' : 'Add a passkey'}
          </Button>
        </form>
      ) : (
        <p className="mt-4 text-sm text-slate-600">This browser cannot make passkeys.</p>
      )}
      {error && (
        <div className="mt-4">
          <Alert>{errorText(error)}</Alert>
        </div>
      )}
    </Card>
  );
}
