// "Keep me signed in on this device" at login, and its mark in the sessions list: the
// server pages' words (views/signin.templ, views/sessions.templ), word for word.
export const KEEP_LABEL = 'Keep me signed in on this device';
export const KEEP_HINT = 'For 30 days from your last visit. Leave it off on a shared computer.';
export const KEPT = 'Kept signed in';

export default function KeepSignedIn({ checked, onChange }) {
  return (
    <div className="flex items-start gap-3">
      <input
        type="checkbox"
        id="keep"
        name="keep"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        aria-describedby="keep-hint"
        className="mt-0.5 size-5 shrink-0 rounded border-slate-300 accent-indigo-600 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2"
      />
      <div className="min-w-0">
        <label htmlFor="keep" className="text-sm font-medium text-slate-900">
          {KEEP_LABEL}
        </label>
        <p id="keep-hint" className="mt-0.5 text-sm text-slate-600">
          {KEEP_HINT}
        </p>
      </div>
    </div>
  );
}

export function KeptBadge() {
  return (
    <span className="ml-2 rounded-full bg-indigo-50 px-2 py-0.5 text-xs font-semibold text-indigo-700 ring-1 ring-indigo-200">
      {KEPT}
    </span>
  );
}
