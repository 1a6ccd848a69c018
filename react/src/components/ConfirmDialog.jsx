import { useEffect, useId, useRef } from 'react';
import { Button } from './ui.jsx';

// A modal confirmation: role=dialog with its title and consequence as name and
// description, focus on Cancel (the safe choice), Tab kept inside, Escape cancels,
// and focus back on what opened it when it closes.
export default function ConfirmDialog({ title, children, confirmLabel, busyLabel, busy = false, onConfirm, onCancel }) {
  const id = useId();
  const panel = useRef(null);
  const cancel = useRef(null);

  useEffect(() => {
    const opener = document.activeElement;
    cancel.current?.focus();
    return () => opener?.focus?.();
  }, []);

  function onKeyDown(e) {
    if (e.key === 'Escape' && !busy) {
      e.preventDefault();
      onCancel();
      return;
    }
    if (e.key !== 'Tab') return;
    const buttons = [...panel.current.querySelectorAll('button:not([disabled])')];
    if (buttons.length === 0) return;
    const first = buttons[0];
    const last = buttons.at(-1);
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }

  return (
    <div className="fixed inset-0 z-50 flex items-end justify-center bg-black/50 p-4 sm:items-center" onKeyDown={onKeyDown}>
      <div
        ref={panel}
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
        className="w-full max-w-md rounded-xl bg-surface p-5 shadow-xl ring-1 ring-slate-200 sm:p-6"
      >
        <h2 id={`${id}-title`} className="text-lg font-semibold text-slate-900">
          {title}
        </h2>
        <p id={`${id}-desc`} className="mt-2 text-sm text-slate-700">
          {children}
        </p>
        <div className="mt-5 flex flex-col gap-2 sm:flex-row-reverse">
          <Button variant="danger" className="sm:flex-1" onClick={onConfirm} disabled={busy}>
            {busy ? busyLabel : confirmLabel}
          </Button>
          <Button ref={cancel} variant="secondary" className="sm:flex-1" onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
        </div>
      </div>
    </div>
  );
}
