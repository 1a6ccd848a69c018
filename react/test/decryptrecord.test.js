import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolledBack, verifyRecord } from '../src/lib/decryptrecord.js';

// The Go tests (app/decryptlog) make and check the same vector.
const here = dirname(fileURLToPath(import.meta.url));
const vector = () => JSON.parse(readFileSync(resolve(here, '../../app/decryptlog/testdata/vector.json'), 'utf8'));

describe('decrypt record verifier', () => {
  it('verifies the page the Go code signed', async () => {
    await expect(verifyRecord(vector())).resolves.toEqual({ ok: true, oldest: 1, newest: 3 });
  });

  it('verifies the newest entries alone', async () => {
    const page = vector();
    page.entries = page.entries.slice(0, 2);
    await expect(verifyRecord(page)).resolves.toEqual({ ok: true, oldest: 2, newest: 3 });
  });

  it('says which entry was edited', async () => {
    const page = vector();
    page.entries[1].by.device = 'Firefox on Linux';
    await expect(verifyRecord(page)).resolves.toMatchObject({ ok: false, seq: 2 });
  });

  it('says where an entry was removed', async () => {
    const page = vector();
    page.entries.splice(1, 1);
    await expect(verifyRecord(page)).resolves.toMatchObject({ ok: false, seq: 2 });
  });

  it('refuses a head signed by another key, or checked with another', async () => {
    const page = vector();
    page.head.seq = 2;
    await expect(verifyRecord(page)).resolves.toMatchObject({ ok: false, seq: 2, why: "the head is not signed by the app's key" });
    await expect(verifyRecord(vector(), 'A'.repeat(43) + '=')).resolves.toMatchObject({ ok: false, seq: 3 });
  });

  it('sees a record cut back to an older head that the client saw go past', () => {
    const { head } = vector();
    expect(rolledBack(null, head)).toBe(false);
    expect(rolledBack({ seq: 2, hash: 'aa' }, head)).toBe(false);
    expect(rolledBack({ seq: 4, hash: 'aa' }, head)).toBe(true);
    expect(rolledBack({ seq: 3, hash: 'aa' }, head)).toBe(true);
    expect(rolledBack({ seq: 3, hash: head.hash }, head)).toBe(false);
  });
});
