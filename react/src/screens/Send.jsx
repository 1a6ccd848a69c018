import { useEffect, useRef, useState } from 'react';
import * as api from '../api/client.js';
import { captionLength } from '../lib/format.js';
import { filesProblem, sayCaptionTooLong, uploadRules } from '../lib/limits.js';
import { validateUsername } from '../lib/validate.js';
import { KEEP_CHOICES, KEEP_HINT } from '../lib/retention.js';
import DropZone from '../components/DropZone.jsx';
import { Alert, Button, Card, Field, PageTitle, ProgressBar, errorText, inputClass } from '../components/ui.jsx';

export default function Send({ go, params, notice, limits }) {
  const [to, setTo] = useState(params.to || '');
  const [file, setFile] = useState([]); // the images chosen: several make an album
  const [caption, setCaption] = useState('');
  const [keep, setKeep] = useState('keep');
  const [progress, setProgress] = useState(undefined); // undefined: idle; null: unknown; 0..1
  const [error, setError] = useState(null);
  const upload = useRef(null);
  // The Idempotency-Key of the send on the form: sending the same form again
  // (after an error, or a lost answer) reuses it, so the server never stores
  // the image twice; any change to the form makes it a new send.
  const sendKey = useRef(null);

  useEffect(() => () => upload.current && upload.current.abort(), []);
  useEffect(() => {
    sendKey.current = null;
  }, [to, file, caption, keep]);

  const sending = progress !== undefined;
  const rules = uploadRules(limits);
  const captionLen = captionLength(caption);
  const captionTooLong = rules.maxCaption !== null && captionLen > rules.maxCaption;
  const captionTooLongText = sayCaptionTooLong(rules.maxCaption);

  function chooseFile(f) {
    const problem = filesProblem(f, rules);
    if (problem) {
      setFile([]);
      setError({ message: problem });
      return;
    }
    setError(null);
    setFile(f);
  }

  async function onSubmit(e) {
    e.preventDefault();
    const recipient = to.trim();
    const problem =
      validateUsername(recipient) ||
      (!file.length ? 'Choose an image to send.' : filesProblem(file, rules)) ||
      (captionTooLong ? captionTooLongText : null);
    if (problem) {
      setError({ message: problem });
      return;
    }
    setError(null);
    setProgress(0);
    if (!sendKey.current) sendKey.current = api.newSendKey();
    const job = api.sendMessage({
      to: recipient,
      file,
      caption: caption.trim(),
      keep,
      onProgress: setProgress,
      idempotencyKey: sendKey.current,
    });
    upload.current = job;
    try {
      await job.promise;
      upload.current = null;
      const n = file.length;
      go('sent', null, null, { kind: 'success', text: n > 1 ? `Sent ${n} images to ${recipient}.` : `Sent to ${recipient}.` });
    } catch (err) {
      upload.current = null;
      // A cancelled upload never reached the server whole (Cancel goes once
      // it has), so sending again is a new send, with a key of its own.
      if (err.code === 'aborted') sendKey.current = null;
      setProgress(undefined);
      setError(err);
    }
  }

  return (
    <div>
      <PageTitle sub="The image is encrypted at rest with the recipient's own key.">Send an image</PageTitle>
      {notice && (
        <div className="mb-4">
          <Alert kind={notice.kind}>{notice.text}</Alert>
        </div>
      )}
      <Card>
        <form className="space-y-4" onSubmit={onSubmit} noValidate>
          <Field label="To (username)" name="to" autoComplete="off" required value={to} disabled={sending} onChange={(e) => setTo(e.target.value)} />
          <DropZone file={file} onFile={chooseFile} multiple disabled={sending} accept={rules.accept} hint={rules.hint} />
          <Field
            label="Caption (optional)"
            name="caption"
            multiline
            rows={3}
            value={caption}
            disabled={sending}
            aria-invalid={captionTooLong || undefined}
            hint={
              rules.maxCaption !== null && (
                <span data-testid="caption-count" className={captionTooLong ? 'font-semibold text-red-700' : undefined}>
                  {captionLen} / {rules.maxCaption} characters{captionTooLong ? ` — ${captionTooLongText}` : ''}
                </span>
              )
            }
            onChange={(e) => setCaption(e.target.value)}
          />
          <KeepField value={keep} disabled={sending} onChange={setKeep} />
          {sending && <ProgressBar value={progress} label={progress === 1 ? 'Encrypting and saving…' : 'Uploading'} />}
          {error && <Alert>{errorText(error)}</Alert>}
          <div className="flex flex-col gap-2 sm:flex-row-reverse">
            <Button type="submit" className="sm:flex-1" disabled={sending}>
              {sending ? 'Sending…' : 'Send'}
            </Button>
            {sending && (
              <Button variant="secondary" className="sm:flex-1" onClick={() => upload.current && upload.current.abort()}>
                Cancel
              </Button>
            )}
          </div>
        </form>
      </Card>
    </div>
  );
}

// How long the image lives, with the server form's choices and words.
export function KeepField({ value, disabled, onChange }) {
  return (
    <div>
      <label htmlFor="keep" className="mb-1 block text-sm font-medium text-slate-700">
        Keep
      </label>
      <select id="keep" name="keep" aria-describedby="keep-hint" className={inputClass} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
        {KEEP_CHOICES.map(([v, label]) => (
          <option key={v} value={v}>
            {label}
          </option>
        ))}
      </select>
      <p id="keep-hint" className="mt-1 text-xs text-slate-500">
        {KEEP_HINT}
      </p>
    </div>
  );
}
