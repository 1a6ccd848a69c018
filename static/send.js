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

  // At most this many images go in one send (an album), as the server says.
  var maxImages = 10;

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

  // showPreview shows the first chosen image and names them all.
  function showPreview(files) {
    var chosen = byId("image-chosen"), img = byId("image-preview"), name = byId("image-name");
    if (!chosen || !img) return;
    if (previewURL) URL.revokeObjectURL(previewURL);
    previewURL = "";
    if (!files || !files.length) { chosen.hidden = true; img.hidden = true; img.removeAttribute("src"); return; }
    var file = files[0], total = 0;
    previewURL = URL.createObjectURL(file);
    img.src = previewURL;
    img.alt = "Preview of " + file.name;
    img.hidden = false;
    var names = Array.prototype.map.call(files, function (f) { total += f.size; return f.name; });
    name.textContent = files.length === 1 ? file.name + " (" + formatBytes(file.size) + ")" :
      files.length + " images (" + formatBytes(total) + "): " + names.join(", ");
    chosen.hidden = false;
  }

  // filesProblem is why the server would refuse these files, naming the
  // image at fault as the server does, or "".
  function filesProblem(files, r) {
    if (files.length > maxImages) return "Send at most " + maxImages + " images at once; you chose " + files.length + ". Nothing was sent.";
    for (var i = 0; i < files.length; i++) {
      var problem = fileProblem(files[i], r);
      if (problem && files.length === 1) return problem;
      if (problem) return "Image " + (i + 1) + " (" + files[i].name + ") was refused: " + problem;
    }
    return "";
  }

  // chosenFiles is what the input holds, as an array.
  function chosenFiles() {
    var input = byId("image");
    return input && input.files ? Array.prototype.slice.call(input.files) : [];
  }

  // choose takes files for the form: checked, previewed, or refused with
  // the reason. A drop or paste adds to what is chosen (up to maxImages);
  // the input's own choice replaces it. Refused: the input keeps what it
  // held before a drop or paste, and is cleared after its own choice.
  function choose(files, fromInput) {
    var f = form(), input = byId("image");
    if (!f || !input || upload) return;
    sendKey = ""; // other images: another send
    var all = fromInput ? files : chosenFiles().concat(files);
    var problem = filesProblem(all, rules(f));
    if (problem) {
      if (fromInput) { input.value = ""; showPreview(null); }
      showError(problem);
      return;
    }
    if (!fromInput) {
      var dt = new DataTransfer();
      all.forEach(function (file) { dt.items.add(file); });
      input.files = dt.files;
    }
    showError("");
    showPreview(all);
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

  // fileAt is which of files (1-based) the upload is in once loaded of
  // total bytes are sent, and how far into it (percent), from their sizes.
  function fileAt(files, loaded, total) {
    var sizes = files.reduce(function (n, f) { return n + f.size; }, 0), at = loaded * sizes / (total || 1);
    for (var i = 0; i < files.length; i++) {
      if (at < files[i].size || i === files.length - 1) return {n: i + 1, percent: Math.min(100, Math.floor(at * 100 / (files[i].size || 1)))};
      at -= files[i].size;
    }
    return {n: 0, percent: 0};
  }

  function setProgress(pct, loaded, total) {
    var files = chosenFiles(), at = files.length > 1 && total ? fileAt(files, loaded, total) : null;
    tell("send:progress", {percent: pct, file: at ? at.n : 1, filePercent: at ? at.percent : pct});
    var bar = byId("send-progress-bar"), text = byId("send-percent"), label = byId("send-progress-label");
    if (!bar) return;
    bar.value = pct;
    bar.textContent = pct + "%";
    text.textContent = pct + "%";
    if (at && pct < 100) label.textContent = "Uploading image " + at.n + " of " + files.length + " (" + at.percent + "%)";
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
      if (e.lengthComputable && e.total > 0) setProgress(Math.floor((e.loaded / e.total) * 100), e.loaded, e.total);
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
      showError("Upload cancelled: nothing was sent. Your caption and " + (chosenFiles().length > 1 ? "images are" : "image is") + " still here.");
    });
    var files = chosenFiles();
    tell("send:start", {file: files[0], files: files, url: previewURL});
    setSending(true);
    showError("");
    xhr.send(new FormData(f));
  }

  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!(f instanceof HTMLFormElement) || f.id !== "send-form") return;
    e.preventDefault();
    if (upload) return;
    var files = chosenFiles();
    var problem = files.length ? filesProblem(files, rules(f)) : "Choose an image to send.";
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
    if (input.files && input.files.length) choose(Array.prototype.slice.call(input.files), true);
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
    choose(Array.prototype.slice.call(files), false);
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
    var files = e.dataTransfer.files;
    if (files && files.length) choose(Array.prototype.slice.call(files), false);
  });

  // enhance shows what only works with this script, and the preview of a
  // file the browser kept (a reload, going back).
  function enhance() {
    document.querySelectorAll("#send-form [data-js-only]").forEach(function (e) { e.hidden = false; });
    var input = byId("image");
    if (input && input.files && input.files.length) showPreview(input.files);
    setRecipient();
  }
  enhance();
})();
