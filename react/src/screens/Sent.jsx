import { useEffect, useRef } from 'react';
import * as api from '../api/client.js';
import { formatDate } from '../lib/format.js';
import { usePaged } from '../lib/usePaged.js';
import { Alert, Button, Card, LinkButton, Loading, PageTitle, UserText, errorText } from '../components/ui.jsx';
import MessageRow from './MessageRow.jsx';

// version grows when the sent box changed (a recipient opened a message,
// a live event) or Sent was clicked while here: the list reloads in place.
export default function Sent({ notice, version = 0 }) {
  const list = usePaged(async (cursor) => {
    const r = await api.listMessages({ box: 'sent', status: 'all', cursor });
    return { items: r.messages || [], next: r.next_cursor };
  }, []);
  const refresh = useRef(list.refresh);
  refresh.current = list.refresh;
  const seen = useRef(version); // what the first load already shows
  useEffect(() => {
    if (version !== seen.current) {
      seen.current = version;
      refresh.current();
    }
  }, [version]);

  return (
    <div>
      <PageTitle sub="Images you sent, and whether they were opened.">Sent</PageTitle>
      {notice && (
        <div className="mb-4">
          <Alert kind={notice.kind}>{notice.text}</Alert>
        </div>
      )}
      {list.error && <Alert>{errorText(list.error)}</Alert>}
      {!list.loading && !list.error && list.items.length === 0 && (
        <Card className="text-center text-sm text-slate-600">
          You have not sent any images yet.
          <div className="mt-4">
            <LinkButton variant="primary" href="#/send">
              Send an image
            </LinkButton>
          </div>
        </Card>
      )}
      {list.items.length > 0 && (
        <Card>
          <ul className="divide-y divide-slate-100" aria-label="Sent messages">
            {list.items.map((m) => (
              <MessageRow
                key={m.id}
                m={m}
                who={<>To <UserText>{m.to ? m.to.username : 'unknown'}</UserText></>}
                title={`To ${m.to ? m.to.username : 'unknown'}`}
                status={m.read_at ? `Opened ${formatDate(m.read_at)}` : 'Delivered'}
              />
            ))}
          </ul>
        </Card>
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
