import { formatMiB, typesLabel } from './format.js';

// What the server accepts, from /api/me's "limits". Missing (an older server): no client-side
// check at all, the server decides — never a guessed number.
export function uploadRules(limits) {
  const l = limits || {};
  const maxBytes = Number.isFinite(l.max_upload_bytes) && l.max_upload_bytes > 0 ? l.max_upload_bytes : null;
  const maxCaption = Number.isFinite(l.max_caption_length) && l.max_caption_length > 0 ? l.max_caption_length : null;
  const types = Array.isArray(l.image_types) && l.image_types.length > 0 ? l.image_types : null;
  const hint = [types && typesLabel(types), maxBytes && `up to ${formatMiB(maxBytes)}`].filter(Boolean).join(', ');
  return {
    maxBytes,
    maxCaption,
    types,
    accept: types ? types.join(',') : 'image/*',
    hint: hint ? `${hint[0].toUpperCase()}${hint.slice(1)}.` : '',
  };
}

// Why the server would refuse this file, or null.
export function fileProblem(f, rules) {
  if (rules.types && f.type && !rules.types.includes(f.type)) return `Only ${typesLabel(rules.types)} images can be sent.`;
  if (rules.maxBytes && f.size > rules.maxBytes) return `This image is larger than the ${formatMiB(rules.maxBytes)} limit.`;
  return null;
}
