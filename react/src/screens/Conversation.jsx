import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import * as api from '../api/client.js';
import { formatBytes, formatDate, typeLabel } from '../lib/format.js';
import { hrefFor } from '../lib/route.js';
import Thumb from '../components/Thumb.jsx';
import RetentionBadge from '../components/RetentionBadge.jsx';
import { useViewer } from '../components/Viewer.jsx';
import { retentionLabel } from '../lib/retention.js';
import { Alert, Button, Card, LinkButton, Loading, PageTitle, UserText, errorText } from '../components/ui.jsx';
import { BlockStep, BlockedBanner, useBlocking } from './ConversationBlock.jsx';
import RequestActions, { REQUEST_NOTICES } from './RequestActions.jsx';
import Composer from './Composer.jsx';

// Nobody blocks themselves (the server answers 400): no step in a conversation with oneself.
const isSelf = (name, me) => Boolean(me && me.username === name);

const isMine = (m, me) => Boolean(me && m.from && (m.from.id === me.id || m.from.username === me.username));

// A message request the person received: nothing of it shows until they accept.
const isRequest = (m, me) => Boolean(m.request) && !isMine(m, me);

// The images exchanged with one person, newest last, like a chat. The API pages
// backwards: each page is oldest first, and next_cursor fetches the older one.
// version grows when the inbox or sent box changed: the newest page reloads.
export default function Conversation({ username, me, notice, version = 0, limits = null }) {
  const [state, setState] = useState({ messages: [], next: '', loading: true, error: null, who: null });
  const seq = useRef(0);

  const load = useCallback(
    async (cursor) => {
      const my = ++seq.current;
      setState((s) => ({ ...s, loading: true, error: null }));
      try {
        const r = await api.getConversation(username, { cursor });
        if (my !== seq.current) return;
        setState((s) => ({
          messages: cursor ? [...(r.messages || []), ...s.messages] : r.messages || [],
          next: r.next_cursor || '',
          loading: false,
          error: null,
          who: r.with || s.who,
        }));
      } catch (err) {
        if (my === seq.current) setState((s) => ({ ...s, loading: false, error: err }));
      }
    },
    [username],
  );

  useEffect(() => {
    load('');
  }, [load, version]);

  // Blocking: the banner and the "Block …" step; a change reloads the images and
  // its notice takes the focus (the pressed button is gone), as a page would.
  // Block… of a request blocks too: blockedAt makes useBlocking ask again.
  const [blockedAt, setBlockedAt] = useState(0);
  const blocking = useBlocking(username, blockedAt);
  const [said, setSaid] = useState(null); // this screen's last change: {text}
  const noticeBox = useRef(null);
  useEffect(() => {
    if (blocking.notice) {
      setSaid({ text: blocking.notice });
      load('');
    }
  }, [blocking.notice, load]);
  // In the commit that shows the notice, so it never shows unfocused.
  useLayoutEffect(() => {
    if (said) noticeBox.current?.focus();
  }, [said]);
  const shownNotice = said ? { kind: 'success', text: said.text } : notice;

  // A request decided in the banner: the images reload (shown, or gone).
  function onDecided(kind) {
    setSaid({ text: REQUEST_NOTICES[kind] });
    if (kind === 'block') setBlockedAt((n) => n + 1);
    load('');
  }
  const requests = state.messages.filter((m) => isRequest(m, me)).length;

  // The composer: the image it is sending shows at the end of the thread
  // with its progress (pending) until the send answers, then in its place
  // the stored message; quote is the image a reply quotes (Reply).
  const [pending, setPending] = useState(null);
  const [quote, setQuote] = useState(null);
  function onSent(ms) {
    setQuote(null);
    const ids = new Set(ms.map((m) => m.id));
    setState((s) => ({ ...s, messages: [...s.messages.filter((x) => !ids.has(x.id)), ...ms] }));
    load('');
  }
  // The thread's items: an image, or an album's neighbouring images as one.
  const rows = [];
  for (const m of state.messages) {
    const last = rows[rows.length - 1];
    if (m.album_id && !isRequest(m, me) && last?.[0].album_id === m.album_id) last.push(m);
    else rows.push([m]);
  }
  const byId = new Map(state.messages.map((m) => [m.id, m]));
  const canReply = requests === 0 && !isSelf(username, me);

  // Once the first images are there, show the first one from them not yet
  // opened, else the newest (the bottom, with the composer), as a chat does.
  const end = useRef(null);
  const shown = state.messages.length > 0;
  useEffect(() => {
    if (!shown) return;
    const first = state.messages.find((m) => !isMine(m, me) && !m.read_at && !m.request);
    const at = first && document.getElementById(`m-${first.id}`);
    if (at) at.scrollIntoView?.({ block: 'center' });
    else end.current?.scrollIntoView?.({ block: 'end' });
  }, [shown]); // eslint-disable-line react-hooks/exhaustive-deps

  const name = state.who?.username || username;
  // The full-screen viewer goes through the images shown, view-once ones
  // and requests left out (they open only by their own screen).
  const viewer = useViewer();
  const viewable = state.messages.filter((m) => !m.view_once && !isRequest(m, me));
  const items = viewable.map((m) => ({
    src: api.imageUrl(m.id),
    alt: `${isMine(m, me) ? 'Image you sent' : `Image from ${name}`}${m.snippet ? `: ${m.snippet}` : ''}`,
    href: hrefFor('message', m.id),
    read: !isMine(m, me) && !m.read_at ? api.messageUrl(m.id) : '',
  }));
  const view = (m) => (m.view_once ? undefined : (e) => viewer.open(e, items, viewable.indexOf(m)));
  if (state.error?.status === 404) {
    return (
      <Card className="space-y-4">
        <Alert>
          There is no one called <UserText>{username}</UserText>.
        </Alert>
        <LinkButton variant="secondary" href="#/inbox">
          Back to inbox
        </LinkButton>
      </Card>
    );
  }

  return (
    <div>
      <LinkButton variant="link" href="#/inbox" className="mb-3">
        ← Back to inbox
      </LinkButton>
      <PageTitle
        sub={
          <>
            Images you and <UserText>{name}</UserText> sent each other.
          </>
        }
      >
        <UserText>{name}</UserText>
      </PageTitle>
      {shownNotice && (
        <div ref={noticeBox} tabIndex={-1} className="mb-4 rounded-lg focus:outline-none">
          <Alert kind={shownNotice.kind}>{shownNotice.text}</Alert>
        </div>
      )}
      {blocking.blocked && <BlockedBanner name={name} blocking={blocking} />}
      {/* The count only when every page is here: else the question says "the images". */}
      {requests > 0 && <RequestBanner name={name} count={state.next ? 0 : requests} onDone={onDecided} />}
      {state.next && (
        <div className="mb-4 text-center">
          <Button variant="secondary" size="sm" onClick={() => load(state.next)} disabled={state.loading}>
            Load earlier
          </Button>
        </div>
      )}
      {state.error && <Alert>{errorText(state.error)}</Alert>}
      {!state.loading && !state.error && state.messages.length === 0 && (
        <Card className="text-center text-sm text-slate-600 wrap-anywhere">You and <UserText>{name}</UserText> have not sent each other any images yet.</Card>
      )}
      {(state.messages.length > 0 || pending) && (
        <ol aria-label={`Images with ${name}`} className="space-y-3">
          {rows.map(([m, ...more]) => (
            isRequest(m, me) ? (
              <RequestBubble key={m.id} m={m} name={name} />
            ) : (
              <Bubble key={m.id} m={m} album={more.length ? [m, ...more] : null} view={view} mine={isMine(m, me)} name={name} onView={view(m)} quoted={m.quote_id ? { id: m.quote_id, gone: m.quote_gone, thumbnail: m.quote_thumbnail || byId.get(m.quote_id)?.thumbnail } : null} onReply={canReply ? () => setQuote(m) : null} />
            )
          ))}
          {pending && <PendingBubble p={pending} />}
        </ol>
      )}
      {state.loading && <Loading />}
      {viewer.element}
      {canReply && (
        <Composer to={name} limits={limits} quote={quote} onUnquote={() => setQuote(null)} onPending={setPending} onSent={onSent} />
      )}
      {/* While requests wait, the banner's Accept, Delete… and Block… stand in for Block and Reply. */}
      <div ref={end} className="mt-6 flex flex-col-reverse items-stretch gap-3 sm:flex-row sm:items-start sm:justify-between">
        {requests === 0 && !isSelf(name, me) && <BlockStep name={name} blocking={blocking} />}
        {/* The composer above is where a reply goes; the Send page only where there is none. */}
        {requests === 0 && !canReply && (
          <LinkButton variant="primary" className="shrink-0 sm:ml-auto" href={hrefFor('send', null, { to: name })}>
            Reply with an image
          </LinkButton>
        )}
      </div>
    </div>
  );
}

