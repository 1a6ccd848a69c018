import { useEffect, useId, useState } from 'react';
import { getPrivacy, setPrivacy } from '../api/client.js';
import { Alert, Button, Card, Loading, errorText } from '../components/ui.jsx';

// The same two settings as the server's settings page: read receipts (off: senders see
// "Delivered", and you do not see when others open yours) and being listed in the directory.
const OPTIONS = [
  [
    'read_receipts',
    'Send read receipts',
    'When off, people you receive images from see “Delivered”, and you do not see when they open yours.',
  ],
  ['listed', 'Show me in the people directory', 'When off, people can still send to you if they know your exact username.'],
];

export default function PrivacySettings() {
  const [saved, setSaved] = useState(null); // what the server has
  const [form, setForm] = useState(null); // what the boxes say
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);

  useEffect(() => {
    let live = true;
    getPrivacy().then(
      (r) => live && (setSaved(r.privacy), setForm(r.privacy)),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, []);

  async function onSubmit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      // Only this card's two settings: the mail setting has its own card (MailNotifications).
      const r = await setPrivacy({ read_receipts: form.read_receipts, listed: form.listed });
      setSaved(r.privacy);
      setForm(r.privacy);
      setNotice('Privacy settings saved.');
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  }

  const toggle = (name) => (e) => {
    setNotice(null);
    setForm((f) => ({ ...f, [name]: e.target.checked }));
  };

  return (
    <Card aria-labelledby="privacy-heading">
      <h2 id="privacy-heading" className="text-lg font-semibold text-slate-900">
        Privacy
      </h2>
      {!form && !error && <Loading />}
      {form && (
        <form className="mt-4 space-y-4" onSubmit={onSubmit}>
          {OPTIONS.map(([name, label, hint]) => (
            <Option key={name} name={name} label={label} hint={hint} checked={!!form[name]} onChange={toggle(name)} />
          ))}
          {notice && <Alert kind="success">{notice}</Alert>}
          <Button type="submit" disabled={busy || (saved && sameSettings(saved, form))}>
            {busy ? 'Saving…' : 'Save'}
          </Button>
        </form>
      )}
      {error && (
        <div className="mt-4">
          <Alert>{errorText(error)}</Alert>
        </div>
      )}
    </Card>
  );
}

const sameSettings = (a, b) => a.read_receipts === b.read_receipts && a.listed === b.listed;

function Option({ name, label, hint, checked, onChange }) {
  const id = useId();
  return (
    <div className="flex items-start gap-3">
      <input
        type="checkbox"
        id={id}
        name={name}
        checked={checked}
        onChange={onChange}
        aria-describedby={`${id}-hint`}
        className="mt-0.5 size-5 shrink-0 rounded border-slate-300 accent-indigo-600 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2"
      />
      <div className="min-w-0">
        <label htmlFor={id} className="text-sm font-medium text-slate-900">
          {label}
        </label>
        <p id={`${id}-hint`} className="mt-0.5 text-sm text-slate-600">
          {hint}
        </p>
      </div>
    </div>
  );
}
