// The service worker of Web Push (served at /sw.js, scope "/"): shows the
// notification a push brings when no tab of the site is open. The message
// (app/server/push.go) is the title "New image from <sender>", the tag
// "from:<sender>" (the open tabs use the same, so each sender shows once)
// and the conversation's URL: never the caption or the image. A click
// opens that conversation, on the React client's route when a React tab
// registered this worker (/sw.js?client=react).
"use strict";

var react = new URL(self.location.href).searchParams.get("client") === "react";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });

// target is where a click goes: a path on this site only, never elsewhere.
function target(url) {
  if (typeof url !== "string" || url.charAt(0) !== "/" || url.charAt(1) === "/" || url.charAt(1) === "\\") return "/";
  if (react) {
    var m = /^\/conversations\/([^/?#]+)$/.exec(url);
    return m ? "/react/#/conversations/" + m[1] : "/react/";
  }
  return url;
}

self.addEventListener("push", function (e) {
  var m = {};
  try { m = e.data ? e.data.json() : {}; } catch (err) { m = {}; }
  e.waitUntil(self.registration.showNotification(m.title || "New image", {
    tag: m.tag || "imageapp", renotify: true, data: { url: target(m.url) }
  }));
});

self.addEventListener("notificationclick", function (e) {
  e.notification.close();
  var url = new URL((e.notification.data && e.notification.data.url) || "/", self.location.origin).href;
  e.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (tabs) {
    for (var i = 0; i < tabs.length; i++) {
      if (tabs[i].url === url && "focus" in tabs[i]) return tabs[i].focus();
    }
    return self.clients.openWindow(url);
  }));
});