// One image: a thumbnail that opens the message; mine on the right with its
// status, theirs on the left. The bubble is as wide as its image (w-min, as
// the server's page): the date below wraps instead of widening it.
function Bubble({ m, album, view, mine, name, onView, quoted, onReply }) {
  const Box = album ? 'div' : 'a';
  const unread = !mine && !m.read_at;
  const status = mine ? (m.read_at ? 'Opened' : 'Delivered') : null;
  return (
    <li className={`flex flex-col gap-1 ${mine ? 'items-end' : 'items-start'}`} data-mine={mine ? 'true' : 'false'}>
      {quoted?.gone && (
        <p data-testid="quote" className="max-w-[85%] rounded-lg border-l-4 border-slate-300 bg-slate-100 px-2 py-1 text-xs text-slate-600 italic">
          Original image is gone
        </p>
      )}
      {quoted && !quoted.gone && (
        <a href={hrefFor('message', quoted.id)} data-testid="quote" className="flex max-w-[85%] items-center gap-2 rounded-lg border-l-4 border-indigo-400 bg-slate-100 p-1 pr-3 text-xs text-slate-700">
          <Thumb src={quoted.thumbnail} size="size-10" />
          <span>In reply to this image</span>
        </a>
      )}
      <Box
        {...(album ? { 'data-album': m.album_id, role: 'group' } : { id: `m-${m.id}`, href: hrefFor('message', m.id), onClick: onView })}
        aria-label={`${album ? `Album of ${album.length} images` : mine ? 'Image you sent' : `Image from ${name}`}${m.snippet ? `: ${m.snippet}` : ''}${retentionLabel(m) ? `, ${retentionLabel(m)}` : ''}, ${formatDate(m.sent_at)}${status ? `, ${status}` : ''}${unread ? ', new' : ''}`}
        className={`flex w-min max-w-[85%] flex-col gap-1.5 rounded-2xl p-2 ring-1 ring-inset focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${
          mine ? 'items-end bg-indigo-50 ring-indigo-100 hover:bg-indigo-100' : 'items-start bg-surface ring-slate-200 hover:bg-slate-50'
        }`}
      >
        {album ? (
          <span className="grid w-max grid-cols-2 gap-1">
            {album.map((x, i) => (
              <a key={x.id} id={`m-${x.id}`} href={hrefFor('message', x.id)} onClick={view(x)} aria-label={`Image ${i + 1} of ${album.length}`} className="rounded-lg focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500">
                <Thumb src={x.thumbnail} size="size-24" />
              </a>
            ))}
          </span>
        ) : (
          <Thumb src={m.thumbnail} size="size-40" />
        )}
        {m.snippet && (
          <span dir="auto" className="max-w-40 px-1 text-sm text-slate-800 wrap-anywhere">
            {m.snippet}
          </span>
        )}{' '}
        <RetentionBadge m={m} />{' '}
        <span className="px-1 text-xs text-slate-600">
          <time dateTime={m.sent_at}>{formatDate(m.sent_at)}</time>
          {status && <span className="font-medium"> · {status}</span>}
          {unread && <span className="font-semibold text-indigo-700"> · New</span>}
        </span>
      </Box>
      {onReply && (
        <Button variant="link" size="sm" className="px-1 text-xs" aria-label="Reply to this image" onClick={onReply}>
          Reply
        </Button>
      )}
    </li>
  );
}

