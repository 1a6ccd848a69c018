// Ask before deleting, in a <dialog>: a form marked data-dialog="ID" opens
// that dialog instead of posting. The dialog says what deleting does and
// holds the real form (confirm=yes). Without this file the same form posts
// without confirm=yes and the server answers with the same question as a
// page, so nothing is deleted by one click either way.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.dialog) return;
    var dialog = document.getElementById(form.dataset.dialog);
    if (!dialog || typeof dialog.showModal !== "function") return; // the server asks instead
    e.preventDefault();
    dialog.showModal();
  });
})();
