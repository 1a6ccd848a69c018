import { describe, expect, it, vi } from 'vitest';
import * as api from '../src/api/client.js';
import { installFakeXHR } from './helpers.js';

const png = () => new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'cat.png', { type: 'image/png' });

describe('sendMessage (XHR upload)', () => {
  it('posts multipart to, image and caption to /api/messages and reports progress', async () => {
    const XHR = installFakeXHR();
    const onProgress = vi.fn();
    const file = png();
    const { promise } = api.sendMessage({ to: 'bob', file, caption: 'hi', onProgress });
    const xhr = XHR.instances[0];
    expect(xhr.method).toBe('POST');
    expect(xhr.url).toBe('/api/messages');
    expect(xhr.requestHeaders.Accept).toBe('application/json');
    expect(xhr.requestHeaders['Content-Type']).toBeUndefined(); // the browser sets the multipart boundary
    expect(xhr.body).toBeInstanceOf(FormData);
    expect(xhr.body.get('to')).toBe('bob');
    expect(xhr.body.get('caption')).toBe('hi');
    const sent = xhr.body.get('image');
    expect(sent.name).toBe('cat.png');
    expect(sent.size).toBe(file.size);

    xhr.progress(50, 200);
    xhr.progress(0, 0, false);
    expect(onProgress.mock.calls.map((c) => c[0])).toEqual([0.25, null]);

    const message = { id: 'm1', to: { id: '2', username: 'bob' } };
    xhr.respond(201, { message });
    await expect(promise).resolves.toEqual({ message });
    expect(onProgress).toHaveBeenLastCalledWith(1);
  });

  it('names each send with an Idempotency-Key, the one given for a retry', () => {
    const XHR = installFakeXHR();
    api.sendMessage({ to: 'bob', file: png() });
    api.sendMessage({ to: 'bob', file: png() });
    api.sendMessage({ to: 'bob', file: png(), idempotencyKey: 'k-1' });
    const keys = XHR.instances.map((x) => x.requestHeaders['Idempotency-Key']);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBeTruthy();
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBe('k-1');
  });

  it('omits an empty caption', () => {
    const XHR = installFakeXHR();
    api.sendMessage({ to: 'bob', file: png() });
    expect(XHR.instances[0].body.has('caption')).toBe(false);
  });

  it.each([
    [413, 'too_large', 'The image is larger than 20 MiB.'],
    [415, 'unsupported_type', 'Only PNG, JPEG, GIF or WebP.'],
    [422, 'invalid_image', 'That image is too large in pixels.'],
    [404, 'not_found', 'No such user.'],
  ])('rejects with the server error on %i', async (status, code, message) => {
    const XHR = installFakeXHR();
    const { promise } = api.sendMessage({ to: 'bob', file: png() });
    XHR.instances[0].respond(status, { error: { code, message } });
    await expect(promise).rejects.toMatchObject({ name: 'ApiError', status, code, message });
  });

  it('reads Retry-After from a 429 and tolerates a non-JSON body', async () => {
    const XHR = installFakeXHR();
    const a = api.sendMessage({ to: 'bob', file: png() });
    XHR.instances[0].respond(429, { error: { code: 'rate_limited', message: 'Slow down.' } }, { 'Retry-After': '7' });
    await expect(a.promise).rejects.toMatchObject({ status: 429, retryAfter: 7 });
    const b = api.sendMessage({ to: 'bob', file: png() });
    XHR.instances[1].respond(413, 'Request Entity Too Large');
    await expect(b.promise).rejects.toMatchObject({ status: 413, code: 'too_large', message: 'The file is too large.' });
  });

  it('signals a network error, abort, and a 401 to the session handler', async () => {
    const XHR = installFakeXHR();
    const onUnauth = vi.fn();
    api.setUnauthorizedHandler(onUnauth);
    const a = api.sendMessage({ to: 'bob', file: png() });
    XHR.instances[0].fail();
    await expect(a.promise).rejects.toMatchObject({ status: 0, code: 'network' });
    const b = api.sendMessage({ to: 'bob', file: png() });
    b.abort();
    expect(XHR.instances[1].aborted).toBe(true);
    await expect(b.promise).rejects.toMatchObject({ code: 'aborted' });
    const c = api.sendMessage({ to: 'bob', file: png() });
    XHR.instances[2].respond(401, { error: { code: 'unauthorized', message: 'Log in first.' } });
    await expect(c.promise).rejects.toMatchObject({ status: 401 });
    expect(onUnauth).toHaveBeenCalledTimes(1);
  });
});
