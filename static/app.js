// Small progressive enhancements; every page works without this file.
// Under the strict CSP there is no inline script, so behaviour lives here:
// the live inbox, then times in the reader's zone (below).
(function () {
  "use strict";
  // The live inbox (views/live.templ): the page's event stream (#live) fires
  // "hello", "inbox", "sent", "unavailable" on the body; the badge and title
  // follow their unread count. While the stream is away, the list (the
  // inbox, or a conversation) refreshes every 15 s.
  var stream = document.getElementById("live");
  if (!stream) return;
  // Notifications (notify.js), once this browser turned them on in settings.
  try {
    if (localStorage.getItem("imageapp-notify") === "on" && stream.dataset.notifySrc && !document.querySelector("[data-notify-card]")) {
      var ns = document.createElement("script");
      ns.src = stream.dataset.notifySrc;
      document.head.appendChild(ns);
    }
  } catch (e) { /* no localStorage: notifications stay off */ }
  var live = false, timer = null;

  function count(n) { return n >= 100 ? "99+" : String(n); } // counts stop at 100

  function setUnread(n) {
    if (typeof n !== "number") return;
    var badge = document.getElementById("nav-unread");
    if (badge) {
      badge.textContent = count(n);
      badge.setAttribute("aria-label", n >= 100 ? "more than 99 unread messages" : n + (n === 1 ? " unread message" : " unread messages"));
      badge.hidden = n === 0;
    }
    var title = document.title.replace(/^\(\d+\+?\) /, "");
    document.title = n > 0 ? "(" + count(n) + ") " + title : title;
  }

  // on: live now; off after delay ms unless a hello comes first (a stream
  // the server ends is back within seconds).
  function setLive(on, delay) {
    if (!on && delay) {
      if (!timer) timer = setTimeout(function () { timer = null; setLive(false); }, delay);
      return;
    }
    clearTimeout(timer);
    timer = null;
    live = on;
    var status = document.getElementById("live-status");
    if (!status) return;
    status.textContent = on ? "New images appear here as they arrive." :
      "Live updates are unavailable right now; this list refreshes every 15 seconds.";
    status.hidden = false;
    status.dataset.live = String(on);
  }

  function data(e) {
    try { return JSON.parse(e.detail && e.detail.data) || {}; } catch (err) { return {}; }
  }

  document.body.addEventListener("hello", function (e) { setLive(true); setUnread(data(e).unread); });
  document.body.addEventListener("inbox", function (e) { setUnread(data(e).unread); });
  document.body.addEventListener("unavailable", function () { setLive(false); });
  stream.addEventListener("htmx:sse:before:connection", function () { if (live) setLive(false, 5000); });
  stream.addEventListener("htmx:sse:error", function () { setLive(false, 5000); });
  stream.addEventListener("htmx:sse:close", function () { setLive(false); });
  // A first request that failed is not retried by the extension: ask again.
  function retryLater() {
    setLive(false);
    setTimeout(function () { window.htmx.trigger(stream, "reconnect"); }, 15000);
  }
  stream.addEventListener("htmx:error", retryLater);
  stream.addEventListener("htmx:response:error", retryLater);
  setLive(false, 5000); // until the first hello

  // A reload would close an open <dialog> under the reader: wait for the next event.
  document.body.addEventListener("htmx:before:request", function (e) {
    if (e.target.querySelector && e.target.querySelector("dialog[open]")) e.preventDefault();
  });

  setInterval(function () {
    var list = document.getElementById("inbox") || document.getElementById("conversation");
    if (!live && list && window.htmx && !document.hidden) window.htmx.trigger(list, "refresh");
  }, 15000);
})();

// Times in the reader's own time zone. The server writes every time as
// <time datetime="…" data-tz="ZONE" data-style="full|date|ago"> in the zone
// of the tz cookie, or in UTC (saying so) before it has one. This file sets
// that cookie from the browser's zone and, where a time was written in
// another zone (the first visit, or after the zone changed), rewrites its
// text in the browser's zone; also in what htmx swaps in later.
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) return;

  // IANA names need no escaping in a cookie (letters, digits, / _ + -).
  if (/^[A-Za-z0-9\/_+-]+$/.test(zone) && document.cookie.split("; ").indexOf("tz=" + zone) < 0) {
    document.cookie = "tz=" + zone + "; path=/; max-age=31536000; samesite=lax" +
      (location.protocol === "https:" ? "; secure" : "");
  }

  // The same shape as the server's "2 Jan 2006, 15:04 MST".
  var format = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short"
  });
  function parts(d) {
    var p = {};
    format.formatToParts(d).forEach(function (x) { p[x.type] = x.value; });
    return p;
  }
  function dateText(p) { return p.day + " " + p.month + " " + p.year; }
  function fullText(p) { return dateText(p) + ", " + p.hour + ":" + p.minute + " " + p.timeZoneName; }

  function localize(el) {
    if (el.dataset.tz === zone) return;
    var d = new Date(el.getAttribute("datetime"));
    if (isNaN(d.getTime())) return;
    var p = parts(d);
    if (el.dataset.style === "full") el.textContent = fullText(p);
    if (el.dataset.style === "date") el.textContent = dateText(p);
    if (el.title) el.title = fullText(p);
    el.dataset.tz = zone;
  }
  function localizeIn(root) {
    if (root.matches && root.matches("time[data-tz]")) localize(root);
    if (root.querySelectorAll) root.querySelectorAll("time[data-tz]").forEach(localize);
  }

  localizeIn(document);
  new MutationObserver(function (records) {
    records.forEach(function (r) { r.addedNodes.forEach(localizeIn); });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