// PendingBubble is the image the composer is sending, with its upload's progress.
function PendingBubble({ p }) {
  return (
    <li className="flex flex-col items-end" data-pending="true">
      <div className="flex max-w-[85%] flex-col items-end gap-1.5 rounded-2xl bg-indigo-50 p-2 ring-1 ring-inset ring-indigo-100">
        <img src={p.url} alt="" className="size-40 rounded-lg object-cover opacity-70" />
        {p.count > 1 && <span className="px-1 text-xs text-slate-600">and {p.count - 1} more</span>}
        {p.caption && <span dir="auto" className="max-w-40 px-1 text-sm text-slate-800 wrap-anywhere">{p.caption}</span>}
        <progress max="1" value={p.progress ?? undefined} aria-label="Uploading" className="h-1.5 w-40" />
        <span className="px-1 text-xs text-slate-600">Sending…</span>
      </div>
    </li>
  );
}

// RequestBanner tops a conversation with someone whose images wait as message requests.
function RequestBanner({ name, count, onDone }) {
  return (
    <div className="mb-4 rounded-lg bg-amber-50 p-4 text-sm text-amber-900 ring-1 ring-amber-200" data-testid="request-banner">
      <p className="mb-3 wrap-anywhere">
        <UserText>{name}</UserText> is not someone you know. Accept to see their images.</p>
      <RequestActions name={name} count={count} onDone={onDone} />
    </div>
  );
}

// RequestBubble stands in for an image that is a request: no thumbnail, no
// caption, and it does not open.
function RequestBubble({ m, name }) {
  return (
    <li className="flex justify-start" data-mine="false" data-request="true">
      <div className="flex max-w-[85%] flex-col items-start gap-1.5 rounded-2xl bg-slate-100 p-2 ring-1 ring-inset ring-slate-200">
        <span aria-hidden="true" className="flex size-40 items-center justify-center rounded-lg bg-slate-200 text-slate-500">
          <svg viewBox="0 0 24 24" className="size-8" fill="none" stroke="currentColor" strokeWidth="1.5">
            <rect x="3" y="4" width="18" height="16" rx="2" />
            <path d="M8 12h8" />
          </svg>
        </span>
        <span className="px-1 text-sm text-slate-800">
          <span className="sr-only">
            From <UserText>{name}</UserText>:{' '}
          </span>
          <span className="font-medium">Message request</span> · {typeLabel(m.content_type)} · {formatBytes(m.size)}
        </span>
        <span className="px-1 text-xs text-slate-600">
          <time dateTime={m.sent_at}>{formatDate(m.sent_at)}</time>
        </span>
      </div>
    </li>
  );
}
