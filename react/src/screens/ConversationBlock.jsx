import { useCallback, useState } from 'react';
import * as api from '../api/client.js';
import { Alert, Button, UserText, errorText } from '../components/ui.jsx';
import { BLOCKED_NOTICE, UNBLOCKED_NOTICE } from './BlockedPeople.jsx';
import { useLoad } from '../lib/useLoad.js';

// Blocking from a conversation, as on the server's conversation page: the
// "Block <name>…" step and, once blocked, the banner with Unblock.

// useBlocking knows whether the person blocks username (from GET /api/settings/blocked)
// and changes it. blocked is null while unknown; notice is the last change's words.
// A new version asks again (a block made elsewhere, e.g. by Block… of a request).
export function useBlocking(username, version = 0) {
  const [state, setState] = useState({ blocked: null, busy: false, error: null, notice: null });

  useLoad(
    api.listBlocked,
    (r) => setState((s) => ({ ...s, blocked: (r?.users || []).some((u) => u.username === username) })),
    (err) => setState((s) => ({ ...s, error: err })),
    [username, version],
  );

  // Resolves to whether it worked; on a failure the error says why.
  const setBlocked = useCallback(
    async (block) => {
      setState((s) => ({ ...s, busy: true, error: null, notice: null }));
      try {
        await (block ? api.block(username) : api.unblock(username));
      } catch (err) {
        setState((s) => ({ ...s, busy: false, error: err }));
        return false;
      }
      setState({ blocked: block, busy: false, error: null, notice: block ? BLOCKED_NOTICE : UNBLOCKED_NOTICE });
      return true;
    },
    [username],
  );

  return { ...state, setBlocked };
}

// BlockedBanner tops a conversation with someone the person blocks.
export function BlockedBanner({ name, blocking }) {
  return (
    <div className="mb-4 rounded-lg bg-slate-100 p-4 text-sm text-slate-800 ring-1 ring-slate-200" data-testid="blocked-banner">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="min-w-0 wrap-anywhere">
          You block <UserText>{name}</UserText>: images they send are withheld from you, and they are not told.</p>
        <Button variant="secondary" onClick={() => blocking.setBlocked(false)} disabled={blocking.busy}>
          {blocking.busy ? 'Unblocking…' : <>Unblock <UserText>{name}</UserText></>}
        </Button>
      </div>
      {blocking.error && (
        <div className="mt-3">
          <Alert>{errorText(blocking.error)}</Alert>
        </div>
      )}
    </div>
  );
}

// BlockStep states what blocking does before its button, in a disclosure
// (nothing while it is not known whether name is blocked, or when they are).
export function BlockStep({ name, blocking }) {
  if (blocking.blocked === null) {
    return blocking.error ? <Alert>{errorText(blocking.error)}</Alert> : null;
  }
  if (blocking.blocked) return null;
  return (
    <details className="min-w-0 text-sm sm:max-w-md" data-testid="block-step">
      <summary className="w-fit cursor-pointer wrap-anywhere rounded font-medium text-indigo-700 underline-offset-2 hover:text-indigo-500 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500">
        Block <UserText>{name}</UserText>…
      </summary>
      <div className="mt-2 space-y-3 rounded-lg bg-surface p-3 ring-1 ring-slate-200">
        <p className="text-slate-700 wrap-anywhere">
          <UserText>{name}</UserText> will not be able to send you images, and will not be told: their images are withheld from you. You can
          unblock them at any time; what was withheld stays withheld.
        </p>
        <Button variant="dangerOutline" onClick={() => blocking.setBlocked(true)} disabled={blocking.busy}>
          {blocking.busy ? 'Blocking…' : <>Block <UserText>{name}</UserText></>}
        </Button>
        {blocking.error && <Alert>{errorText(blocking.error)}</Alert>}
      </div>
    </details>
  );
}
