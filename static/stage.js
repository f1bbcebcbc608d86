// The presenter's screen: a full-screen button and the F key. The button shows only where the
// browser can go full screen; live-presenter.js redraws the screen in place, so full screen stays on.
(function () {
  "use strict";
  if (!document.fullscreenEnabled) return;

  function label() {
    document.querySelectorAll("[data-fullscreen]").forEach(function (button) {
      button.hidden = false;
      button.firstChild.textContent = document.fullscreenElement ? "Leave full screen " : "Full screen ";
      button.setAttribute("aria-pressed", document.fullscreenElement ? "true" : "false");
    });
  }

  function toggle() {
    if (document.fullscreenElement) document.exitFullscreen();
    else document.documentElement.requestFullscreen().catch(function () {});
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-fullscreen]")) toggle();
  });
  document.addEventListener("keydown", function (event) {
    var typing = event.target.closest && event.target.closest("input, textarea, select, [contenteditable]");
    if ((event.key === "f" || event.key === "F") && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      toggle();
    }
  });
  document.addEventListener("fullscreenchange", label);
  document.addEventListener("live:drawn", label);
  label();
})();
