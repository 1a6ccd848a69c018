// Checks a page of a decrypt record in the browser, offline, as
// app/decryptlog does in Go (and `go run ./app/cmd/verifyrecord`): the head's
// Ed25519 signature with the app's public key, then each entry's SHA-256 and
// its link to the one after. WebCrypto does both (Ed25519 in Chromium 137+,
// Firefox 129+, Safari 17+, Node 20), so this adds no dependency.
// The encodings are netstrings ("<byte length>:<bytes>,") in a fixed order.

const utf8 = new TextEncoder();

function netstrings(fields) {
  const parts = [];
  for (const f of fields) {
    const b = utf8.encode(String(f));
    parts.push(utf8.encode(`${b.length}:`), b, utf8.encode(','));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The canonical bytes of entry e in owner's record: what its hash is of. */
export function entryBytes(owner, e) {
  const ctx = e.context || {};
  const keys = Object.keys(ctx).sort(); // the keys are ASCII: the same order as Go's byte order
  const by = e.by || {};
  return netstrings([
    'imageapp-decrypt-entry-v1', owner, e.seq, e.at, e.message_id,
    by.user_id || '', by.username || '', by.session || '', by.device || '', by.job || '', e.purpose,
    keys.length, ...keys.flatMap((k) => [k, ctx[k]]), e.prev,
  ]);
}

/** The canonical bytes of a head: what its signature signs. */
export function headBytes(h) {
  return netstrings(['imageapp-decrypt-head-v1', h.user_id, h.seq, h.hash, h.at]);
}

const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
const fromBase64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const zeroHash = '0'.repeat(64);

/**
 * Verifies a page ({public_key, head, entries} with entries newest first).
 * Pass the app's key as publicKey to pin it (else the page's own is used,
 * which proves only that the page is consistent). Resolves to {ok: true,
 * oldest, newest} or {ok: false, seq, why}: the entry where the chain breaks.
 */
export async function verifyRecord(page, publicKey = page.public_key, subtle = globalThis.crypto.subtle) {
  const { head, entries } = page;
  const broken = (seq, why) => ({ ok: false, seq, why });
  let signed = false;
  try {
    const key = await subtle.importKey('raw', fromBase64(publicKey), { name: 'Ed25519' }, false, ['verify']);
    signed = await subtle.verify('Ed25519', key, fromBase64(head.signature), headBytes(head));
  } catch {
    signed = false;
  }
  if (!signed) return broken(head.seq, "the head is not signed by the app's key");
  if (entries.length === 0) {
    return head.seq === 0 ? { ok: true, oldest: 0, newest: 0 } : broken(head.seq, 'the head names an entry the page does not hold');
  }
  let want = { seq: head.seq + 1, prev: head.hash };
  for (const [i, e] of entries.entries()) {
    const hash = hex(await subtle.digest('SHA-256', entryBytes(head.user_id, e)));
    if (e.seq !== want.seq - 1) return broken(want.seq - 1, `missing: the next entry on the page is ${e.seq}`);
    if (hash !== e.hash) return broken(e.seq, 'its content does not match its hash: it was edited');
    if (e.hash !== want.prev) {
      return broken(e.seq, i === 0 ? 'it is not the entry the signed head names' : `entry ${want.seq} does not follow from it: one of them was replaced`);
    }
    if (e.seq === 1 && e.prev !== zeroHash) return broken(e.seq, 'the first entry must follow nothing');
    want = e;
  }
  return { ok: true, oldest: entries.at(-1).seq, newest: head.seq };
}

/**
 * Reports whether head goes back on a head verified before (kept by the
 * client, e.g. in localStorage): an older signed head replayed, or the same
 * sequence number with another hash. A verifier alone cannot see a record
 * cut back to an older head, since that head's signature was valid.
 */
export function rolledBack(previous, head) {
  if (!previous) return false;
  return head.seq < previous.seq || (head.seq === previous.seq && head.hash !== previous.hash);
}

// Where a browser keeps what it pinned: the app's record key (on first use)
// and, per user, the last head it verified (to see a record cut back).
const pinnedKeyName = 'imageapp-record-key';
const headName = (userId) => `imageapp-record-head:${userId}`;

async function failure(res, what) {
  let message = '';
  try {
    message = (await res.json())?.error?.message || '';
  } catch {
    message = '';
  }
  return new Error(message || `${what} could not be read (HTTP ${res.status}).`);
}

/**
 * What the Verify buttons of both clients do: read the app's record key
 * (GET /.well-known/imageapp-record-key; pinned in storage on first use, and
 * a different key later is refused), read the newest page of the person's
 * record (GET /api/settings/record), verify it, and compare its head with the one
 * verified before. Resolves to {ok, text, seq?, warning?}: text is what to
 * show; seq the entry that breaks; warning when the head went back.
 */
export async function checkNewestRecord(get = globalThis.fetch, storage = globalThis.localStorage) {
  const keyRes = await get('/.well-known/imageapp-record-key', { credentials: 'same-origin' });
  if (!keyRes.ok) throw await failure(keyRes, "The app's record key");
  const key = (await keyRes.text()).trim();
  const pinned = storage.getItem(pinnedKeyName);
  if (pinned && pinned !== key) {
    return { ok: false, text: "Not verified: the app's record key is not the one this browser pinned when it first checked. This record may not be the app's." };
  }
  const res = await get('/api/settings/record', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!res.ok) throw await failure(res, 'Your record');
  const { page } = await res.json();
  const result = await verifyRecord(page, key);
  if (!pinned) storage.setItem(pinnedKeyName, key);
  if (!result.ok) return { ok: false, seq: result.seq, text: `Broken at entry ${result.seq}: ${result.why}.` };
  const n = result.newest === 0 ? 0 : result.newest - result.oldest + 1;
  const text = `Verified: ${n} ${n === 1 ? 'entry' : 'entries'}, unbroken.`;
  let previous = null;
  try {
    previous = JSON.parse(storage.getItem(headName(page.head.user_id)));
  } catch {
    previous = null;
  }
  if (rolledBack(previous, page.head)) {
    return {
      ok: false, text,
      warning: `But the record went back: this browser verified it up to entry ${previous.seq} before, and now it ends at entry ${page.head.seq}.`,
    };
  }
  storage.setItem(headName(page.head.user_id), JSON.stringify({ seq: page.head.seq, hash: page.head.hash }));
  return { ok: true, text };
}
