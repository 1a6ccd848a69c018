// Small progressive enhancements; every page works without this file.
// Under the strict CSP there is no inline script, so behaviour lives here.
(function () {
  "use strict";
  // Preview the chosen image on the send form before uploading.
  document.addEventListener("change", function (e) {
    var input = e.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.dataset.preview) return;
    var img = document.getElementById(input.dataset.preview);
    if (!img) return;
    var file = input.files && input.files[0];
    if (img.dataset.url) URL.revokeObjectURL(img.dataset.url);
    if (!file) { img.hidden = true; return; }
    img.dataset.url = URL.createObjectURL(file);
    img.src = img.dataset.url;
    img.hidden = false;
  });
  // Ask before deleting a message.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      e.preventDefault();
    }
  }, true);
})();
