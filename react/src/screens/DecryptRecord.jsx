import { useState } from 'react';
import { getRecord } from '../api/client.js';
import { Alert, Button, Card, Loading, errorText } from '../components/ui.jsx';
import { checkNewestRecord } from '../lib/decryptrecord.js';
import { useLoad } from '../lib/useLoad.js';

// The Account screen's "When your images were opened" (the server page is /settings/record):
// every time the server decrypted one of the person's images, newest first and grouped by day,
// in the server's words; "Older" adds the next page, and Verify checks the newest page's chain
// and signature with the app's key, pinned in this browser on first use (lib/decryptrecord.js).
export default function DecryptRecord() {
  const [days, setDays] = useState(null); // null until loaded
  const [before, setBefore] = useState(null); // the older page's cursor; null when none
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState('');
  const [check, setCheck] = useState(null); // {ok, text, seq?, warning?}

  function add(r) {
    setDays((shown) => {
      const all = (shown || []).map((d) => ({ ...d, lines: [...d.lines] }));
      for (const d of r?.days || []) {
        const last = all.at(-1);
        if (last && last.date === d.date) last.lines.push(...d.lines);
        else all.push({ ...d, lines: [...d.lines] });
      }
      return all;
    });
    setBefore(r?.before ?? null);
  }

  useLoad(() => getRecord(), add, setError, []);

  async function run(what, call) {
    setBusy(what);
    setError(null);
    try {
      await call();
    } catch (err) {
      setError(err);
    }
    setBusy('');
  }

  const onOlder = () => run('older', async () => add(await getRecord(before)));
  const onVerify = () =>
    run('verify', async () => {
      setCheck(null);
      setCheck(await checkNewestRecord());
    });

  return (
    <Card aria-labelledby="record-heading">
      <h2 id="record-heading" className="text-lg font-semibold text-slate-900">
        When your images were opened
      </h2>
      <p className="mt-2 text-sm text-slate-600">
        Every time the server decrypted one of your images (or used your key to check a two-factor code), newest first:
        who asked (which of your devices, or the server's own preview job) and why. Each entry holds the hash of the one before, and the newest is signed, so an
        entry deleted or edited later breaks the chain.
      </p>
      <div className="mt-4 flex flex-wrap items-center gap-3">
        <Button variant="secondary" onClick={onVerify} disabled={busy === 'verify'}>
          {busy === 'verify' ? 'Checking…' : 'Verify'}
        </Button>
        {check && (
          <p role="status" className={`text-sm font-semibold ${check.ok ? 'text-emerald-800' : 'text-red-800'}`}>
            {check.warning ? `${check.text} ${check.warning}` : check.text}
          </p>
        )}
      </div>
      {error && (
        <div className="mt-4">
          <Alert>{errorText(error)}</Alert>
        </div>
      )}
      {!days && !error && <Loading />}
      {days && days.length === 0 && <p className="mt-4 text-sm text-slate-600">Nothing yet: none of your images has been opened.</p>}
      {days?.map((d) => (
        <section key={d.date} aria-label={d.title} className="mt-6">
          <h3 className="text-sm font-semibold text-slate-700">{d.title}</h3>
          <ul className="mt-2 divide-y divide-slate-100">
            {d.lines.map((l) => (
              <li key={l.seq} data-seq={l.seq} className={`flex gap-3 py-2 text-sm ${check?.seq === l.seq ? 'text-red-800' : ''}`}>
                <time dateTime={l.at} className="shrink-0 text-slate-600">
                  {l.time}
                </time>
                <span className="min-w-0">{l.phrase}</span>
              </li>
            ))}
          </ul>
        </section>
      ))}
      {before && (
        <div className="mt-6">
          <Button variant="secondary" onClick={onOlder} disabled={busy === 'older'}>
            {busy === 'older' ? 'Loading…' : 'Older'}
          </Button>
        </div>
      )}
    </Card>
  );
}
