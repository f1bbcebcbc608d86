// Live sessions: follow the session's state and reload the page when its phase changes.
// Server-sent events when the browser has them, else a poll of the JSON state every second.
(function () {
  "use strict";
  var root = document.querySelector("[data-live-state]");
  if (!root) return;
  var url = root.getAttribute("data-live-state");
  var version = root.getAttribute("data-version");
  var phase = root.getAttribute("data-phase");
  var players = root.getAttribute("data-players");
  var remaining = document.querySelector("[data-live=remaining]");
  var endsAt = remaining ? Date.now() + Number(remaining.getAttribute("data-remaining")) : 0;

  function tick() {
    if (!remaining) return;
    var left = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
    remaining.textContent = String(left);
  }
  setInterval(tick, 250);

  function apply(state) {
    if (String(state.version) !== version || state.removed) { location.reload(); return; }
    // The lobby lists players: a join or a removal redraws it.
    if (phase === "lobby" && players !== null && String(state.players) !== players) { location.reload(); return; }
    document.querySelectorAll("[data-live=answered]").forEach(function (el) { el.textContent = state.answered; });
    document.querySelectorAll("[data-live=players]").forEach(function (el) { el.textContent = state.players; });
    if (remaining && state.phase === "question") endsAt = Date.now() + state.remaining_ms;
  }

  function poll() {
    fetch(url + "?v=" + encodeURIComponent(version), {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) { if (state) apply(state); })
      .catch(function () {})
      .finally(function () { if (phase !== "finished") setTimeout(poll, 1000); });
  }
  if (phase !== "finished") setTimeout(poll, 1000);
})();
