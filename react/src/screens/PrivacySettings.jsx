import { useId, useState } from 'react';
import { getPrivacy, setPrivacy } from '../api/client.js';
import { Alert, Button, Card, Loading, errorText } from '../components/ui.jsx';
import { useLoad } from '../lib/useLoad.js';

// The same settings as the server's settings page: read receipts (off: senders see
// "Delivered", and you do not see when others open yours), being listed in the directory,
// and message requests (images from strangers wait until accepted).
const OPTIONS = [
  [
    'read_receipts',
    'Send read receipts',
    'When off, people you receive images from see “Delivered”, and you do not see when they open yours.',
  ],
  ['listed', 'Show me in the people directory', 'When off, people can still send to you if they know your exact username.'],
  [
    'message_requests',
    'Only accept images from people I know',
    'Images from others wait as message requests until you accept them.',
  ],
];

// The settings this card saves (the mail setting has its own card, MailNotifications),
// of those the server has: an older one without message requests gets no such box.
const ours = (privacy) => OPTIONS.map(([name]) => name).filter((name) => typeof privacy?.[name] === 'boolean');

export default function PrivacySettings() {
  const [saved, setSaved] = useState(null); // what the server has
  const [form, setForm] = useState(null); // what the boxes say
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);

  useLoad(getPrivacy, (r) => (setSaved(r.privacy), setForm(r.privacy)), setError, []);

  async function onSubmit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const r = await setPrivacy(Object.fromEntries(ours(saved).map((name) => [name, form[name]])));
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
          {OPTIONS.filter(([name]) => ours(saved).includes(name)).map(([name, label, hint]) => (
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

const sameSettings = (a, b) => ours(a).every((name) => a[name] === b[name]);

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
