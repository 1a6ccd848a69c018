import { useEffect, useState } from 'react';
import * as api from '../api/client.js';
import { formatBytes, formatDate, typeLabel } from '../lib/format.js';
import { hrefFor } from '../lib/route.js';
import { Alert, Button, Card, LinkButton, Loading, UserText, errorText } from '../components/ui.jsx';
import ConfirmDialog from '../components/ConfirmDialog.jsx';
import { useViewer } from '../components/Viewer.jsx';
import { expiresIn } from '../lib/retention.js';
import { ViewOncePanel, ViewedOnce } from './ViewOnce.jsx';

// A 404 says why when the server does (expired, viewed once already).
const goneText = (err) => (err.message && err.message !== 'Not found.' ? err.message : 'This message does not exist or was deleted.');

export default function MessageView({ id, me, go, notice, onOpened }) {
  const [state, setState] = useState({ message: null, error: null, loading: true });
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState(null);
  const [imgFailed, setImgFailed] = useState(false);
  const [viewed, setViewed] = useState(null); // a view-once image, opened: {message, image}
  const viewer = useViewer();

  useEffect(() => {
    let live = true;
    api.getMessage(id).then(
      (r) => {
        if (!live) return;
        setState({ message: r.message, error: null, loading: false });
        if (onOpened) onOpened(); // opening marks it read: refresh the unread count
      },
      (err) => live && setState({ message: null, error: err, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [id]);

  const m = state.message;
  const mine = m && me && ((m.from && m.from.id === me.id) || (m.from && m.from.username === me.username));
  const back = mine ? 'sent' : 'inbox';
  const other = m && (mine ? m.to : m.from)?.username;

  async function onDelete() {
    setDeleting(true);
    setDeleteError(null);
    try {
      await api.deleteMessage(id);
      go(back, null, null, { kind: 'success', text: 'The image was deleted.' });
    } catch (err) {
      setDeleteError(err);
      setDeleting(false);
      setConfirming(false);
    }
  }

  if (state.loading) return <Loading />;
  if (state.error) {
    return (
      <Card className="space-y-4">
        <h1 className="text-lg font-semibold">
          {state.error.status === 403 ? 'Message request' : state.error.status === 410 ? 'Image gone' : state.error.status === 404 ? 'Image not found' : 'Cannot open this image'}
        </h1>
        {/* 410: deleted, viewed once or expired; the server says which, to this person. */}
        <Alert>{state.error.status === 410 ? state.error.message : state.error.status === 404 ? goneText(state.error) : errorText(state.error)}</Alert>
        <div className="flex flex-wrap gap-2">
          {/* 403: a message request, not accepted yet; it is decided there. */}
          {state.error.status === 403 && (
            <LinkButton variant="primary" href="#/requests">
              Message requests
            </LinkButton>
          )}
          <LinkButton variant="secondary" href="#/inbox">
            Back to inbox
          </LinkButton>
        </div>
      </Card>
    );
  }

  if (viewed) return <ViewedOnce viewed={viewed} />;
  const once = Boolean(m.view_once);
  function onViewed(r) {
    setViewed(r);
    if (onOpened) onOpened(); // it was unread: refresh the count
  }

  return (
    <article className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <LinkButton variant="link" href={`#/${back}`}>
          ← Back to {back}
        </LinkButton>
        {!mine && m.from && (
          <LinkButton variant="secondary" size="sm" href={hrefFor('send', null, { to: m.from.username })}>
            Reply with an image
          </LinkButton>
        )}
      </div>
      {notice && <Alert kind={notice.kind}>{notice.text}</Alert>}
      <Card className="space-y-4">
        <header>
          <h1 className="text-lg font-semibold wrap-anywhere">
            {mine ? 'To' : 'From'} <UserText>{(mine ? m.to : m.from)?.username || 'unknown'}</UserText>
          </h1>
          <p className="text-sm text-slate-500">
            Sent <time dateTime={m.sent_at}>{formatDate(m.sent_at)}</time>
            {m.expires_at && ` · ${expiresIn(m.expires_at)}`}
            {mine &&
              (m.read_at ? (
                <>
                  {' · '}
                  Opened <time dateTime={m.read_at}>{formatDate(m.read_at)}</time>
                </>
              ) : (
                ' · Delivered'
              ))}
          </p>
        </header>
        {once ? (
          <ViewOncePanel m={m} mine={mine} onViewed={onViewed} />
        ) : (
          <div className="flex justify-center overflow-hidden rounded-lg bg-slate-100">
            {imgFailed ? (
              <p className="p-8 text-sm text-slate-600">The image could not be loaded.</p>
            ) : (
              <a
                href={api.imageUrl(id)}
                className="block cursor-zoom-in rounded-lg focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-indigo-500"
                onClick={(e) => viewer.open(e, [{ src: api.imageUrl(id), alt: m.caption || m.filename || 'Image message', href: '' }], 0)}
              >
                <img
                  src={api.imageUrl(id)}
                  alt={m.caption || m.filename || 'Image message'}
                  className="block h-auto max-h-[70vh] max-w-full object-contain"
                  onError={() => setImgFailed(true)}
                />
              </a>
            )}
          </div>
        )}
        {m.caption && (
          <p dir="auto" className="whitespace-pre-wrap text-slate-800 wrap-anywhere">
            {m.caption}
          </p>
        )}
        {!once && (
          <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1 text-sm">
            <dt className="text-slate-500">File name</dt>
            <dd dir="auto" className="text-slate-800 wrap-anywhere">
              {m.filename || '—'}
            </dd>
            <dt className="text-slate-500">Type</dt>
            <dd className="text-slate-800">
              {typeLabel(m.content_type)} · {formatBytes(m.size)}
            </dd>
          </dl>
        )}
        {deleteError && <Alert>{errorText(deleteError)}</Alert>}
        <div className="flex flex-wrap items-center gap-2 border-t border-slate-100 pt-4">
          {!once && (
            <LinkButton variant="secondary" size="sm" href={api.downloadUrl(id)} download={m.filename || true}>
              Download
            </LinkButton>
          )}
          <Button variant="danger" size="sm" className="ml-auto" onClick={() => setConfirming(true)}>
            Delete
          </Button>
        </div>
        {confirming && (
          <ConfirmDialog
            title="Delete this image for both of you?"
            confirmLabel="Delete"
            busyLabel="Deleting…"
            busy={deleting}
            onConfirm={onDelete}
            onCancel={() => setConfirming(false)}
          >
            <UserText>{other || 'The other person'}</UserText> and you will no longer be able to see it. This cannot be undone.
          </ConfirmDialog>
        )}
        {viewer.element}
      </Card>
    </article>
  );
}
