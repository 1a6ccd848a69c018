import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkNewestRecord } from '../src/lib/decryptrecord.js';

// What both Verify buttons do, against the Go code's signed vector.
const here = dirname(fileURLToPath(import.meta.url));
const vector = () => JSON.parse(readFileSync(resolve(here, '../../app/decryptlog/testdata/vector.json'), 'utf8'));

function memory() {
  const m = new Map();
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), m };
}

function server(page, key = page.public_key) {
  return async (url) => {
    if (url === '/.well-known/imageapp-record-key') return new Response(`${key}\n`, { status: 200 });
    if (url === '/api/settings/record') return Response.json({ days: [], page, before: null });
    return new Response('', { status: 404 });
  };
}

describe('checkNewestRecord', () => {
  it('verifies, pins the key and remembers the head', async () => {
    const storage = memory();
    const page = vector();
    await expect(checkNewestRecord(server(page), storage)).resolves.toEqual({ ok: true, text: 'Verified: 3 entries, unbroken.' });
    expect(storage.getItem('imageapp-record-key')).toBe(page.public_key);
    expect(JSON.parse(storage.getItem(`imageapp-record-head:${page.head.user_id}`))).toEqual({ seq: page.head.seq, hash: page.head.hash });
  });

  it('names the entry that was edited', async () => {
    const page = vector();
    page.entries[1].purpose = 'export';
    await expect(checkNewestRecord(server(page), memory())).resolves.toMatchObject({ ok: false, seq: 2, text: expect.stringMatching(/^Broken at entry 2: /) });
  });

  it('refuses a key other than the one pinned', async () => {
    const storage = memory();
    storage.setItem('imageapp-record-key', 'A'.repeat(43) + '=');
    await expect(checkNewestRecord(server(vector()), storage)).resolves.toMatchObject({ ok: false, text: expect.stringMatching(/^Not verified: the app's record key/) });
  });

  it('warns when the head went back', async () => {
    const storage = memory();
    const page = vector();
    storage.setItem(`imageapp-record-head:${page.head.user_id}`, JSON.stringify({ seq: page.head.seq + 5, hash: 'f'.repeat(64) }));
    const r = await checkNewestRecord(server(page), storage);
    expect(r).toMatchObject({ ok: false, text: 'Verified: 3 entries, unbroken.' });
    expect(r.warning).toMatch(/^But the record went back: this browser verified it up to entry 8 before/);
  });

  it('says why when the record cannot be read', async () => {
    const get = async (url) =>
      url === '/api/settings/record'
        ? Response.json({ error: { code: 'unavailable', message: 'The record of when your images were opened is not kept here.' } }, { status: 503 })
        : new Response(`${vector().public_key}\n`);
    await expect(checkNewestRecord(get, memory())).rejects.toThrow('The record of when your images were opened is not kept here.');
  });
});
