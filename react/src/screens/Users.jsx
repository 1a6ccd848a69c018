import { useEffect, useState } from 'react';
import * as api from '../api/client.js';
import { hrefFor } from '../lib/route.js';
import { usePaged } from '../lib/usePaged.js';
import { Alert, Button, Card, Field, LinkButton, Loading, PageTitle, errorText } from '../components/ui.jsx';

export default function Users({ notice }) {
  const [q, setQ] = useState('');
  const [debounced, setDebounced] = useState('');

  useEffect(() => {
    const t = setTimeout(() => setDebounced(q.trim()), 250);
    return () => clearTimeout(t);
  }, [q]);

  const list = usePaged(
    async (cursor) => {
      const r = await api.listUsers({ q: debounced, cursor });
      return { items: r.users || [], next: r.next_cursor };
    },
    [debounced],
  );

  return (
    <div>
      <PageTitle sub="Pick someone to send an image to.">People</PageTitle>
      {notice && (
        <div className="mb-4">
          <Alert kind={notice.kind}>{notice.text}</Alert>
        </div>
      )}
      <Card className="space-y-4">
        <form role="search" onSubmit={(e) => e.preventDefault()}>
          <Field label="Search people" type="search" name="q" placeholder="Username" autoComplete="off" value={q} onChange={(e) => setQ(e.target.value)} />
        </form>
        {list.error && <Alert>{errorText(list.error)}</Alert>}
        {!list.loading && !list.error && list.items.length === 0 && (
          <p className="py-4 text-center text-sm text-slate-500">{debounced ? `No one matches “${debounced}”.` : 'No other users yet.'}</p>
        )}
        {list.items.length > 0 && (
          <ul className="divide-y divide-slate-100" aria-label="Users">
            {list.items.map((u) => (
              <li key={u.id || u.username} className="flex items-center justify-between gap-3 py-3">
                <span className="flex min-w-0 items-center gap-3">
                  <span aria-hidden="true" className="flex size-9 shrink-0 items-center justify-center rounded-full bg-indigo-50 text-sm font-semibold uppercase text-indigo-700">
                    {u.username.slice(0, 1)}
                  </span>
                  <span dir="auto" className="truncate font-medium" title={u.username}>
                    {u.username}
                  </span>
                </span>
                <LinkButton variant="secondary" size="sm" className="shrink-0" href={hrefFor('send', null, { to: u.username })} aria-label={`Send an image to ${u.username}`}>
                  Send an image
                </LinkButton>
              </li>
            ))}
          </ul>
        )}
        {list.loading && <Loading />}
        {!list.loading && list.next && (
          <Button variant="secondary" className="w-full" onClick={list.loadMore}>
            Load more
          </Button>
        )}
      </Card>
    </div>
  );
}
