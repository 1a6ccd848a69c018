// "Also when no tab is open" on the notify card (views/notify.templ): Web
// Push. Shown only where the browser has it (PushManager and service
// workers); turning it on asks for the notification permission if needed,
// registers /sw.js (static/sw.js) at the root, subscribes with the app's
// VAPID key (GET /api/push/key) and gives the server the subscription
// (POST /api/me/push); turning it off removes it there and in the browser.
(function () {
  "use strict";
  var box = document.querySelector("[data-push]");
  if (!box) return;
  if (!("PushManager" in window) || !("serviceWorker" in navigator) || !("Notification" in window)) return;
  var toggle = box.querySelector("[data-push-toggle]");
  var text = box.querySelector("[data-push-state]");
  var words = {
    on: "On: a new image shows a notification even with no ImageApp tab open.",
    off: "",
    working: "One moment…",
    blocked: "Blocked: allow notifications for this site in the browser's settings first.",
    unset: "Notifications with no tab open are not set up on this server.",
    failed: "This browser could not subscribe. Try again later."
  };
  function show(s, detail) {
    box.dataset.state = s;
    toggle.checked = s === "on";
    toggle.disabled = s === "working";
    text.textContent = detail || words[s] || "";
  }
  function api(method, path, body) {
    return fetch(path, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      if (r.ok) return r.status === 204 ? null : r.json();
      return r.json().then(function (j) {
        var e = new Error((j && j.error && j.error.message) || ("The server answered " + r.status + "."));
        e.status = r.status;
        throw e;
      }, function () { throw new Error("The server answered " + r.status + "."); });
    });
  }
  function key(b64) {
    var s = atob(b64.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((b64.length + 3) % 4));
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  function current() {
    return navigator.serviceWorker.getRegistration("/").then(function (reg) {
      return reg ? reg.pushManager.getSubscription() : null;
    });
  }
  function turnOn() {
    show("working");
    var vapid;
    api("GET", "/api/push/key").then(function (j) {
      vapid = j.key;
      return Notification.permission === "granted" ? "granted" : Notification.requestPermission();
    }).then(function (p) {
      if (p !== "granted") { show("blocked"); return; }
      return navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
        return navigator.serviceWorker.ready;
      }).then(function (reg) {
        return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(vapid) });
      }).then(function (sub) {
        return api("POST", "/api/me/push", sub.toJSON());
      }).then(function () { show("on"); });
    }).catch(function (e) {
      if (!e.status) console.error("push subscription failed:", e); // the browser's own reason, for whoever debugs it
      show(e.status === 404 ? "unset" : "failed", e.status && e.status !== 404 ? e.message : "");
    });
  }
  function turnOff() {
    show("working");
    current().then(function (sub) {
      if (!sub) return;
      return api("DELETE", "/api/me/push", { endpoint: sub.endpoint }).then(function () { return sub.unsubscribe(); });
    }).then(function () { show("off"); }, function (e) { show("failed", e.message); });
  }
  toggle.addEventListener("change", function () { if (toggle.checked) turnOn(); else turnOff(); });
  box.hidden = false;
  current().then(function (sub) { show(sub ? "on" : "off"); }, function () { show("off"); });
})();
