// Keyboard shortcuts for a quiz page. Everything works without this file:
// it only adds 1-9 to choose and Enter to check or go on.
(function () {
  "use strict";
  var form = document.querySelector("[data-answer-form]");
  var next = document.querySelector("[data-next]");
  var verdict = document.getElementById("verdict");
  if (verdict) { verdict.focus(); }

  function typing(target) {
    var tag = target.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" ||
      (tag === "INPUT" && !/^(radio|checkbox|submit|button)$/.test(target.type));
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (form && /^[1-9]$/.test(event.key) && !typing(event.target)) {
      var options = form.querySelectorAll("input[type=radio], input[type=checkbox]");
      var option = options[Number(event.key) - 1];
      if (option) {
        event.preventDefault();
        option.checked = option.type === "radio" ? true : !option.checked;
        option.focus();
      }
      return;
    }
    if (event.key !== "Enter" || event.repeat) { return; }
    if (form && !typing(event.target) && event.target.tagName !== "BUTTON") {
      event.preventDefault();
      form.requestSubmit();
    } else if (next && event.target.tagName !== "A" && event.target.tagName !== "BUTTON") {
      event.preventDefault();
      next.click();
    }
  });

  // A double click must not send the answer twice; the server would ignore it anyway.
  if (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("[data-submit]");
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  }
})();
