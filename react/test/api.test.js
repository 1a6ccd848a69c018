import { describe, expect, it, vi } from 'vitest';
import * as api from '../src/api/client.js';
import { apiError, jsonResponse, mockFetch } from './helpers.js';

const lastCall = (fetchMock) => {
  const [url, init] = fetchMock.mock.calls.at(-1);
  return { url, init, body: init.body ? JSON.parse(init.body) : undefined };
};

describe('JSON requests', () => {
  it('signup posts JSON with the session cookie policy and returns the user', async () => {
    const user = { username: 'alice', email: 'a@example.com', confirmed: false };
    const f = mockFetch({ 'POST /api/signup': jsonResponse(201, { user }) });
    await expect(api.signup({ username: 'alice', email: 'a@example.com', password: 'longenough1' })).resolves.toEqual({ user });
    const { url, init, body } = lastCall(f);
    expect(url).toBe('/api/signup');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect(init.headers['Content-Type']).toBe('application/json');
    expect(init.headers.Accept).toBe('application/json');
    expect(body).toEqual({ username: 'alice', email: 'a@example.com', password: 'longenough1' });
  });

  it('verify, resend and login send exactly the contract fields', async () => {
    const f = mockFetch({
      'POST /api/verify': jsonResponse(200, { user: { username: 'alice', confirmed: true } }),
      'POST /api/verify/resend': jsonResponse(202, { sent: true }),
      'POST /api/login': jsonResponse(200, { user: { id: '1', username: 'alice', email: 'a@x' } }),
    });
    await api.verify({ username: 'alice', code: '123456' });
    expect(lastCall(f).body).toEqual({ username: 'alice', code: '123456' });
    await expect(api.resendCode({ username: 'alice' })).resolves.toEqual({ sent: true });
    expect(lastCall(f)).toMatchObject({ url: '/api/verify/resend', body: { username: 'alice' } });
    const r = await api.login({ username: 'alice', password: 'pw-pw-pw-pw' });
    expect(r.user.id).toBe('1');
    expect(lastCall(f)).toMatchObject({ url: '/api/login', body: { username: 'alice', password: 'pw-pw-pw-pw' } });
  });

  it('logout and delete resolve to null on 204 and send no body', async () => {
    const f = mockFetch({
      'POST /api/logout': new Response(null, { status: 204 }),
      'DELETE /api/messages/m%2F1': new Response(null, { status: 204 }),
    });
    await expect(api.logout()).resolves.toBeNull();
    expect(lastCall(f).init.body).toBeUndefined();
    expect(lastCall(f).init.headers['Content-Type']).toBeUndefined();
    await expect(api.deleteMessage('m/1')).resolves.toBeNull();
    expect(lastCall(f)).toMatchObject({ url: '/api/messages/m%2F1', init: { method: 'DELETE', credentials: 'same-origin' } });
  });

  it('me returns the session, or null on 401', async () => {
    mockFetch({ 'GET /api/me': [jsonResponse(200, { user: { id: '1', username: 'a', email: 'e' }, unread: 3 }), apiError(401, 'unauthorized', 'Log in first.')] });
    await expect(api.me()).resolves.toEqual({ user: { id: '1', username: 'a', email: 'e' }, unread: 3 });
    await expect(api.me()).resolves.toBeNull();
  });

  it('listUsers encodes the search and cursor, omitting empty ones', async () => {
    const f = mockFetch({ 'GET /api/users': jsonResponse(200, { users: [], next_cursor: '' }) });
    await api.listUsers({ q: 'a b&c', cursor: 'x/y' });
    expect(lastCall(f).url).toBe('/api/users?q=a+b%26c&cursor=x%2Fy');
    await api.listUsers();
    expect(lastCall(f).url).toBe('/api/users');
    expect(lastCall(f).init.method).toBe('GET');
  });

  it('listMessages passes box, status and cursor', async () => {
    const f = mockFetch({ 'GET /api/messages': jsonResponse(200, { messages: [], next_cursor: '', unread: 0 }) });
    await api.listMessages({ box: 'sent', status: 'unread', cursor: 'c1' });
    expect(lastCall(f).url).toBe('/api/messages?box=sent&status=unread&cursor=c1');
    await api.listMessages();
    expect(lastCall(f).url).toBe('/api/messages?box=inbox&status=all');
  });

  it('getMessage and imageUrl escape the id', async () => {
    const f = mockFetch({ 'GET /api/messages/abc': jsonResponse(200, { message: { id: 'abc' } }) });
    await expect(api.getMessage('abc')).resolves.toEqual({ message: { id: 'abc' } });
    expect(lastCall(f).url).toBe('/api/messages/abc');
    expect(api.imageUrl('a/b')).toBe('/api/messages/a%2Fb/image');
  });
});

