import { useCallback, useEffect, useRef, useState } from 'react';
import * as api from '../api/client.js';
import { formatDate } from '../lib/format.js';
import { hrefFor } from '../lib/route.js';
import Thumb from '../components/Thumb.jsx';
import RetentionBadge from '../components/RetentionBadge.jsx';
import { retentionLabel } from '../lib/retention.js';
import { Alert, Button, Card, LinkButton, Loading, PageTitle, errorText } from '../components/ui.jsx';
import { BlockStep, BlockedBanner, useBlocking } from './ConversationBlock.jsx';

// Nobody blocks themselves (the server answers 400): no step in a conversation with oneself.
const isSelf = (name, me) => Boolean(me && me.username === name);

const isMine = (m, me) => Boolean(me && m.from && (m.from.id === me.id || m.from.username === me.username));

// The images exchanged with one person, newest last, like a chat. The API pages
// backwards: each page is oldest first, and next_cursor fetches the older one.
// version grows when the inbox or sent box changed: the newest page reloads.
export default function Conversation({ username, me, notice, version = 0 }) {
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
  const blocking = useBlocking(username);
  const noticeBox = useRef(null);
  useEffect(() => {
    if (blocking.notice) {
      noticeBox.current?.focus();
      load('');
    }
  }, [blocking.notice, load]);
  const shownNotice = blocking.notice ? { kind: 'success', text: blocking.notice } : notice;

  // Once the first images are there, show the newest (the bottom), as a chat does.
  const end = useRef(null);
  const shown = state.messages.length > 0;
  useEffect(() => {
    if (shown) end.current?.scrollIntoView?.({ block: 'end' });
  }, [shown]);

  const name = state.who?.username || username;
  if (state.error?.status === 404) {
    return (
      <Card className="space-y-4">
        <Alert>There is no one called {username}.</Alert>
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
      <PageTitle sub={`Images you and ${name} sent each other.`}>{name}</PageTitle>
      {shownNotice && (
        <div ref={noticeBox} tabIndex={-1} className="mb-4 rounded-lg focus:outline-none">
          <Alert kind={shownNotice.kind}>{shownNotice.text}</Alert>
        </div>
      )}
      {blocking.blocked && <BlockedBanner name={name} blocking={blocking} />}
      {state.next && (
        <div className="mb-4 text-center">
          <Button variant="secondary" size="sm" onClick={() => load(state.next)} disabled={state.loading}>
            Load earlier
          </Button>
        </div>
      )}
      {state.error && <Alert>{errorText(state.error)}</Alert>}
      {!state.loading && !state.error && state.messages.length === 0 && (
        <Card className="text-center text-sm text-slate-600">You and {name} have not sent each other any images yet.</Card>
      )}
      {state.messages.length > 0 && (
        <ol aria-label={`Images with ${name}`} className="space-y-3">
          {state.messages.map((m) => (
            <Bubble key={m.id} m={m} mine={isMine(m, me)} name={name} />
          ))}
        </ol>
      )}
      {state.loading && <Loading />}
      <div ref={end} className="mt-6 flex flex-col-reverse items-stretch gap-3 sm:flex-row sm:items-start sm:justify-between">
        {!isSelf(name, me) && <BlockStep name={name} blocking={blocking} />}
        <LinkButton variant="primary" className="shrink-0 sm:ml-auto" href={hrefFor('send', null, { to: name })}>
          Reply with an image
        </LinkButton>
      </div>
    </div>
  );
}

// One image: a thumbnail that opens the message; mine on the right with its
// status, theirs on the left.
function Bubble({ m, mine, name }) {
  const unread = !mine && !m.read_at;
  const status = mine ? (m.read_at ? 'Opened' : 'Delivered') : null;
  return (
    <li className={`flex ${mine ? 'justify-end' : 'justify-start'}`} data-mine={mine ? 'true' : 'false'}>
      <a
        href={hrefFor('message', m.id)}
        aria-label={`${mine ? 'Image you sent' : `Image from ${name}`}${m.snippet ? `: ${m.snippet}` : ''}${retentionLabel(m) ? `, ${retentionLabel(m)}` : ''}, ${formatDate(m.sent_at)}${status ? `, ${status}` : ''}${unread ? ', new' : ''}`}
        className={`flex max-w-[85%] flex-col gap-1.5 rounded-2xl p-2 ring-1 ring-inset focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${
          mine ? 'items-end bg-indigo-50 ring-indigo-100 hover:bg-indigo-100' : 'items-start bg-white ring-slate-200 hover:bg-slate-50'
        }`}
      >
        <Thumb src={m.thumbnail} size="size-40" />
        {m.snippet && <span className="max-w-40 break-words px-1 text-sm text-slate-800">{m.snippet}</span>}{' '}
        <RetentionBadge m={m} />{' '}
        <span className="px-1 text-xs text-slate-600">
          <time dateTime={m.sent_at}>{formatDate(m.sent_at)}</time>
          {status && <span className="font-medium"> · {status}</span>}
          {unread && <span className="font-semibold text-indigo-700"> · New</span>}
        </span>
      </a>
    </li>
  );
}
