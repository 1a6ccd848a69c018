// Passkeys (WebAuthn) on the server pages: "Sign in with a passkey" on the
// login page and "Add a passkey" in settings. Both stay hidden unless this
// browser has the WebAuthn API; the JSON routes hold the ceremonies
// (/api/passkeys/login/*, /api/settings/passkeys/*). Loaded deferred, once per
// page however many cards include it.
(function () {
  "use strict";
  if (window.imageappPasskeys) return;
  window.imageappPasskeys = true;
  var supported = !!(window.PublicKeyCredential && navigator.credentials);

  function b64uToBuf(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }
  function bufToB64u(buf) {
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) throw new Error((data.error && data.error.message) || "Something went wrong (" + res.status + "). Try again.");
        return data;
      });
    });
  }
  // The credential as JSON, in the shape the server's library parses.
  function credentialJSON(c) {
    var r = c.response, out = {
      id: c.id, rawId: bufToB64u(c.rawId), type: c.type,
      clientExtensionResults: c.getClientExtensionResults ? c.getClientExtensionResults() : {},
      response: { clientDataJSON: bufToB64u(r.clientDataJSON) }
    };
    if (c.authenticatorAttachment) out.authenticatorAttachment = c.authenticatorAttachment;
    if (r.attestationObject) {
      out.response.attestationObject = bufToB64u(r.attestationObject);
      if (r.getTransports) out.response.transports = r.getTransports();
    } else {
      out.response.authenticatorData = bufToB64u(r.authenticatorData);
      out.response.signature = bufToB64u(r.signature);
      if (r.userHandle) out.response.userHandle = bufToB64u(r.userHandle);
    }
    return out;
  }
  // A cancelled prompt is not an error worth shouting about.
  function message(err) {
    if (err && err.name === "NotAllowedError") return "The passkey prompt was closed or timed out. Try again.";
    if (err && err.name === "InvalidStateError") return "This device has a passkey for your account already.";
    return (err && err.message) || "That did not work. Try again.";
  }
  function show(el, text) { el.textContent = text; el.hidden = !text; }

  function signIn(box) {
    var err = box.querySelector("[role=alert]"), button = box.querySelector("button");
    button.addEventListener("click", function () {
      button.disabled = true;
      show(err, "");
      var ceremony;
      post("/api/passkeys/login/begin").then(function (begun) {
        ceremony = begun.ceremony;
        var o = begun.options.publicKey;
        o.challenge = b64uToBuf(o.challenge);
        (o.allowCredentials || []).forEach(function (c) { c.id = b64uToBuf(c.id); });
        return navigator.credentials.get({ publicKey: o });
      }).then(function (cred) {
        return post("/api/passkeys/login/finish", { ceremony: ceremony, credential: credentialJSON(cred) });
      }).then(function () {
        var next = box.dataset.next || "";
        location.assign(next.charAt(0) === "/" && next.charAt(1) !== "/" && next.indexOf("\\") < 0 ? next : "/inbox");
      }).catch(function (e) {
        show(err, message(e));
        button.disabled = false;
      });
    });
  }

  function add(form) {
    var err = form.querySelector("[role=alert]"), button = form.querySelector("button");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      button.disabled = true;
      show(err, "");
      var ceremony;
      post("/api/settings/passkeys/begin").then(function (begun) {
        ceremony = begun.ceremony;
        var o = begun.options.publicKey;
        o.challenge = b64uToBuf(o.challenge);
        o.user.id = b64uToBuf(o.user.id);
        (o.excludeCredentials || []).forEach(function (c) { c.id = b64uToBuf(c.id); });
        return navigator.credentials.create({ publicKey: o });
      }).then(function (cred) {
        return post("/api/settings/passkeys/finish", { ceremony: ceremony, name: form.elements.name.value, credential: credentialJSON(cred) });
      }).then(function () {
        location.assign("/settings?flash=passkey-added#passkeys");
      }).catch(function (e) {
        show(err, message(e));
        button.disabled = false;
      });
    });
  }

  function init() {
    if (!supported) return;
    var box = document.querySelector("[data-passkey-login]");
    if (box) { signIn(box); box.hidden = false; }
    var form = document.querySelector("[data-passkey-add]");
    if (form) {
      add(form);
      form.hidden = false;
      var fallback = document.querySelector("[data-passkey-fallback]");
      if (fallback) fallback.hidden = true;
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
