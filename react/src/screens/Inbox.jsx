import { useEffect, useRef, useState } from 'react';
import * as api from '../api/client.js';
import { groupBySender } from '../lib/group.js';
import { hrefFor } from '../lib/route.js';
import { usePaged } from '../lib/usePaged.js';
import { liveText } from '../lib/live.js';
import { Alert, Badge, Button, Card, LinkButton, Loading, PageTitle, errorText } from '../components/ui.jsx';
import { formatDate } from '../lib/format.js';
import Thumb from '../components/Thumb.jsx';
import { useLoad } from '../lib/useLoad.js';

const tab = (active) =>
  `rounded-md px-3 py-1 text-sm font-medium focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${
    active ? 'bg-surface text-slate-900 shadow-sm' : 'text-slate-600 hover:text-slate-900'
  }`;

// version grows when the inbox changed (a live event, or a click on Inbox
// while here): the list reloads in place. live is the stream's status.
// requestsVersion grows when the message requests may have changed. storage is /api/me's
// word on the person's storage: when full, images sent to them are refused, so the inbox
// says so and points to the message requests, which may be what fills it.
export default function Inbox({ notice, setUnread, version = 0, requestsVersion = 0, live, storage }) {
  const [status, setStatus] = useState('all');
  const list = usePaged(
    async (cursor) => {
      const r = await api.listMessages({ box: 'inbox', status, cursor });
      setUnread(r.unread);
      return { items: r.messages || [], next: r.next_cursor, extra: r.unread };
    },
    [status],
  );
  const waiting = useRequestCount(requestsVersion); // after the list: it loads first
  const refresh = useRef(list.refresh);
  refresh.current = list.refresh;
  const seen = useRef(version); // what the first load already shows
  useEffect(() => {
    if (version !== seen.current) {
      seen.current = version;
      refresh.current();
    }
  }, [version]);
  const liveStatus = liveText(live);
  // One list, one entry per sender, in the order of the shared inbox rule (lib/group.js).
  const groups = groupBySender(list.items);

  return (
    <div>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <PageTitle sub={typeof list.extra === 'number' ? `${list.extra} unread` : undefined}>Inbox</PageTitle>
        <div role="group" aria-label="Show" className="mb-4 inline-flex rounded-lg bg-slate-200 p-1">
          <button type="button" className={tab(status === 'all')} aria-pressed={status === 'all'} onClick={() => setStatus('all')}>
            All
          </button>
          <button type="button" className={tab(status === 'unread')} aria-pressed={status === 'unread'} onClick={() => setStatus('unread')}>
            Unread
          </button>
        </div>
      </div>
      {storage?.full && (
        <div role="status" data-testid="storage-full" className="mb-4 rounded-lg bg-amber-50 p-4 text-sm text-amber-900 ring-1 ring-amber-200">
          <p>Your storage is full: images sent to you are refused until you delete some.</p>
          <p className="mt-2">
            <a href="#/requests" className="font-medium text-indigo-700 underline-offset-2 hover:underline">
              Review message requests
            </a>
          </p>
        </div>
      )}
      {waiting > 0 && (
        <a
          href="#/requests"
          data-testid="requests-link"
          className="mb-4 flex items-center justify-between gap-3 rounded-xl bg-surface px-4 py-3 text-sm font-medium text-slate-700 shadow-sm ring-1 ring-slate-200 hover:bg-slate-50 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-indigo-500"
        >
          <span>Message requests ({waiting})</span>
          <span aria-hidden="true" className="text-slate-400">
            →
          </span>
        </a>
      )}
      {liveStatus && (
        <p role="status" data-testid="live-status" className="-mt-2 mb-4 text-sm text-slate-600">
          {liveStatus}
        </p>
      )}
      {notice && (
        <div className="mb-4">
          <Alert kind={notice.kind}>{notice.text}</Alert>
        </div>
      )}
      {list.error && <Alert>{errorText(list.error)}</Alert>}
      {!list.loading && !list.error && groups.length === 0 && (
        <Card className="text-center text-sm text-slate-600">
          {status === 'unread'
            ? 'No unread messages.'
            : waiting > 0
              ? 'Only message requests so far. Images from people you know show up here; open the requests above to decide on the others.'
              : 'No images yet. When someone sends you an image, it shows up here.'}
          <div className="mt-4">
            <LinkButton variant="primary" href="#/users">
              Find people
            </LinkButton>
          </div>
        </Card>
      )}
      {groups.length > 0 && (
        <div className="overflow-hidden rounded-xl bg-surface shadow-sm ring-1 ring-slate-200">
          <ul aria-label="Conversations" className="divide-y divide-slate-100">
            {groups.map((g) => (
              <ConversationEntry key={g.sender.id || g.sender.username} g={g} />
            ))}
          </ul>
        </div>
      )}
      {list.loading && <Loading />}
      {!list.loading && list.next && (
        <div className="mt-4">
          <Button variant="secondary" className="w-full" onClick={list.loadMore}>
            Load more
          </Button>
        </div>
      )}
    </div>
  );
}

// useRequestCount is how many people wait as message requests (0 while
// unknown, or when the server cannot say: the inbox works without it).
function useRequestCount(version) {
  const [count, setCount] = useState(0);
  // An error leaves the count as it was: the inbox works without it.
  useLoad(api.listRequests, (r) => setCount((r?.requests || []).length), () => {}, [version]);
  return count;
}

const newestFirst = (a, b) => (Date.parse(b.sent_at) || 0) - (Date.parse(a.sent_at) || 0);

// One person in the inbox: the newest image's thumbnail and caption start,
// their name, when, and how many are new; it opens the conversation with them.
function ConversationEntry({ g }) {
  const newest = [...g.messages].sort(newestFirst)[0];
  const unread = g.unread > 0;
  return (
    <li>
      <a
        href={hrefFor('conversation', g.sender.username)}
        className="flex items-center gap-3 px-4 py-3 hover:bg-slate-50 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-indigo-500 sm:px-5"
      >
        <Thumb src={newest.thumbnail} size="size-14" />
        <span className="min-w-0 flex-1">
          <span className="sr-only">Images from </span>
          <span dir="auto" className={`block truncate ${unread ? 'font-semibold text-slate-900' : 'text-slate-700'}`} title={g.sender.username}>
            {g.sender.username}
          </span>{' '}
          {newest.snippet ? (
            <span dir="auto" className="block truncate text-sm text-slate-600" title={newest.snippet}>
              {newest.snippet}
            </span>
          ) : (
            <span className="block truncate text-sm text-slate-600">Image</span>
          )}{' '}
          <span className="block text-xs text-slate-500">
            <time dateTime={newest.sent_at}>{formatDate(newest.sent_at)}</time>
          </span>
        </span>{' '}
        {unread && <Badge>{g.unread} new</Badge>}
      </a>
    </li>
  );
}
