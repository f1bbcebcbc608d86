// The import page says it is working from the moment the file is sent until the answer comes:
// a large file takes a while to check and load. Everything works without this file.
(function () {
  "use strict";
  var form = document.querySelector("[data-import-form]");
  var status = document.getElementById("import-status");
  if (!form || !status) { return; }
  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    status.hidden = false;
    status.textContent = "Importing: the file is being checked and loaded. A large one can take a " +
      "minute; this page changes when it is done.";
    if (button) {
      button.disabled = true;
      button.textContent = "Importing\u2026";
    }
    form.setAttribute("aria-busy", "true");
  });
  // Coming back to the page (the browser's back button) shows the form ready again.
  window.addEventListener("pageshow", function () {
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = false; button.textContent = "Import"; }
    form.removeAttribute("aria-busy");
  });
}());
