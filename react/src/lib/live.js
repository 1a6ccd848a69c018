// The live inbox: while signed in, one EventSource per tab on /api/events.
// The server streams named events with JSON data (see app/web/events.go):
//   hello        on each connection: {unread}
//   inbox        the inbox changed: {kind, id, from, unread}  (kind "resync": reload it;
//                kind "request": a message request came, the requests reload, the inbox stays)
//   sent         the sent box changed: {kind, id}             (e.g. "opened")
//   unavailable  live events cannot be had now; the server says when to retry
// EventSource reconnects by itself and sends the last event's id, so the
// server can tell whether this tab missed something (then it sends a resync).
// While the stream is down, the lists reload every 15 s instead.
import { useCallback, useEffect, useRef, useState } from 'react';
import { notifyImage } from './notify.js';
import { navigate } from './route.js';

export const EVENTS_URL = '/api/events';
export const FALLBACK_MS = 15000; // the fallback refresh, as on the server pages
export const DOWN_AFTER_MS = 5000; // a stream that reconnects within this is not "down"

function parse(e) {
  try {
    return JSON.parse(e.data) || {};
  } catch {
    return {};
  }
}

// useLiveEvents(enabled, onUnread) -> {status, inbox, sent, requests, reload}
//   status: 'connecting' | 'live' | 'down' | 'unsupported'
//   inbox, sent, requests: versions that grow when that list should reload
//   reload(box): ask for a reload (clicking the screen's own nav link)
export function useLiveEvents(enabled, onUnread) {
  const [state, setState] = useState({ status: 'connecting', inbox: 0, sent: 0, requests: 0 });
  const unread = useRef(onUnread);
  unread.current = onUnread;

  const reload = useCallback((box) => setState((s) => ({ ...s, [box]: s[box] + 1 })), []);

  useEffect(() => {
    if (!enabled) return undefined;
    const ES = globalThis.EventSource;
    let es = null;
    let retry = null;
    let downTimer = null;
    let stopped = false;
    const setStatus = (status) => setState((s) => (s.status === status ? s : { ...s, status }));
    const up = () => {
      clearTimeout(downTimer);
      downTimer = null;
      setStatus('live');
    };
    const down = (now) => {
      if (now) {
        clearTimeout(downTimer);
        downTimer = null;
        setStatus('down');
      } else if (!downTimer) {
        downTimer = setTimeout(() => {
          downTimer = null;
          setStatus('down');
        }, DOWN_AFTER_MS);
      }
    };

    function connect() {
      es = new ES(EVENTS_URL); // same origin: the session cookie rides along
      es.addEventListener('hello', (e) => {
        up();
        unread.current?.(parse(e).unread);
      });
      es.addEventListener('inbox', (e) => {
        const data = parse(e);
        unread.current?.(data.unread);
        reload(data.kind === 'request' ? 'requests' : 'inbox');
        notifyImage(data, (from) => navigate('conversation', from)); // when turned on (notify.js)
      });
      es.addEventListener('sent', () => reload('sent'));
      es.addEventListener('unavailable', () => down(true));
      es.onerror = () => {
        if (es.readyState === ES.CLOSED) {
          // Refused (a 401, a 429, a server away): EventSource gives up, so try again later.
          down(true);
          es.close();
          if (!stopped) retry = setTimeout(connect, FALLBACK_MS);
        } else {
          down(false); // reconnecting by itself
        }
      };
    }

    if (ES) {
      setStatus('connecting');
      connect();
    } else {
      setStatus('unsupported');
    }
    const poll = setInterval(() => {
      setState((s) =>
        s.status === 'live' || document.hidden
          ? s
          : { ...s, inbox: s.inbox + 1, sent: s.sent + 1, requests: s.requests + 1 },
      );
    }, FALLBACK_MS);
    return () => {
      stopped = true;
      if (es) es.close();
      clearTimeout(retry);
      clearTimeout(downTimer);
      clearInterval(poll);
    };
  }, [enabled, reload]);

  return { ...state, reload };
}

// What a list says about its updates; null while connecting (no flicker).
export function liveText(status) {
  if (status === 'live') return 'New images appear here as they arrive.';
  if (status === 'down') return 'Live updates are unavailable right now; this list refreshes every 15 seconds.';
  return null;
}
