import { useState } from 'react';
import * as api from '../api/client.js';
import { Alert, Button, errorText } from '../components/ui.jsx';
import ConfirmDialog from '../components/ConfirmDialog.jsx';

// Accept, Delete… and Block… for one person's message requests, on the
// Requests screen and in the banner of their conversation. The server pages'
// words (views/requests.templ, app/web/requests.go), word for word.

export const REQUEST_NOTICES = {
  accept: 'Accepted. Their images are in your inbox.',
  delete: 'Deleted.',
  block: 'Blocked and deleted. They are not told.',
};

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

export const imagesText = (count) => plural(count, 'image', 'images');

// What Delete or Block asks first: {title, text, confirm}.
export function requestQuestion(kind, name, count) {
  const images = count > 0 ? `The ${imagesText(count)} they sent you` : 'The images they sent you';
  if (kind === 'block') {
    return {
      title: `Block ${name} and delete their images?`,
      text: `${name} will no longer be able to send you images, and is not told. ${images} will be deleted for good.`,
      confirm: 'Block and delete',
    };
  }
  return {
    title: `Delete ${name}’s message request?`,
    text: `${images} will be deleted for good, unopened, for both of you. ${name} is not told why, and can still send you new ones.`,
    confirm: 'Delete',
  };
}

const decisions = {
  accept: (name) => api.acceptRequests(name),
  delete: (name) => api.deleteRequests(name),
  block: (name) => api.deleteRequests(name, { block: true }),
};

// onDone(kind, reply) runs after the server carried out the decision.
export default function RequestActions({ name, count = 0, onDone }) {
  const [asking, setAsking] = useState(null); // 'delete' | 'block' while the dialog is open
  const [busy, setBusy] = useState(null);
  const [error, setError] = useState(null);

  async function decide(kind) {
    setBusy(kind);
    setError(null);
    try {
      const reply = await decisions[kind](name);
      setBusy(null);
      setAsking(null);
      onDone(kind, reply);
    } catch (err) {
      setBusy(null);
      setAsking(null);
      setError(err);
    }
  }

  const question = asking && requestQuestion(asking, name, count);
  return (
    <div className="min-w-0">
      {/* The group names whose request the three buttons decide. */}
      <div role="group" aria-label={`${name}’s request`} className="flex flex-wrap gap-2">
        <Button size="sm" onClick={() => decide('accept')} disabled={busy !== null}>
          {busy === 'accept' ? 'Accepting…' : 'Accept'}
        </Button>
        <Button size="sm" variant="dangerOutline" onClick={() => setAsking('delete')} disabled={busy !== null}>
          Delete…
        </Button>
        <Button size="sm" variant="dangerOutline" onClick={() => setAsking('block')} disabled={busy !== null}>
          Block…
        </Button>
      </div>
      {error && (
        <div className="mt-3">
          <Alert>{errorText(error)}</Alert>
        </div>
      )}
      {question && (
        <ConfirmDialog
          title={question.title}
          confirmLabel={question.confirm}
          busyLabel={asking === 'block' ? 'Blocking…' : 'Deleting…'}
          busy={busy !== null}
          onConfirm={() => decide(asking)}
          onCancel={() => setAsking(null)}
        >
          {question.text}
        </ConfirmDialog>
      )}
    </div>
  );
}
