import { useEffect, useRef, useState } from 'react';
import * as api from '../api/client.js';
import { hrefFor } from '../lib/route.js';
import { useObjectUrl } from '../lib/objectUrl.js';
import { Alert, Button, Card, LinkButton, UserText, errorText } from '../components/ui.jsx';

// A view-once image opens with a POST, never a GET: the answer carries the
// image itself, and the server deletes it for good as it answers.

// ViewOncePanel stands where the image would be. Its recipient opens it with
// "Open it now" (onViewed gets {message, image}); its sender only learns that
// it opens once.
export function ViewOncePanel({ m, mine, onViewed }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const gone = error?.status === 404 || error?.status === 410; // viewed elsewhere, expired or deleted: nothing to open

  async function open() {
    setBusy(true);
    setError(null);
    try {
      onViewed(await api.viewOnce(m.id));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <div data-testid="view-once" className="rounded-lg bg-amber-50 p-4 text-amber-950 ring-1 ring-amber-200">
      <p className="font-semibold">This image opens once.</p>
      {mine ? (
        <p className="mt-1 text-sm wrap-anywhere">Only <UserText>{m.to?.username || 'its recipient'}</UserText> can open it, once; then it is gone for good. You cannot open it.</p>
      ) : (
        <>
          <p className="mt-1 text-sm">Open it when you are ready: once you leave it, it is gone for good, for both of you.</p>
          {error && (
            <div className="mt-3">
              <Alert>{errorText(error)}</Alert>
            </div>
          )}
          {!gone && (
            <Button className="mt-3" onClick={open} disabled={busy}>
              {busy ? 'Opening…' : 'Open it now'}
            </Button>
          )}
        </>
      )}
    </div>
  );
}

// ViewedOnce shows a view-once image, its only time (as the server's page does).
export function ViewedOnce({ viewed }) {
  const m = viewed.message || {};
  const from = m.from?.username || 'unknown';
  const url = useObjectUrl(viewed.image);
  // The button that opened it is gone: focus moves to what replaced it.
  const heading = useRef(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <article className="space-y-4">
      <Card className="space-y-4">
        <header>
          <h1 ref={heading} tabIndex={-1} className="text-lg font-semibold wrap-anywhere focus:outline-none">
            From <UserText>{from}</UserText>, once
          </h1>
          <p className="text-sm text-slate-600">This image is already deleted: when you leave this page it is gone for good.</p>
        </header>
        <figure className="space-y-3">
          <div className="flex justify-center overflow-hidden rounded-lg bg-slate-100">
            {url && <img src={url} alt={`Image from ${from}`} className="block h-auto max-h-[70vh] max-w-full object-contain" />}
            {url === null && <p className="p-8 text-sm text-slate-600">The image could not be shown.</p>}
          </div>
          {m.caption && (
            <figcaption dir="auto" className="whitespace-pre-wrap text-slate-800 wrap-anywhere">
              {m.caption}
            </figcaption>
          )}
        </figure>
      </Card>
      <LinkButton variant="link" href={hrefFor('conversation', from)}>
        ← All images with <UserText>{from}</UserText>
      </LinkButton>
    </article>
  );
}
