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
  const m = /^image\/(png|jpeg|gif|webp|avif)$/.exec(contentType || '');
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

// A byte limit in MiB, as the server's limits are stated ("20 MiB", "2.5 MiB").
export function formatMiB(n) {
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return '';
  const v = n / (1024 * 1024);
  const s = Number.isInteger(v) ? String(v) : String(Number(v >= 1 ? v.toFixed(1) : v.toPrecision(2)));
  return `${s} MiB`;
}

// "PNG, JPEG, GIF, WebP or AVIF" from a list of content types.
export function typesLabel(types) {
  const names = (types || []).map((t) => (t === 'image/webp' ? 'WebP' : typeLabel(t)));
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

// Caption length as the server counts it: characters (code points) of the trimmed text.
export function captionLength(caption) {
  return [...(caption || '').replace(/\r\n/g, '\n').trim()].length;
}
