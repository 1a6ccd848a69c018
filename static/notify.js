// System notifications for new images while a tab of the site is open,
// from the page's live stream (views/live.templ). Never asked on load: the
// settings card's "Turn on notifications" asks for the permission, and the
// choice is kept for this browser in localStorage ("imageapp-notify" =
// "on"); app.js loads this file on every page once it is on. Each
// notification names the sender only (no caption, no preview), is tagged
// with the sender so several images from one person replace each other,
// and a click focuses the tab and opens the conversation.
(function () {
  "use strict";
  if (window.imageappNotify) return;
  window.imageappNotify = true;
  var KEY = "imageapp-notify";
  var supported = "Notification" in window;

  function chosen() {
    try { return localStorage.getItem(KEY) === "on"; } catch (e) { return false; }
  }
  function choose(on) {
    try { localStorage.setItem(KEY, on ? "on" : "off"); } catch (e) { /* private mode: this page only */ }
  }
  // state: "unsupported", "blocked", "on", "asked" or "off".
  function state() {
    if (!supported) return "unsupported";
    if (Notification.permission === "denied") return "blocked";
    if (Notification.permission === "granted" && chosen()) return "on";
    return "off";
  }

  function data(e) {
    try { return JSON.parse(e.detail && e.detail.data) || {}; } catch (err) { return {}; }
  }
  document.body.addEventListener("inbox", function (e) {
    var d = data(e);
    if (d.kind !== "message" || !d.from || state() !== "on") return;
    var n = new Notification("New image from " + d.from, { tag: "from:" + d.from, renotify: true });
    n.onclick = function () {
      window.focus();
      location.assign("/conversations/" + encodeURIComponent(d.from));
      n.close();
    };
  });

  // The settings card, when this page has it.
  var card = document.querySelector("[data-notify-card]");
  if (!card) return;
  var words = {
    unsupported: "This browser cannot show notifications.",
    blocked: "Blocked: this browser refuses notifications from this site. Allow them in the browser's site settings, then come back.",
    on: "On: while a tab of ImageApp is open, a new image shows a notification with the sender's name only.",
    asked: "Answer your browser's question to turn notifications on.",
    off: "Off."
  };
  var text = card.querySelector("[data-notify-state]");
  var turnOn = card.querySelector("[data-notify-on]");
  var turnOff = card.querySelector("[data-notify-off]");
  function show(s) {
    card.dataset.state = s;
    text.textContent = words[s];
    turnOn.hidden = s !== "off";
    turnOff.hidden = s !== "on";
    var fallback = card.querySelector("[data-notify-fallback]");
    if (fallback) fallback.hidden = true;
  }
  turnOn.addEventListener("click", function () {
    show("asked");
    Promise.resolve(Notification.requestPermission()).then(function (p) {
      choose(p === "granted");
      show(state());
    });
  });
  turnOff.addEventListener("click", function () { choose(false); show(state()); });
  show(state());
})();
