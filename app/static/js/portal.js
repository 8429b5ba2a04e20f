// Small progressive enhancements; the portal works without this file.
(function () {
  "use strict";
  // After an htmx swap, move focus to a swapped region that asks for it
  // (data-focus-after-swap), so keyboard and screen-reader users follow the change.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target.querySelector("[data-focus-after-swap]");
    if (target) { target.setAttribute("tabindex", "-1"); target.focus(); }
  });
  // Elements marked data-autosubmit submit their form when changed (no inline script).
  document.addEventListener("change", function (event) {
    var el = event.target.closest("[data-autosubmit]");
    if (el && el.form && !window.htmx) { el.form.requestSubmit(); }
  });
})();
