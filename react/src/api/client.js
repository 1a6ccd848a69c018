// The API layer: every call the client makes to the Go server's /api/ routes.
// Same origin, the session cookie rides along (credentials: 'same-origin').
// Errors always come back as ApiError carrying the server's {error:{code,message}}.

import imageTypes from '../lib/image-types.json';

export class ApiError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    // Seconds to wait, from Retry-After on a 429 (null when absent or unparsable).
    this.retryAfter = retryAfter;
  }
}

const FALLBACK = {
  400: ['invalid', 'The request was not valid.'],
  401: ['unauthorized', 'Please log in.'],
  403: ['forbidden', 'You are not allowed to do that.'],
  404: ['not_found', 'Not found.'],
  409: ['conflict', 'That conflicts with something that already exists.'],
  413: ['too_large', 'The file is too large.'],
  415: ['unsupported_type', imageTypes.unsupported],
  422: ['invalid_image', 'That image could not be read.'],
  429: ['rate_limited', 'Too many attempts. Please wait and try again.'],
};

// Parses Retry-After: either delta-seconds or an HTTP date.
export function parseRetryAfter(value, now = Date.now()) {
  if (value == null || value === '') return null;
  const v = String(value).trim();
  if (/^\d+$/.test(v)) return Number(v);
  const when = Date.parse(v);
  if (Number.isNaN(when)) return null;
  return Math.max(0, Math.ceil((when - now) / 1000));
}

// Builds an ApiError from a status, the raw response text and the Retry-After header.
export function errorFromResponse(status, text, retryAfterHeader) {
  let code;
  let message;
  try {
    const body = JSON.parse(text);
    if (body && body.error && typeof body.error === 'object') {
      code = typeof body.error.code === 'string' ? body.error.code : undefined;
      message = typeof body.error.message === 'string' ? body.error.message : undefined;
    }
  } catch {
    // not JSON: fall back below
  }
  const [fbCode, fbMessage] = FALLBACK[status] || ['internal', `Something went wrong (HTTP ${status}).`];
  return new ApiError(status, code || fbCode, message || fbMessage, parseRetryAfter(retryAfterHeader));
}

export function networkError() {
  return new ApiError(0, 'network', 'Could not reach the server. Check your connection and try again.');
}

// Called on a 401 from a route that needs a session (the session expired or was logged out elsewhere).
let onUnauthorized = null;
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

function notifyUnauthorized(err, auth) {
  if (auth && err.status === 401 && onUnauthorized) onUnauthorized(err);
}

export async function request(method, path, { body, auth = true } = {}) {
  const init = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
  };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw networkError();
  }
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    const err = errorFromResponse(res.status, text, res.headers.get('Retry-After'));
    notifyUnauthorized(err, auth);
    throw err;
  }
  if (res.status === 204) return null;
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(res.status, 'internal', 'The server sent an unreadable answer.');
  }
}

function query(params) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

// --- account ---------------------------------------------------------------

export const signup = ({ username, email, password }) =>
  request('POST', '/api/signup', { body: { username, email, password }, auth: false });

export const verify = ({ username, code }) =>
  request('POST', '/api/verify', { body: { username, code }, auth: false });

export const resendCode = ({ username }) =>
  request('POST', '/api/verify/resend', { body: { username }, auth: false });

export const login = ({ username, password, keep = false }) =>
  request('POST', '/api/login', { body: { username, password, keep }, auth: false });

// Mails a reset code (202 whether or not the account exists).
export const forgotPassword = ({ username }) =>
  request('POST', '/api/password/forgot', { body: { username }, auth: false });

// Sets a new password with the mailed code (204).
export const resetPassword = ({ username, code, password }) =>
  request('POST', '/api/password/reset', { body: { username, code, password }, auth: false });

export const logout = () => request('POST', '/api/logout', { auth: false });

// Privacy settings: resolve to {privacy: {read_receipts, listed, notify_by_mail, message_requests}}. PUT
// takes any of them; one left out stays as it is.
export const getPrivacy = () => request('GET', '/api/settings/privacy');
export const setPrivacy = (settings) => request('PUT', '/api/settings/privacy', { body: settings });

// Changes the password (204): 403 for a wrong current one, 400 for a weak new one, 429 with
// Retry-After. Every other session ends; the server re-issues this one's cookie.
export const changePassword = ({ current_password, new_password }) =>
  request('POST', '/api/settings/password', { body: { current_password, new_password } });

// The account's email and the address waiting for its code ("" when none):
// {email: {address, pending}}. Request (202) mails a code to new_email; confirm (200) makes it
// the account's; both answer 403 for a wrong password, confirm 400 for a wrong code, 429 with
// Retry-After. Cancel (200) forgets the waiting address.
export const emailState = () => request('GET', '/api/settings/email');
export const requestEmailChange = ({ new_email, password }) =>
  request('POST', '/api/settings/email', { body: { new_email, password } });
export const confirmEmailChange = ({ code, password }) =>
  request('POST', '/api/settings/email/confirm', { body: { code, password } });
export const cancelEmailChange = () => request('POST', '/api/settings/email/cancel', { body: {} });

// Deletes the account for good, confirmed by its password: 204 (the server clears the
// session cookie), 403 for a wrong password (still logged in), 429 with Retry-After.
export const deleteAccount = ({ password }) => request('DELETE', '/api/me', { body: { password } });

