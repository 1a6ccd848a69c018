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