describe('error parsing', () => {
  it('throws ApiError with the server code and message', async () => {
    mockFetch({ 'POST /api/signup': apiError(409, 'conflict', 'That username is taken.') });
    const err = await api.signup({ username: 'a', email: 'b', password: 'c' }).catch((e) => e);
    expect(err).toBeInstanceOf(api.ApiError);
    expect(err).toMatchObject({ status: 409, code: 'conflict', message: 'That username is taken.', retryAfter: null });
  });

  it('reads Retry-After on 429', async () => {
    mockFetch({ 'POST /api/login': apiError(429, 'rate_limited', 'Slow down.', { 'Retry-After': '30' }) });
    const err = await api.login({ username: 'a', password: 'b' }).catch((e) => e);
    expect(err).toMatchObject({ status: 429, code: 'rate_limited', message: 'Slow down.', retryAfter: 30 });
  });

  it('keeps the unconfirmed code on a 403 login', async () => {
    mockFetch({ 'POST /api/login': apiError(403, 'unconfirmed', 'Confirm your email first.') });
    const err = await api.login({ username: 'a', password: 'b' }).catch((e) => e);
    expect(err).toMatchObject({ status: 403, code: 'unconfirmed' });
  });

  it('falls back to a readable message when the body is not the error JSON', async () => {
    mockFetch({ 'GET /api/users': new Response('<html>bad gateway</html>', { status: 502 }) });
    const err = await api.listUsers().catch((e) => e);
    expect(err).toMatchObject({ status: 502, code: 'internal', message: 'Something went wrong (HTTP 502).' });
    mockFetch({ 'GET /api/users': jsonResponse(413, { nope: true }) });
    expect(await api.listUsers().catch((e) => e)).toMatchObject({ code: 'too_large', message: 'The file is too large.' });
  });

  it('turns a network failure into a status-0 ApiError', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    const err = await api.listUsers().catch((e) => e);
    expect(err).toMatchObject({ status: 0, code: 'network' });
  });

  it('calls the unauthorized handler on a 401 from a session route, not from login', async () => {
    const onUnauth = vi.fn();
    api.setUnauthorizedHandler(onUnauth);
    mockFetch({
      'GET /api/messages': apiError(401, 'unauthorized', 'Log in first.'),
      'POST /api/login': apiError(401, 'unauthorized', 'Wrong username or password.'),
    });
    await expect(api.listMessages()).rejects.toMatchObject({ status: 401 });
    expect(onUnauth).toHaveBeenCalledTimes(1);
    await expect(api.login({ username: 'a', password: 'b' })).rejects.toMatchObject({ message: 'Wrong username or password.' });
    expect(onUnauth).toHaveBeenCalledTimes(1);
  });

  it('parseRetryAfter handles seconds, HTTP dates and junk', () => {
    expect(api.parseRetryAfter('12')).toBe(12);
    expect(api.parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10);
    expect(api.parseRetryAfter('soon')).toBeNull();
    expect(api.parseRetryAfter(null)).toBeNull();
  });
});
