// A conversation (views/conversation.templ), enhanced: it opens at the
// first image the reader has not opened, else at the newest (the #latest
// anchor, which links from the inbox carry for when this file is off), and
// an image sent from the composer shows in the thread at once, with its
// upload's progress, until the thread reloads with it confirmed (or goes,
// when the send is cancelled or refused). static/send.js sends it and tells
// its steps as send:* events on the form.
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }

  // Opening: a link's own anchor (#m-<id>, #latest) is the browser's to
  // scroll to; without one, go where #latest would.
  function land() {
    if (window.location.hash) return;
    var latest = byId("latest");
    // At the top of the screen: below it the newer images, or the composer.
    if (latest) latest.scrollIntoView({block: "start"});
  }
  if (document.readyState === "complete") land();
  else window.addEventListener("load", land);

  var pending = null, pendingURL = "", sentID = "";

  function list() {
    var box = byId("conversation");
    if (!box) return null;
    var ol = box.querySelector("ol");
    if (!ol) {
      ol = document.createElement("ol");
      ol.className = "mt-4 flex flex-col gap-3";
      box.appendChild(ol);
    }
    return ol;
  }

  var albumURLs = []; // the object URLs of an album's pending images

  function revoke() {
    if (pendingURL) URL.revokeObjectURL(pendingURL);
    albumURLs.forEach(function (u) { URL.revokeObjectURL(u); });
    pendingURL = "";
    albumURLs = [];
  }

  function clear() {
    if (pending) pending.remove();
    revoke();
    pending = null;
  }

  // pendingImages is the image being sent, or an album's images in a grid.
  function pendingImages(files) {
    var one = files.length === 1, box = one ? document.createDocumentFragment() : document.createElement("div");
    if (!one) box.className = "grid grid-cols-2 gap-1";
    files.forEach(function (file, i) {
      var img = document.createElement("img"), url = URL.createObjectURL(file);
      if (i === 0) pendingURL = url; else albumURLs.push(url);
      img.src = url;
      img.alt = "Sending " + file.name;
      img.className = one ? "h-40 w-40 max-w-none rounded-xl object-cover opacity-70 sm:h-48 sm:w-48" :
        "h-24 w-24 max-w-none rounded-xl object-cover opacity-70 sm:h-32 sm:w-32";
      box.appendChild(img);
    });
    return box;
  }

  document.addEventListener("send:start", function (e) {
    if (!e.target.hasAttribute("data-thread")) return;
    clear();
    var ol = list(), file = e.detail.file, files = e.detail.files || [file];
    if (!ol || !file) return;
    pending = document.createElement("li");
    pending.className = "flex flex-col items-end gap-1";
    pending.setAttribute("data-pending", "");
    var bubble = document.createElement("div");
    bubble.className = "block w-min max-w-[80%] rounded-2xl bg-indigo-50 p-2 shadow-sm ring-1 ring-indigo-200 sm:max-w-xs";
    bubble.appendChild(pendingImages(files));
    var caption = byId("caption");
    if (caption && caption.value.trim()) {
      var p = document.createElement("p");
      p.dir = "auto";
      p.className = "mt-2 px-1 text-sm text-slate-800 wrap-anywhere";
      p.textContent = caption.value.trim();
      bubble.appendChild(p);
    }
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", files.length > 1 ? "Upload of " + files.length + " images" : "Upload of " + file.name);
    bar.className = "mt-2 block h-1.5 w-full appearance-none overflow-hidden rounded-full bg-slate-200 [&::-moz-progress-bar]:bg-indigo-600 [&::-webkit-progress-bar]:bg-slate-200 [&::-webkit-progress-value]:bg-indigo-600";
    bubble.appendChild(bar);
    var state = document.createElement("p");
    state.className = "mt-1 px-1 text-xs text-slate-600";
    state.setAttribute("data-pending-state", "");
    state.textContent = "Sending…";
    bubble.appendChild(state);
    pending.appendChild(bubble);
    ol.appendChild(pending);
    pending.scrollIntoView({block: "nearest"});
  });

  document.addEventListener("send:progress", function (e) {
    if (!pending) return;
    var bar = pending.querySelector("progress"), state = pending.querySelector("[data-pending-state]");
    bar.value = e.detail.percent;
    var n = pending.querySelectorAll("img").length;
    if (n > 1 && e.detail.percent < 100) state.textContent = "Sending image " + e.detail.file + " of " + n + "…";
    if (e.detail.percent >= 100) state.textContent = "Encrypting and saving…";
  });

  // Sent: the thread reloads (outerMorph), the server's own bubble taking
  // the pending one's place; focus stays in the composer.
  document.addEventListener("send:done", function (e) {
    if (!pending) return;
    pending.querySelector("[data-pending-state]").textContent = "Sent";
    sentID = e.detail.id;
    var box = byId("conversation");
    if (box && window.htmx) window.htmx.trigger(box, "refresh");
  });

  document.addEventListener("send:end", clear);

  document.addEventListener("htmx:afterSettle", function (e) {
    if (!(e.target instanceof Element) || e.target.id !== "conversation") return;
    revoke();
    pending = null;
    var sent = sentID && byId("m-" + sentID);
    sentID = "";
    if (sent) sent.scrollIntoView({block: "nearest"});
  });
})();
