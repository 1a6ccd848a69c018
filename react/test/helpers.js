import { vi } from 'vitest';

export function jsonResponse(status, body, headers = {}) {
  const h = new Headers(headers);
  if (body !== undefined && !h.has('Content-Type')) h.set('Content-Type', 'application/json');
  return new Response(body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body), { status, headers: h });
}

export const apiError = (status, code, message, headers) => jsonResponse(status, { error: { code, message } }, headers);

// Stubs fetch with a table of handlers keyed by "METHOD /path" (query string ignored) or a function.
// Each handler is (url, init) => Response (or a Response, or an array consumed in order).
export function mockFetch(routes) {
  const fn = vi.fn(async (url, init = {}) => {
    const method = (init.method || 'GET').toUpperCase();
    const path = String(url).split('?')[0];
    const key = `${method} ${path}`;
    let h = routes[key];
    if (Array.isArray(h)) h = h.length > 1 ? h.shift() : h[0];
    if (!h) throw new Error(`unexpected request ${key}`);
    return typeof h === 'function' ? h(String(url), init) : h.clone();
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}

// A controllable stand-in for XMLHttpRequest.
export class FakeXHR {
  static instances = [];

  constructor() {
    this.upload = {};
    this.requestHeaders = {};
    this.responseHeaders = {};
    this.status = 0;
    this.responseText = '';
    this.aborted = false;
    FakeXHR.instances.push(this);
  }

  open(method, url) {
    this.method = method;
    this.url = url;
  }

  setRequestHeader(k, v) {
    this.requestHeaders[k] = v;
  }

  getResponseHeader(k) {
    return this.responseHeaders[k.toLowerCase()] ?? null;
  }

  send(body) {
    this.body = body;
  }

  abort() {
    this.aborted = true;
    if (this.onabort) this.onabort();
  }

  // --- drivers for tests ---
  progress(loaded, total, lengthComputable = true) {
    this.upload.onprogress({ lengthComputable, loaded, total });
  }

  respond(status, body, headers = {}) {
    this.status = status;
    this.responseText = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    this.responseHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    this.onload();
  }

  fail() {
    this.onerror();
  }
}

export function installFakeXHR() {
  FakeXHR.instances = [];
  vi.stubGlobal('XMLHttpRequest', FakeXHR);
  return FakeXHR;
}

export const msg = (id, from, { read = false, sent = '2025-01-01T10:00:00Z', to = 'me' } = {}) => ({
  id,
  from: { id: `u-${from}`, username: from },
  to: { id: `u-${to}`, username: to },
  sent_at: sent,
  read_at: read ? '2025-01-02T10:00:00Z' : null,
  content_type: 'image/png',
  size: 2048,
});

// wholeText matches the innermost element whose text is exactly text, even
// when parts of it sit in elements of their own (a username in a <span dir="auto">).
export const wholeText = (text) => {
  const norm = (el) => el.textContent.replace(/\s+/g, ' ').trim();
  return (_, el) => norm(el) === text && [...el.children].every((c) => norm(c) !== text);
};