// Resolves to {user, unread, limits}, or null when there is no session (401).
// limits = {max_upload_bytes, max_caption_length, image_types}; an older server may omit it.
export async function me() {
  try {
    return await request('GET', '/api/me', { auth: false });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

// --- directory -------------------------------------------------------------

export const listUsers = ({ q, cursor } = {}) => request('GET', `/api/users${query({ q, cursor })}`);

// --- blocking --------------------------------------------------------------

// Blocks or unblocks someone: 204 (both idempotent), 404 for an unknown user, 400 for yourself.
export const block = (username) => request('PUT', `/api/people/${enc(username)}/block`);
export const unblock = (username) => request('DELETE', `/api/people/${enc(username)}/block`);

// The people I block: {users: [{id, username}]}, sorted by username.
export const listBlocked = () => request('GET', '/api/settings/blocked');

// Where the person is logged in: {sessions: [{id, device, created_at, last_seen, current}]}; end one
// (404 if it is not theirs) or every other one: 204.
export const listSessions = () => request('GET', '/api/settings/sessions');
// A page of "When your images were opened" (the decrypt record), newest first; before: the older page's cursor.
export const getRecord = (before) => request('GET', `/api/settings/record${query({ before })}`);
export const endSession = (id) => request('DELETE', `/api/settings/sessions/${enc(id)}`);
export const endOtherSessions = () => request('DELETE', '/api/settings/sessions');

// --- message requests ------------------------------------------------------

// Images from people the person does not know, while "message_requests" is on: {requests: [{username,
// count, latest}]}, one entry per sender. Accept moves theirs into the inbox ({accepted}); delete removes
// them for good ({deleted}), and with block also blocks the sender ({deleted, blocked}).
export const listRequests = () => request('GET', '/api/requests');
export const acceptRequests = (username) => request('POST', `/api/requests/${enc(username)}/accept`);
export const deleteRequests = (username, { block = false } = {}) =>
  request('DELETE', `/api/requests/${enc(username)}${block ? '?block=yes' : ''}`);

// --- messages --------------------------------------------------------------

export const listMessages = ({ box = 'inbox', status = 'all', cursor } = {}) =>
  request('GET', `/api/messages${query({ box, status, cursor })}`);

export const getMessage = (id) => request('GET', `/api/messages/${enc(id)}`);
export const messageUrl = (id) => `/api/messages/${enc(id)}`; // GET opens (marks read) it

export const deleteMessage = (id) => request('DELETE', `/api/messages/${enc(id)}`);

export const imageUrl = (id) => `/api/messages/${enc(id)}/image`;

// Opens a view-once image, its only time: resolves to {message, image} with the
// image as a data: URL. The server deletes it for good as it answers.
export const viewOnce = (id) => request('POST', `/api/messages/${enc(id)}/view`);

// The same bytes as a file to save (the server answers Content-Disposition: attachment).
export const downloadUrl = (id) => `${imageUrl(id)}?download=1`;

// The images exchanged with one person: {with, messages (oldest first), next_cursor (older page)}.
export const getConversation = (username, { cursor } = {}) =>
  request('GET', `/api/conversations/${enc(username)}${query({ cursor })}`);

// newSendKey is a fresh Idempotency-Key for one send: crypto.randomUUID
// where the page is a secure context, else 128 random bits in hex.
export function newSendKey() {
  if (globalThis.crypto && typeof globalThis.crypto.randomUUID === 'function') return globalThis.crypto.randomUUID();
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// Uploads an image with XMLHttpRequest so the person sees upload progress.
// Returns {promise, abort}; promise resolves to {message} (the 201 body).
// onProgress receives a fraction 0..1 (or null when the total is unknown).
// keep: how long it lives (keep, 1h, 1d, 7d or once; the server's default when absent).
// idempotencyKey names this send: a retry of it passes the same key, so the
// server answers with the first send's message instead of storing the image
// twice (a fresh key when absent).
export function sendMessage({ to, file, caption, keep, quote, onProgress, idempotencyKey = newSendKey() } = {}) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    const form = new FormData();
    form.append('to', to);
    if (keep) form.append('keep', keep); // before the file, so the server knows it as the image streams in
    if (quote) form.append('quote', quote); // the image this one replies to; before the file too
    for (const f of [].concat(file)) form.append('image', f, f && f.name ? f.name : 'image'); // several: an album
    if (caption) form.append('caption', caption);

    xhr.open('POST', '/api/messages');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Idempotency-Key', idempotencyKey);
    if (onProgress && xhr.upload) {
      xhr.upload.onprogress = (e) => onProgress(e.lengthComputable && e.total > 0 ? e.loaded / e.total : null);
    }
    xhr.onload = () => {
      const text = typeof xhr.responseText === 'string' ? xhr.responseText : '';
      if (xhr.status >= 200 && xhr.status < 300) {
        if (onProgress) onProgress(1);
        try {
          resolve(text ? JSON.parse(text) : null);
        } catch {
          reject(new ApiError(xhr.status, 'internal', 'The server sent an unreadable answer.'));
        }
        return;
      }
      const err = errorFromResponse(xhr.status, text, xhr.getResponseHeader('Retry-After'));
      notifyUnauthorized(err, true);
      reject(err);
    };
    xhr.onerror = () => reject(networkError());
    xhr.ontimeout = () => reject(networkError());
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'Upload cancelled.'));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
