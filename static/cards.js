// Keyboard shortcuts and the browser's time zone for the flashcard pages. Everything works
// without this file: it adds Space to show the answer, 1-4 to rate, U to undo, and offers
// the device's time zone where it differs from the saved one.
(function () {
  "use strict";
  var reveal = document.querySelector("[data-reveal]");
  var rateForm = document.querySelector("[data-rate-form]");
  var undoForm = document.querySelector("[data-undo-form]");
  var sent = false;

  function typing(target) {
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  // One submission per page: a second key press or click must not send a second rating.
  function submitOnce(form, button) {
    if (sent) { return; }
    sent = true;
    form.requestSubmit(button);
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.repeat || typing(event.target)) { return; }
    // Enter only from the page itself: on a link or button it must keep doing what it does.
    var onPage = event.target === document.body;
    if (reveal && (event.key === " " || (event.key === "Enter" && onPage)) && event.target.tagName !== "BUTTON") {
      event.preventDefault();
      reveal.click();
    } else if (rateForm && /^[1-4]$/.test(event.key)) {
      event.preventDefault();
      submitOnce(rateForm, rateForm.querySelector('[data-rating="' + event.key + '"]'));
    } else if (undoForm && (event.key === "u" || event.key === "U")) {
      event.preventDefault();
      submitOnce(undoForm, undoForm.querySelector("button"));
    }
  });

  [rateForm, undoForm].forEach(function (form) {
    if (!form) { return; }
    form.addEventListener("submit", function () {
      sent = true;
      window.setTimeout(function () {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });

  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  if (!zone) { return; }
  document.querySelectorAll("[data-zone-name]").forEach(function (el) { el.textContent = zone; });

  document.querySelectorAll("[data-zone-use]").forEach(function (el) { el.textContent = "Use " + zone; });
  document.querySelectorAll("[data-zone-fill]").forEach(function (el) {
    el.textContent = "Use this device's time zone: " + zone;
  });

  var offer = document.querySelector("[data-zone-offer]");
  if (offer && offer.dataset.current !== zone) {
    offer.querySelector("[data-zone-field]").value = zone;
    offer.hidden = false;
  }

  var fill = document.querySelector("[data-zone-fill]");
  var field = document.getElementById("time_zone");
  if (fill && field) {
    fill.hidden = false;
    fill.addEventListener("click", function () {
      field.value = zone;
      field.focus();
    });
  }
})();
