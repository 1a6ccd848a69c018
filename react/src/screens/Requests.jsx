import { useLayoutEffect, useRef, useState } from 'react';
import * as api from '../api/client.js';
import { formatDate } from '../lib/format.js';
import { hrefFor } from '../lib/route.js';
import { Alert, Card, LinkButton, Loading, PageTitle, errorText } from '../components/ui.jsx';
import RequestActions, { REQUEST_NOTICES, imagesText } from './RequestActions.jsx';
import { useLoad } from '../lib/useLoad.js';

// The server page's words (views/requests.templ).
export const REQUESTS_INTRO =
  'Images from people you do not know wait here, unopened. They cannot see that you have not accepted: to them the images show as delivered.';

export const requestsHint = (on) =>
  on
    ? 'You only accept images from people you know. Images from anyone else wait here until you accept them.'
    : 'Turn on “Only accept images from people I know” in your privacy settings, and images from anyone else wait here until you accept them.';

// Message requests (#/requests): one row per person waiting, with Accept,
// Delete… and Block…. version grows on live events: the list reloads.
export default function Requests({ notice, version = 0 }) {
  const [requests, setRequests] = useState(null); // null until loaded
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null); // the last decision: {kind, name}
  const noticeBox = useRef(null);

  useLoad(api.listRequests, (r) => (setRequests(r?.requests || []), setError(null)), setError, [version]);

  // The pressed button is gone with its row: the notice takes the focus, so it is heard.
  useLayoutEffect(() => {
    if (done) noticeBox.current?.focus();
  }, [done]);

  function onDone(name, kind) {
    setRequests((list) => list.filter((r) => r.username !== name));
    setDone({ kind, name });
  }

  return (
    <div>
      <LinkButton variant="link" href="#/inbox" className="mb-3">
        ← Back to inbox
      </LinkButton>
      <PageTitle sub={REQUESTS_INTRO}>Message requests</PageTitle>
      {done ? (
        <div ref={noticeBox} tabIndex={-1} className="mb-4 rounded-lg focus:outline-none">
          <Alert kind="success">
            {REQUEST_NOTICES[done.kind]}{' '}
            {done.kind === 'accept' && (
              <a className="font-semibold underline" href={hrefFor('conversation', done.name)}>
                See {done.name}’s images
              </a>
            )}
          </Alert>
        </div>
      ) : (
        notice && (
          <div className="mb-4">
            <Alert kind={notice.kind}>{notice.text}</Alert>
          </div>
        )
      )}
      {error && <Alert>{errorText(error)}</Alert>}
      {!requests && !error && <Loading />}
      {requests && requests.length === 0 && <NoRequests />}
      {requests && requests.length > 0 && (
        <ul aria-label="Message requests" className="divide-y divide-slate-100 rounded-xl bg-surface shadow-sm ring-1 ring-slate-200">
          {requests.map((r) => (
            <li key={r.username} className="flex flex-col gap-3 px-4 py-3 sm:flex-row sm:items-center sm:justify-between sm:px-5">
              <div className="min-w-0">
                <p className="truncate font-semibold text-slate-900">{r.username}</p>
                <p className="text-sm text-slate-600">
                  {imagesText(r.count)} · <time dateTime={r.latest}>{formatDate(r.latest)}</time>
                </p>
              </div>
              <RequestActions name={r.username} count={r.count} onDone={(kind) => onDone(r.username, kind)} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

// NoRequests says how requests come about, by whether the setting is on.
function NoRequests() {
  const [on, setOn] = useState(null);
  // Unknown (an error) reads as off: the hint then says how to turn it on.
  useLoad(api.getPrivacy, (r) => setOn(Boolean(r?.privacy?.message_requests)), () => setOn(false), []);
  return (
    <Card className="text-center text-sm text-slate-600">
      <p className="font-medium text-slate-900">No message requests.</p>
      {on !== null && <p className="mt-1">{requestsHint(on)}</p>}
      <div className="mt-4">
        <LinkButton variant="secondary" href="#/account">
          Privacy settings
        </LinkButton>
      </div>
    </Card>
  );
}
