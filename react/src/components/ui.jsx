import { useId } from 'react';

const focus = 'focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2';

const VARIANTS = {
  primary: 'bg-indigo-600 text-white shadow-sm hover:bg-indigo-500',
  secondary: 'bg-surface text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50',
  danger: 'bg-red-600 text-white shadow-sm hover:bg-red-500',
  // The way to a danger, not the danger itself (that is the dialog's solid red button).
  dangerOutline: 'bg-surface text-red-700 ring-1 ring-inset ring-red-300 hover:bg-red-50',
  link: 'text-indigo-700 hover:text-indigo-500 underline-offset-2 hover:underline px-0 py-0',
};

export function buttonClass(variant = 'primary', extra = '', size = 'md') {
  const pad = variant === 'link' ? '' : size === 'sm' ? 'px-3 py-1.5' : 'px-4 py-2';
  return `inline-flex items-center justify-center gap-2 rounded-lg ${pad} text-sm font-semibold ${VARIANTS[variant]} ${focus} disabled:cursor-not-allowed disabled:opacity-50 ${extra}`;
}

export function Button({ variant = 'primary', size, className = '', type = 'button', ...props }) {
  return <button type={type} className={buttonClass(variant, className, size)} {...props} />;
}

export function LinkButton({ variant = 'link', size, className = '', ...props }) {
  return <a className={buttonClass(variant, className, size)} {...props} />;
}

export function Card({ as: Tag = 'section', className = '', ...props }) {
  return <Tag className={`rounded-xl bg-surface p-5 shadow-sm ring-1 ring-slate-200 sm:p-6 ${className}`} {...props} />;
}

// UserText is something a person wrote or chose (a username, a caption, a
// file name) inside the app's words: dir="auto" lets a right-to-left one read
// right without reordering the words around it.
export function UserText({ children }) {
  return <span dir="auto">{children}</span>;
}

export function PageTitle({ children, sub }) {
  return (
    <div className="mb-4">
      <h1 className="text-xl font-semibold tracking-tight text-slate-900 wrap-anywhere sm:text-2xl">{children}</h1>
      {sub && <p className="mt-1 text-sm text-slate-600 wrap-anywhere">{sub}</p>}
    </div>
  );
}

export const inputClass = `block w-full rounded-lg border-0 bg-surface px-3 py-2 text-base text-slate-900 ring-1 ring-inset ring-slate-300 placeholder:text-slate-400 sm:text-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500`;

// A labelled input (or textarea with multiline). Every input gets a visible <label>.
export function Field({ label, hint, multiline = false, className = '', ...props }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const Tag = multiline ? 'textarea' : 'input';
  return (
    <div className={className}>
      <label htmlFor={id} className="mb-1 block text-sm font-medium text-slate-700">
        {label}
      </label>
      <Tag id={id} aria-describedby={hintId} className={inputClass} {...props} />
      {hint && (
        <p id={hintId} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      )}
    </div>
  );
}

export function Alert({ kind = 'error', children }) {
  if (!children) return null;
  const styles =
    kind === 'error'
      ? 'bg-red-50 text-red-800 ring-red-200'
      : kind === 'success'
        ? 'bg-emerald-50 text-emerald-800 ring-emerald-200'
        : 'bg-slate-50 text-slate-700 ring-slate-200';
  return (
    <div role={kind === 'error' ? 'alert' : 'status'} className={`rounded-lg px-3 py-2 text-sm wrap-anywhere ring-1 ring-inset ${styles}`}>
      {children}
    </div>
  );
}

export function Badge({ children, label }) {
  return (
    <span
      aria-label={label}
      className="inline-flex min-w-5 items-center justify-center rounded-full bg-indigo-600 px-1.5 text-xs font-semibold leading-5 text-white"
    >
      {children}
    </span>
  );
}

export function Loading({ children = 'Loading…' }) {
  return (
    <p role="status" className="py-6 text-center text-sm text-slate-500">
      {children}
    </p>
  );
}

export function ProgressBar({ value, label }) {
  // value: 0..1, or null for an unknown total.
  const pct = value == null ? null : Math.round(Math.min(1, Math.max(0, value)) * 100);
  return (
    <div>
      <div className="mb-1 flex justify-between text-xs text-slate-600">
        <span>{label}</span>
        <span>{pct == null ? '' : `${pct}%`}</span>
      </div>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct ?? undefined}
        className="h-2 w-full overflow-hidden rounded-full bg-slate-200"
      >
        <div
          className={`h-full rounded-full bg-indigo-600 transition-[width] duration-200 ${pct == null ? 'w-1/3 animate-pulse' : ''}`}
          style={pct == null ? undefined : { width: `${pct}%` }}
        />
      </div>
    </div>
  );
}

// Shows an ApiError's message (the server's words), plus the wait on a 429.
export function errorText(err) {
  if (!err) return '';
  let text = err.message || 'Something went wrong.';
  if (err.status === 429 && err.retryAfter) text += ` Try again in ${err.retryAfter} s.`;
  return text;
}
