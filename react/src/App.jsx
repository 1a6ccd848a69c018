import { useCallback, useEffect, useState } from 'react';
import * as api from './api/client.js';
import { AUTH_SCREENS, hrefFor, navigate, parseHash } from './lib/route.js';
import { unreadBadge, unreadLabel } from './lib/format.js';
import { useLiveEvents } from './lib/live.js';
import { Alert, Badge, Button, Card, Loading, errorText } from './components/ui.jsx';
import Login from './screens/Login.jsx';
import Signup from './screens/Signup.jsx';
import Verify from './screens/Verify.jsx';
import Forgot from './screens/Forgot.jsx';
import Reset from './screens/Reset.jsx';
import Conversation from './screens/Conversation.jsx';
import Users from './screens/Users.jsx';
import Send from './screens/Send.jsx';
import Inbox from './screens/Inbox.jsx';
import Sent from './screens/Sent.jsx';
import MessageView from './screens/MessageView.jsx';
import Account from './screens/Account.jsx';
import Requests from './screens/Requests.jsx';
import { DELETED_NOTICE } from './screens/DeleteAccount.jsx';

const NAV = [
  ['inbox', 'Inbox'],
  ['sent', 'Sent'],
  ['users', 'People'],
  ['send', 'Send'],
];

export default function App() {
  const [hash, setHash] = useState(() => window.location.hash);
  // status: loading | in | out | error. limits: the server's upload and caption limits from
  // /api/me (null from an older server that does not send them); storage: how full the
  // person's storage is, from /api/me (the inbox says when it is full).
  const [session, setSession] = useState({ status: 'loading', user: null, unread: 0, limits: null, error: null });
  // A one-shot notice shown on the screen it was meant for.
  const [flash, setFlash] = useState(null);

  useEffect(() => {
    const onHash = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const refreshMe = useCallback(async () => {
    try {
      const r = await api.me();
      setSession(
        r
          ? { status: 'in', user: r.user, unread: r.unread ?? 0, limits: r.limits ?? null, storage: r.storage ?? null, error: null }
          : { status: 'out', user: null, unread: 0, limits: null, error: null },
      );
    } catch (err) {
      setSession((s) => (s.status === 'in' ? s : { status: 'error', user: null, unread: 0, limits: null, error: err }));
    }
  }, []);

  useEffect(() => {
    refreshMe();
  }, [refreshMe]);

  useEffect(() => {
    api.setUnauthorizedHandler(() => {
      setSession({ status: 'out', user: null, unread: 0, limits: null, error: null });
      setFlash({ hash: window.location.hash, kind: 'info', text: 'Your session ended. Please log in again.' });
    });
    return () => api.setUnauthorizedHandler(null);
  }, []);

  // Navigate, optionally leaving a notice for the target screen.
  const go = useCallback((name, arg, params, notice) => {
    const target = hrefFor(name, arg, params);
    setFlash(notice ? { hash: target, ...notice } : null);
    navigate(name, arg, params);
    setHash(target);
  }, []);

  const setUnread = useCallback((unread) => {
    if (typeof unread === 'number') setSession((s) => (s.status === 'in' ? { ...s, unread } : s));
  }, []);

  const route = parseHash(hash);
  const signedIn = session.status === 'in';
  // The live inbox: new messages, opened ones and the count arrive over /api/events.
  const live = useLiveEvents(signedIn, setUnread);

  // Storage fills and frees with what arrives and goes: when the inbox or the
  // requests change, read /api/me's word on it again (only that: the live
  // events carry the unread count). A read that fails leaves the notice as it
  // was until the next change.
  useEffect(() => {
    if (!signedIn || live.inbox + live.requests === 0) return;
    let current = true;
    api.me().then(
      (r) => current && r && setSession((s) => (s.status === 'in' ? { ...s, storage: r.storage ?? null } : s)),
      () => {},
    );
    return () => {
      current = false;
    };
  }, [signedIn, live.inbox, live.requests]);

  // A signed-in person asking for login/sign-up lands in the inbox.
  useEffect(() => {
    if (signedIn && (route.name === 'login' || route.name === 'signup')) navigate('inbox');
  }, [signedIn, route.name]);

  async function onLogout() {
    try {
      await api.logout();
    } catch {
      // the session is gone either way for this tab
    }
    setSession({ status: 'out', user: null, unread: 0, limits: null, error: null });
    go('login', null, null, { kind: 'success', text: 'You are logged out.' });
  }

  // The server deleted the account and cleared the cookie: forget the user, as the pages do.
  function onAccountDeleted() {
    setSession({ status: 'out', user: null, unread: 0, limits: null, error: null });
    go('login', null, null, { kind: 'success', text: DELETED_NOTICE });
  }

  function onLoggedIn(user, next) {
    setSession((s) => ({ status: 'in', user, unread: s.unread, limits: s.limits, storage: s.storage, error: null }));
    refreshMe();
    const target = next && parseHash(next).name && !['login', 'signup', 'verify'].includes(parseHash(next).name) ? next : '#/inbox';
    setFlash(null);
    window.location.hash = target;
    setHash(target);
  }

  const notice = flash && flash.hash === hash ? flash : null;

  // A new action (a form sent, a button pressed) makes the last notice stale: it goes
  // at once, so an old "done" can never sit above the new action's error. A button
  // that leaves a notice of its own sets it after this (capture runs first).
  const dropNotice = useCallback(() => setFlash(null), []);
  const onMainClick = useCallback((e) => e.target.closest?.('button') && dropNotice(), [dropNotice]);

  let screen;
  if (session.status === 'loading') {
    screen = <Loading />;
  } else if (session.status === 'error') {
    screen = (
      <Card className="mx-auto max-w-md space-y-4">
        <Alert>{errorText(session.error)}</Alert>
        <Button onClick={refreshMe}>Try again</Button>
      </Card>
    );
  } else {
    const name = route.name || (signedIn ? 'inbox' : 'login');
    const needsLogin = AUTH_SCREENS.includes(name) && !signedIn;
    const common = { go, params: route.params, notice };
    if (needsLogin || name === 'login') {
      screen = (
        <Login
          {...common}
          next={needsLogin && route.name ? hash : route.params.next}
          onLoggedIn={onLoggedIn}
        />
      );
    } else if (name === 'signup') screen = <Signup {...common} />;
    else if (name === 'verify') screen = <Verify {...common} onLoggedIn={onLoggedIn} />;
    else if (name === 'forgot') screen = <Forgot {...common} />;
    else if (name === 'reset') screen = <Reset {...common} />;
    else if (name === 'users') screen = <Users {...common} />;
    else if (name === 'send') screen = <Send {...common} limits={session.limits} />;
    else if (name === 'inbox')
      screen = (
        <Inbox
          key="inbox"
          {...common}
          setUnread={setUnread}
          version={live.inbox}
          requestsVersion={live.inbox + live.requests}
          live={live.status}
          storage={session.storage}
        />
      );
    else if (name === 'requests') screen = <Requests {...common} version={live.inbox + live.requests} />;
    else if (name === 'sent') screen = <Sent {...common} version={live.sent} />;
    else if (name === 'message')
      screen = <MessageView key={route.arg} {...common} id={route.arg} me={session.user} onOpened={refreshMe} />;
    else if (name === 'account') screen = <Account me={session.user} onDeleted={onAccountDeleted} />;
    else if (name === 'conversation')
      screen = <Conversation key={route.arg} {...common} username={route.arg} me={session.user} limits={session.limits} version={live.inbox + live.sent + live.requests} />;
  }

  const current = route.name || (signedIn ? 'inbox' : 'login');

  // The tab's title counts unread messages, as on the server pages: "(2) Inbox · ImageApp".
  const label = current === 'requests' ? 'Message requests' : NAV.find(([n]) => n === current)?.[1];
  const title = `${signedIn && session.unread > 0 ? `(${unreadBadge(session.unread)}) ` : ''}${label ? `${label} · ` : ''}ImageApp`;
  useEffect(() => {
    document.title = title;
  }, [title]);

  return (
    <div className="flex min-h-screen flex-col">
      <header className="border-b border-slate-200 bg-surface">
        <div className="mx-auto flex max-w-3xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
          <a
            href={signedIn ? '#/inbox' : '#/login'}
            className="rounded text-lg font-bold tracking-tight text-indigo-700 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
          >
            ImageApp
          </a>
          {signedIn && (
            <>
              <nav aria-label="Main" className="order-3 -mx-1 flex w-full gap-1 overflow-x-auto sm:order-none sm:w-auto">
                {NAV.map(([name, label]) => {
                  const here = current === name;
                  // Message requests belong to the inbox, as on the server pages.
                  const active = here || (name === 'inbox' && current === 'requests');
                  return (
                    <a
                      key={name}
                      href={`#/${name}`}
                      aria-current={here ? 'page' : active ? 'true' : undefined}
                      onClick={(e) => {
                        // Already here: the hash does not change, so reload the list instead.
                        if (here && (name === 'inbox' || name === 'sent')) {
                          e.preventDefault();
                          live.reload(name);
                        }
                      }}
                      className={`inline-flex items-center gap-1.5 whitespace-nowrap rounded-lg px-3 py-1.5 text-sm font-medium focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${
                        active ? 'bg-indigo-50 text-indigo-700' : 'text-slate-600 hover:bg-slate-100 hover:text-slate-900'
                      }`}
                    >
                      {label}
                      {name === 'inbox' && session.unread > 0 && (
                        <Badge label={unreadLabel(session.unread)}>{unreadBadge(session.unread)}</Badge>
                      )}
                    </a>
                  );
                })}
              </nav>
              <div className="ml-auto flex items-center gap-3">
                <span dir="auto" className="hidden max-w-40 truncate text-sm text-slate-600 sm:inline" title={`${session.user.username} (${session.user.email})`}>
                  {session.user.username}
                </span>
                <a
                  href="#/account"
                  aria-current={current === 'account' ? 'page' : undefined}
                  className="whitespace-nowrap rounded text-sm font-medium text-slate-600 hover:text-slate-900 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
                >
                  Account
                </a>
                <Button variant="secondary" size="sm" onClick={onLogout}>
                  Log out
                </Button>
              </div>
            </>
          )}
        </div>
      </header>
      {/* One page column for every screen, as on the server pages (max-w-3xl); forms may sit narrower inside it. */}
      <main className="mx-auto w-full max-w-3xl flex-1 px-4 py-6 sm:py-8" onSubmitCapture={dropNotice} onClickCapture={onMainClick}>{screen}</main>
      <footer className="mx-auto w-full max-w-3xl px-4 py-6 text-center text-xs text-slate-600">
        Images are encrypted at rest with a per-recipient key.
      </footer>
    </div>
  );
}
