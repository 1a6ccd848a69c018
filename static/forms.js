// Loaded only by pages with a form these checks serve (views/forms.templ):
// the inbox and the other pages do not pay for the rules below.
// Checks before a form is sent, in the server's words (imageapp.Rules): a
// new username, a new password or an emailed code of the wrong shape is
// refused here without a round trip; the server checks again either way.
(function () {
  "use strict";
  var rules = {"username":{"pattern":"^[A-Za-z0-9_.-]{3,32}$","min_length":3,"max_length":32,"hint":"3 to 32 letters, digits, '_', '.' or '-'.","missing":"Enter a username.","invalid":"Usernames are 3 to 32 characters: letters, digits, '_', '.' or '-'."},"email":{"pattern":"^[^\\s@]+@[^\\s@]+$","invalid":"Enter a valid email address, like name@example.com."},"password":{"min_length":10,"max_bytes":256,"hint":"At least 10 characters.","too_short":"Passwords need at least 10 characters.","too_long":"Passwords can be at most 256 bytes."},"code":{"length":6,"pattern":"^[0-9]{6}$","invalid":"Enter the 6-digit code from the email."},"keep":{"choices":[{"value":"keep","label":"Until deleted"},{"value":"1h","label":"1 hour"},{"value":"1d","label":"1 day"},{"value":"7d","label":"7 days"},{"value":"once","label":"View once"}],"default":"keep","hint":"When its time is up, or once viewed, the image is gone for good for both of you.","invalid":"Choose how long the image is kept: keep, 1h, 1d, 7d or once."},"upload":{"too_large":"This image is larger than the {max} limit.","caption_too_long":"Captions can be at most {max} characters."}}; // generated: go test ./app/imageapp -run TestClientRulesAreImageapps -update-rules

  // Why the server would refuse el's value, or "".
  function problem(el, form) {
    var v = el.value, ac = el.getAttribute("autocomplete");
    var creating = !!form.querySelector("input[autocomplete=new-password]");
    if (el.name === "username" && creating && v) {
      if (!new RegExp(rules.username.pattern).test(v)) return rules.username.invalid;
    }
    if (ac === "new-password" && v) {
      if (Array.from(v).length < rules.password.min_length) return rules.password.too_short;
      if (new TextEncoder().encode(v).length > rules.password.max_bytes) return rules.password.too_long;
    }
    // Only a field that asks for the six digits (its pattern): the code
    // step of two-factor also takes a recovery code.
    if (el.name === "code" && ac === "one-time-code" && el.hasAttribute("pattern") && v && !new RegExp(rules.code.pattern).test(v)) return rules.code.invalid;
    return "";
  }

  // The browser's own check of the field then says the server's words: on
  // each keystroke, and again on submit (autofill types no keys).
  function check(el) {
    if (el.tagName === "INPUT" && el.form) el.setCustomValidity(problem(el, el.form));
  }
  document.addEventListener("input", function (e) { check(e.target); });
  document.addEventListener("submit", function (e) {
    var form = e.target, first = null;
    if (!form.querySelectorAll) return;
    form.querySelectorAll("input").forEach(function (el) {
      check(el);
      if (!first && el.validity.customError) first = el;
    });
    if (first) {
      e.preventDefault();
      e.stopImmediatePropagation();
      first.reportValidity();
    }
  }, true);
})();
