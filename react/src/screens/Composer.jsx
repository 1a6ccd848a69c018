import { useEffect, useRef, useState } from 'react';
import * as api from '../api/client.js';
import { filesProblem, uploadRules } from '../lib/limits.js';
import DropZone from '../components/DropZone.jsx';
import Thumb from '../components/Thumb.jsx';
import { Alert, Button, Card, Field, errorText } from '../components/ui.jsx';
import { KeepField } from './Send.jsx';

// The send form at the foot of a conversation: the Send screen's fields and
// rules (the server's are the same: POST /api/messages), addressed to the
// other person. onPending shows the image in the thread while it uploads
// ({url, caption, progress}, or null once it is done or cancelled), onSent
// gets the stored messages (several for an album: up to 10 images picked,
// dropped or pasted at once). quote is the image the reply quotes (Reply).
export default function Composer({ to, limits, quote, onUnquote, onPending, onSent }) {
  const [files, setFiles] = useState([]);
  const [caption, setCaption] = useState('');
  const [keep, setKeep] = useState('keep');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState(null);
  const [sent, setSent] = useState(0); // a fresh file input after each send
  const upload = useRef(null);
  const sendKey = useRef(null);
  useEffect(() => () => upload.current && upload.current.abort(), []);
  useEffect(() => {
    sendKey.current = null;
  }, [files, caption, keep, quote]);
  const rules = uploadRules(limits);

  // Paste images anywhere on the conversation: they join those chosen.
  useEffect(() => {
    const paste = (e) => {
      const fs = Array.from(e.clipboardData?.files || []).filter((x) => x.type.startsWith('image/'));
      if (fs.length && !sending) choose([...files, ...fs]);
    };
    window.addEventListener('paste', paste);
    return () => window.removeEventListener('paste', paste);
  });

  function choose(fs) {
    const problem = filesProblem(fs, rules);
    setError(problem ? { message: problem } : null);
    if (!problem) setFiles(fs);
  }

  async function onSubmit(e) {
    e.preventDefault();
    const problem = !files.length ? 'Choose an image to send.' : filesProblem(files, rules);
    if (problem) return setError({ message: problem });
    setError(null);
    setSending(true);
    const url = typeof URL.createObjectURL === 'function' ? URL.createObjectURL(files[0]) : '';
    const shown = { url, caption: caption.trim(), progress: 0, count: files.length };
    onPending(shown);
    if (!sendKey.current) sendKey.current = api.newSendKey();
    const job = api.sendMessage({
      to,
      file: files,
      caption: caption.trim(),
      keep,
      quote: quote?.id,
      idempotencyKey: sendKey.current,
      onProgress: (p) => onPending({ ...shown, progress: p }),
    });
    upload.current = job;
    try {
      const r = await job.promise;
      setFiles([]);
      setCaption('');
      setKeep('keep');
      setSent((n) => n + 1);
      onSent(r.album ? r.album.messages : [r.message]);
    } catch (err) {
      if (err.code === 'aborted') sendKey.current = null;
      // The quoted image went meanwhile: the reply goes without it.
      if (err.status === 400 && quote && /replying to is gone/.test(err.message)) onUnquote();
      setError(err);
    } finally {
      upload.current = null;
      setSending(false);
      onPending(null);
      if (url) URL.revokeObjectURL(url);
    }
  }

  return (
    <Card className="mt-6">
      <form className="space-y-4" aria-label={`Send an image to ${to}`} data-testid="composer" onSubmit={onSubmit} noValidate>
        {quote && (
          <div data-testid="composer-quote" className="flex items-center gap-3 rounded-lg border-l-4 border-indigo-400 bg-slate-100 p-2">
            <Thumb src={quote.thumbnail} size="size-12" />
            <p className="min-w-0 flex-1 text-sm text-slate-700">Replying to this image</p>
            <Button variant="link" size="sm" className="shrink-0" onClick={onUnquote} disabled={sending}>
              Don’t quote
            </Button>
          </div>
        )}
        <Field label="Caption (optional)" name="caption" multiline rows={1} value={caption} disabled={sending} onChange={(e) => setCaption(e.target.value)} />
        <KeepField value={keep} disabled={sending} onChange={setKeep} />
        <DropZone key={sent} file={files} onFile={(fs) => choose(fs)} multiple disabled={sending} accept={rules.accept} hint={rules.hint} />
        {error && <Alert>{errorText(error)}</Alert>}
        <div className="flex justify-end gap-3">
          {sending && (
            <Button variant="secondary" onClick={() => upload.current && upload.current.abort()}>
              Cancel
            </Button>
          )}
          <Button type="submit" disabled={sending}>
            {sending ? 'Sending…' : 'Send'}
          </Button>
        </div>
      </form>
    </Card>
  );
}
