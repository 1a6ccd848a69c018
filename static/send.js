// The send form (views/send.templ), enhanced: the file is checked against
// the server's limits before a byte is uploaded, chosen by drag and drop or
// paste as well, previewed; the upload shows its progress and can be
// cancelled; an error replaces only the error, never what was typed or
// chosen. Without this file the form is a plain multipart POST.
(function () {
  "use strict";

  function form() { return document.getElementById("send-form"); }
  function byId(id) { return document.getElementById(id); }

  var upload = null; // the XMLHttpRequest under way
  var previewURL = "";
  // The Idempotency-Key of the send on the form: sending the same form again
  // (after an error, or an answer lost with the connection) reuses it, so
  // the server never stores the image twice; a change to the form, or a
  // sent image, makes the next send a new one.
  var sendKey = "";

  function newSendKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var bytes = new Uint8Array(16), hex = "";
    window.crypto.getRandomValues(bytes);
    for (var i = 0; i < bytes.length; i++) hex += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return hex;
  }

  // The limits the server rendered into the form (the same as /api/me's).
  function rules(f) {
    var max = Number(f.dataset.maxBytes);
    return {
      maxBytes: max > 0 ? max : 0,
      maxLabel: f.dataset.maxLabel || "",
      types: (f.dataset.types || "").split(",").filter(Boolean),
    };
  }

  // The accepted types and the words that refuse a file, as the server
  // (app/imagecheck) says them; React reads the same from its copy.
  var imageTypes = {"types":["image/png","image/jpeg","image/gif","image/webp","image/avif"],"unsupported":"Only PNG, JPEG, GIF, WebP or AVIF images can be sent.","heic_types":["image/heic","image/heif","image/heic-sequence","image/heif-sequence"],"heic_extensions":[".heic",".heif"],"heic":"HEIC photos from an iPhone or Mac are not supported yet: choose 'Most Compatible' in the iPhone's Settings > Camera > Formats, or export the photo as JPEG."}; // generated: go test ./app/imagecheck -run TestClientWordsAreImagechecks -update-words

  // The words for a file over the limit, as the server (imageapp.Rules)
  // says them; "{max}" is where the limit goes.
  var uploadWords = {"too_large":"This image is larger than the {max} limit.","caption_too_long":"Captions can be at most {max} characters."}; // generated: go test ./app/imageapp -run TestClientRulesAreImageapps -update-rules

  // isHEIC reports whether file is a HEIC/HEIF photo, by its type or, where
  // the browser gives it none (not on a Mac), by its name.
  function isHEIC(file) {
    var name = (file.name || "").toLowerCase();
    return imageTypes.heic_types.indexOf(file.type) >= 0 ||
      imageTypes.heic_extensions.some(function (ext) { return name.slice(-ext.length) === ext; });
  }

  // Why the server would refuse this file, or "" (wording as the server's).
  function fileProblem(file, r) {
    if (isHEIC(file)) return imageTypes.heic;
    if (r.types.length && r.types.indexOf(file.type) < 0) return imageTypes.unsupported;
    if (r.maxBytes && file.size > r.maxBytes) return uploadWords.too_large.replace("{max}", r.maxLabel);
    return "";
  }

  function formatBytes(n) {
    if (n < 1024) return n + " B";
    var units = ["KiB", "MiB", "GiB"], v = n / 1024, i = 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (v < 10 ? v.toFixed(1) : Math.round(v)) + " " + units[i];
  }

  // showError puts msg in the form's alert and moves focus there, so it is
  // both announced and where the keyboard is; "" clears it.
  function showError(msg) {
    var box = byId("send-error");
    if (!box) return;
    box.textContent = "";
    if (!msg) return;
    var alert = document.createElement("div");
    alert.setAttribute("role", "alert");
    alert.className = "rounded-lg bg-red-50 px-4 py-3 text-sm text-red-800 ring-1 ring-red-200";
    alert.textContent = msg;
    box.appendChild(alert);
    box.focus();
  }

  function showPreview(file) {
    var chosen = byId("image-chosen"), img = byId("image-preview"), name = byId("image-name");
    if (!chosen || !img) return;
    if (previewURL) URL.revokeObjectURL(previewURL);
    previewURL = "";
    if (!file) { chosen.hidden = true; img.hidden = true; img.removeAttribute("src"); return; }
    previewURL = URL.createObjectURL(file);
    img.src = previewURL;
    img.alt = "Preview of " + file.name;
    img.hidden = false;
    name.textContent = file.name + " (" + formatBytes(file.size) + ")";
    chosen.hidden = false;
  }

  // choose takes a file for the form: checked, previewed, or refused with
  // the reason (and the input cleared, so it cannot be sent).
  function choose(file, fromInput) {
    var f = form(), input = byId("image");
    if (!f || !input || upload) return;
    sendKey = ""; // another image: another send
    var problem = fileProblem(file, rules(f));
    if (problem) {
      input.value = "";
      showPreview(null);
      showError(problem);
      return;
    }
    if (!fromInput) {
      var dt = new DataTransfer();
      dt.items.add(file);
      input.files = dt.files;
    }
    showError("");
    showPreview(file);
  }

  function clearFile() {
    var input = byId("image");
    if (!input) return;
    sendKey = "";
    input.value = "";
    showPreview(null);
    input.focus();
  }

  function setRecipient() {
    var to = byId("to"), name = to && to.value.trim() ? to.value.trim() : "the recipient";
    document.querySelectorAll("[data-send-recipient]").forEach(function (e) { e.textContent = name; });
  }

  // tell announces a step of a send on the form ("send:start", "send:progress",
  // "send:done", "send:end"), for static/thread.js to show it in the thread.
  function tell(name, detail) {
    var f = form();
    if (f) f.dispatchEvent(new CustomEvent(name, {bubbles: true, detail: detail || {}}));
  }

  function setProgress(pct) {
    tell("send:progress", {percent: pct});
    var bar = byId("send-progress-bar"), text = byId("send-percent"), label = byId("send-progress-label");
    if (!bar) return;
    bar.value = pct;
    bar.textContent = pct + "%";
    text.textContent = pct + "%";
    if (pct >= 100) {
      label.textContent = "Uploaded; encrypting and saving…";
      byId("send-cancel").hidden = true; // past the point a cancel could stop it
    }
  }

  function setSending(on) {
    var f = form();
    if (!f) return;
    f.classList.toggle("sending", on);
    f.setAttribute("aria-busy", String(on));
    byId("send-progress").hidden = !on;
    byId("send-cancel").hidden = !on;
    var submit = f.querySelector("button[type=submit]");
    if (submit) submit.disabled = on;
    if (on) {
      byId("send-progress-label").textContent = "Uploading";
      setProgress(0);
    }
  }

  // done ends a send: a success swaps in the server's fresh panel (with its
  // notice); anything else leaves the form as it is and says what went wrong.
  function done(xhr) {
    upload = null;
    var redirect = xhr.getResponseHeader("HX-Redirect");
    if (redirect) { window.location.assign(redirect); return; }
    var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    if (xhr.status >= 200 && xhr.status < 300) {
      var fresh = doc.getElementById("send-panel"), panel = byId("send-panel");
      if (fresh && panel) {
        sendKey = "";
        showPreview(null);
        tell("send:done", {id: xhr.getResponseHeader("X-Message-Id") || ""});
        panel.replaceWith(document.importNode(fresh, true));
        var note = byId("send-panel").querySelector("[role=status]");
        if (note) { note.tabIndex = -1; note.focus(); }
        enhance();
        return;
      }
    }
    tell("send:end");
    setSending(false);
    // The composer's answer without the quote: the quoted image is gone.
    var quote = byId("composer-quote");
    if (quote && doc.getElementById("send-form") && !doc.getElementById("composer-quote")) {
      quote.remove();
      byId("quote").remove();
    }
    var alert = doc.querySelector("[role=alert]");
    showError(alert ? alert.textContent.trim() : "Sending failed (" + xhr.status + "). Try again.");
  }

  function send(f) {
    var xhr = new XMLHttpRequest();
    upload = xhr;
    xhr.open("POST", f.action);
    xhr.setRequestHeader("HX-Request", "true"); // the server answers with the panel alone
    xhr.setRequestHeader("HX-Current-URL", window.location.href);
    if (!sendKey) sendKey = newSendKey();
    xhr.setRequestHeader("Idempotency-Key", sendKey);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable && e.total > 0) setProgress(Math.floor((e.loaded / e.total) * 100));
    });
    xhr.upload.addEventListener("load", function () { setProgress(100); });
    xhr.addEventListener("load", function () { done(xhr); });
    xhr.addEventListener("error", function () {
      upload = null;
      tell("send:end");
      setSending(false);
      showError("The upload failed: check your connection and try again.");
    });
    xhr.addEventListener("abort", function () {
      upload = null;
      // A cancelled upload never reached the server whole (Cancel goes once
      // it has), so sending again is a new send, with a key of its own.
      sendKey = "";
      tell("send:end");
      setSending(false);
      showError("Upload cancelled. Your caption and image are still here.");
    });
    var input = byId("image");
    tell("send:start", {file: input && input.files && input.files[0], url: previewURL});
    setSending(true);
    showError("");
    xhr.send(new FormData(f));
  }

  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!(f instanceof HTMLFormElement) || f.id !== "send-form") return;
    e.preventDefault();
    if (upload) return;
    var input = byId("image"), file = input && input.files && input.files[0];
    var problem = file ? fileProblem(file, rules(f)) : "Choose an image to send.";
    if (problem) { showError(problem); return; }
    send(f);
  });

  // Any change to the form makes its next send a new one.
  function formChanged(e) {
    var f = form();
    if (f && e.target instanceof Node && f.contains(e.target)) sendKey = "";
  }
  document.addEventListener("input", formChanged);
  document.addEventListener("change", formChanged);

  document.addEventListener("change", function (e) {
    var input = e.target;
    if (!(input instanceof HTMLInputElement) || input.id !== "image") return;
    if (input.files && input.files[0]) choose(input.files[0], true);
    else showPreview(null);
  });

  document.addEventListener("input", function (e) {
    if (e.target instanceof HTMLInputElement && e.target.id === "to") setRecipient();
  });

  document.addEventListener("click", function (e) {
    var t = e.target instanceof Element ? e.target.closest("button") : null;
    if (!t) return;
    if (t.id === "send-cancel" && upload) upload.abort();
    if (t.id === "image-remove") clearFile();
  });

  // A pasted image (a screenshot, a copied picture) is chosen, wherever the
  // focus is; pasted text goes where it always went.
  document.addEventListener("paste", function (e) {
    if (!form()) return;
    var files = e.clipboardData && e.clipboardData.files;
    if (!files || !files.length) return;
    e.preventDefault();
    choose(files[0], false);
  });

  // A file dragged anywhere over the page is taken by the form; the drop
  // zone lights up meanwhile. Without this the browser would open the file
  // and leave the page.
  function dragsFiles(e) {
    return e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types || [], "Files") >= 0;
  }
  var depth = 0;
  function lit(on) { var z = byId("drop-zone"); if (z) z.classList.toggle("dragging", on); }
  document.addEventListener("dragenter", function (e) {
    if (!form() || !dragsFiles(e)) return;
    e.preventDefault();
    depth++;
    lit(true);
  });
  document.addEventListener("dragover", function (e) {
    if (!form() || !dragsFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = upload ? "none" : "copy";
  });
  document.addEventListener("dragleave", function () {
    depth = Math.max(0, depth - 1);
    if (depth === 0) lit(false);
  });
  document.addEventListener("drop", function (e) {
    if (!form() || !dragsFiles(e)) return;
    e.preventDefault();
    depth = 0;
    lit(false);
    var file = e.dataTransfer.files && e.dataTransfer.files[0];
    if (file) choose(file, false);
  });

  // enhance shows what only works with this script, and the preview of a
  // file the browser kept (a reload, going back).
  function enhance() {
    document.querySelectorAll("#send-form [data-js-only]").forEach(function (e) { e.hidden = false; });
    var input = byId("image");
    if (input && input.files && input.files[0]) showPreview(input.files[0]);
    setRecipient();
  }
  enhance();
})();
