// How long an image lives: the send form's "Keep" choices and the words the
// server pages use for them (views/retention.templ).

import rules from './rules.json';

// Values are the API's `keep` field; labels and hint are the server's (imageapp.Rules).
export const KEEP_CHOICES = rules.keep.choices.map((c) => [c.value, c.label]);

export const KEEP_HINT = rules.keep.hint;

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;

// "Gone in 5 min", "Gone in 23 h", "Gone in 6 days": how long until iso, as
// expiresIn in views/retention.templ says it ("" without a time).
export function expiresIn(iso, now = Date.now()) {
  const t = Date.parse(iso || '');
  if (Number.isNaN(t)) return '';
  const d = t - now;
  if (d <= MINUTE) return 'Gone in a minute';
  if (d < HOUR) return `Gone in ${Math.floor(d / MINUTE)} min`;
  if (d < 48 * HOUR) return `Gone in ${Math.floor(d / HOUR)} h`;
  return `Gone in ${Math.floor(d / (24 * HOUR))} days`;
}

// The badge a list shows for a message: "Opens once", "Gone in …", or "".
export function retentionLabel(m, now = Date.now()) {
  if (!m) return '';
  if (m.view_once) return 'Opens once';
  return m.expires_at ? expiresIn(m.expires_at, now) : '';
}
