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
