export function formatBytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

const fmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(iso) {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : fmt.format(t);
}

export function typeLabel(contentType) {
  const m = /^image\/(png|jpeg|gif|webp)$/.exec(contentType || '');
  return m ? m[1].toUpperCase() : contentType || '';
}

// The server's unread counts stop at 100 (imageapp.MaxUnreadCount).
export const MAX_UNREAD = 100;

export function unreadBadge(n) {
  return n >= MAX_UNREAD ? `${MAX_UNREAD - 1}+` : String(n);
}

export function unreadLabel(n) {
  return n >= MAX_UNREAD ? `more than ${MAX_UNREAD - 1} unread` : `${n} unread`;
}

export const ALLOWED_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
