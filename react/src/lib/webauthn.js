// Passkeys in the browser: the WebAuthn calls and the base64url <-> ArrayBuffer conversions
// the server's JSON needs. Loaded on demand (a dynamic import) when someone adds a passkey
// or signs in with one, so the main bundle does not carry it.
import { request } from '../api/client.js';

// Each ceremony is two calls: begin answers {ceremony, options} (options.publicKey for
// navigator.credentials), finish takes the ceremony's ID and the browser's credential as JSON.
const api = {
  beginPasskey: () => request('POST', '/api/settings/passkeys/begin', { body: {} }),
  finishPasskey: (body) => request('POST', '/api/settings/passkeys/finish', { body }),
  beginPasskeyLogin: () => request('POST', '/api/passkeys/login/begin', { body: {}, auth: false }),
  finishPasskeyLogin: (body) => request('POST', '/api/passkeys/login/finish', { body, auth: false }),
};

function toBuffer(s) {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(s.length / 4) * 4, '=');
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
}

function toB64u(buf) {
  let bin = '';
  for (const b of new Uint8Array(buf)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// The credential as JSON, in the shape the server's WebAuthn library parses.
export function credentialJSON(c) {
  const r = c.response;
  const out = {
    id: c.id,
    rawId: toB64u(c.rawId),
    type: c.type,
    clientExtensionResults: c.getClientExtensionResults ? c.getClientExtensionResults() : {},
    response: { clientDataJSON: toB64u(r.clientDataJSON) },
  };
  if (c.authenticatorAttachment) out.authenticatorAttachment = c.authenticatorAttachment;
  if (r.attestationObject) {
    out.response.attestationObject = toB64u(r.attestationObject);
    if (r.getTransports) out.response.transports = r.getTransports();
  } else {
    out.response.authenticatorData = toB64u(r.authenticatorData);
    out.response.signature = toB64u(r.signature);
    if (r.userHandle) out.response.userHandle = toB64u(r.userHandle);
  }
  return out;
}

// A closed prompt or a passkey this device has already, in words a person can act on.
function browserError(err) {
  if (err?.name === 'NotAllowedError') return new Error('The passkey prompt was closed or timed out. Try again.');
  if (err?.name === 'InvalidStateError') return new Error('This device has a passkey for your account already.');
  return err;
}

// addPasskey registers a passkey named name for the signed-in person.
export async function addPasskey(name) {
  const { ceremony, options } = await api.beginPasskey();
  const o = options.publicKey;
  o.challenge = toBuffer(o.challenge);
  o.user.id = toBuffer(o.user.id);
  for (const c of o.excludeCredentials || []) c.id = toBuffer(c.id);
  let cred;
  try {
    cred = await navigator.credentials.create({ publicKey: o });
  } catch (err) {
    throw browserError(err);
  }
  return api.finishPasskey({ ceremony, name, credential: credentialJSON(cred) });
}

// signInWithPasskey signs in with a discoverable passkey (no username) and resolves to
// {user} like a password login.
export async function signInWithPasskey() {
  const { ceremony, options } = await api.beginPasskeyLogin();
  const o = options.publicKey;
  o.challenge = toBuffer(o.challenge);
  for (const c of o.allowCredentials || []) c.id = toBuffer(c.id);
  let cred;
  try {
    cred = await navigator.credentials.get({ publicKey: o });
  } catch (err) {
    throw browserError(err);
  }
  return api.finishPasskeyLogin({ ceremony, credential: credentialJSON(cred) });
}
