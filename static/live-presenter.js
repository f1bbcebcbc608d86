// The presenter's live screen: it redraws itself from its own page, fetched when play moves to a
// new phase (never a reload, so full screen stays on), sends its buttons the same way, and updates
// its counts in place (live-stream.js sets them). Loaded after live-core.js.
(function () {
  "use strict";
  var live = window.quizLive;
  if (!live || live.playing) return;
  var root = live.root;
  var pageUrl = root.getAttribute("data-live-page");

  function swap(html) {
    // Put the freshly served screen in place of this one, keeping the page (and full screen).
    var next = new DOMParser().parseFromString(html, "text/html");
    var screen = next.querySelector("[data-live-state]");
    if (!screen || screen.getAttribute("data-live-events") !== live.eventsUrl) { location.reload(); return; }
    var hadFocus = root.contains(document.activeElement);
    Array.prototype.forEach.call(screen.attributes, function (a) { root.setAttribute(a.name, a.value); });
    root.replaceChildren.apply(root, Array.prototype.slice.call(screen.childNodes));
    document.title = next.title;
    live.loadedAt = Date.now();
    live.readRoot();
    var target = root.querySelector("[data-autofocus]") || (hadFocus && root.querySelector(".stage-controls .button"));
    if (target) target.focus();
    document.dispatchEvent(new CustomEvent("live:drawn"));
  }

  function fetchScreen(url, options) {
    return fetch(url, Object.assign({credentials: "same-origin", cache: "no-store"}, options || {}))
      .then(function (response) {
        if (!response.ok) { location.href = pageUrl; return; } // refused: show where things stand
        if (new URL(response.url).pathname !== new URL(pageUrl, location.href).pathname) {
          location.href = response.url; // somewhere else (a new session, the log-in page): go there
          return;
        }
        return response.text().then(swap);
      });
  }

  var redrawing = null;
  function redraw() {
    if (redrawing) { redrawing.again = true; return; }
    var asking = root.querySelector(".confirm-end") ? "?confirm=end" : "";
    redrawing = {again: false};
    fetchScreen(pageUrl + asking)
      .catch(function () { live.connection(false); })
      .finally(function () {
        var again = redrawing.again;
        redrawing = null;
        if (again) redraw();
      });
  }

  function redrawSoon() {
    // A hall joining at once must not redraw the lobby many times a second.
    setTimeout(redraw, Math.max(0, live.loadedAt + 1000 - Date.now()));
  }

  function present(state) {
    if (state.version !== live.version) { redraw(); return; }
    if (live.phase === "lobby" && live.players !== null && String(state.players) !== live.players) {
      live.players = null;
      redrawSoon();
    }
  }

  function act(event) {
    // The presenter's buttons post as they would without script, then the answer is drawn in place.
    var form = event.target;
    if ((form.getAttribute("method") || "").toLowerCase() !== "post") return;
    event.preventDefault();
    var body = new FormData(form);
    if (event.submitter && event.submitter.name) body.append(event.submitter.name, event.submitter.value);
    form.querySelectorAll("button").forEach(function (el) { el.disabled = true; });
    // getAttribute: a button named "action" hides the form's own property of that name.
    fetchScreen(form.getAttribute("action"), {method: "POST", body: body})
      .catch(function () { HTMLFormElement.prototype.submit.call(form); });
  }

  function follow(event) {
    var link = event.target.closest && event.target.closest("a[data-swap]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    fetchScreen(link.href).catch(function () { location.href = link.href; });
  }

  live.onState = present;
  root.addEventListener("submit", act);
  root.addEventListener("click", follow);
})();
