import { formatMiB, typesLabel } from './format.js';
// The server's words for a refused type, written from app/imagecheck by its tests.
import imageTypes from './image-types.json';
// The words for a file or caption over the limits, from imageapp.Rules; "{max}" is the limit.
import words from './rules.json';

export const sayTooLarge = (max) => words.upload.too_large.replace('{max}', max);
export const sayCaptionTooLong = (max) => words.upload.caption_too_long.replace('{max}', max);

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

// isHEIC reports whether f is a HEIC/HEIF photo, by its type or, where the browser gives it
// none (not on a Mac), by its name.
function isHEIC(f) {
  const name = (f.name || '').toLowerCase();
  return imageTypes.heic_types.includes(f.type) || imageTypes.heic_extensions.some((ext) => name.endsWith(ext));
}

// At most this many images go in one send (an album), as the server says.
export const MAX_IMAGES = 10;

// Why the server would refuse these files, or null, naming the image at fault as the server does.
export function filesProblem(files, rules) {
  if (files.length > MAX_IMAGES) return `Send at most ${MAX_IMAGES} images at once; you chose ${files.length}. Nothing was sent.`;
  for (const [i, f] of files.entries()) {
    const p = fileProblem(f, rules);
    if (p) return files.length > 1 ? `Image ${i + 1} (${f.name}) was refused: ${p}` : p;
  }
  return null;
}

// Why the server would refuse this file, or null, in the server's words.
export function fileProblem(f, rules) {
  if (isHEIC(f)) return imageTypes.heic;
  if (rules.types && f.type && !rules.types.includes(f.type)) return imageTypes.unsupported;
  if (rules.maxBytes && f.size > rules.maxBytes) return sayTooLarge(formatMiB(rules.maxBytes));
  return null;
}
