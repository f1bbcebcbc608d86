// Live sessions: follow the session's state and reload the page when its phase changes.
// Server-sent events when the browser has them (each event says something moved: fetch the
// state once), else a poll of the JSON state every second.
(function () {
  "use strict";
  var root = document.querySelector("[data-live-state]");
  if (!root) return;
  var url = root.getAttribute("data-live-state");
  var eventsUrl = root.getAttribute("data-live-events");
  var version = root.getAttribute("data-version");
  var phase = root.getAttribute("data-phase");
  var players = root.getAttribute("data-players");
  var remaining = document.querySelector("[data-live=remaining]");
  var endsAt = remaining ? Date.now() + Number(remaining.getAttribute("data-remaining")) : 0;
  var streaming = false;
  var lastFetch = 0;

  function apply(state) {
    if (String(state.version) !== version || state.removed) { location.reload(); return; }
    // The lobby lists players: a join or a removal redraws it.
    if (phase === "lobby" && players !== null && String(state.players) !== players) { location.reload(); return; }
    document.querySelectorAll("[data-live=answered]").forEach(function (el) { el.textContent = state.answered; });
    document.querySelectorAll("[data-live=players]").forEach(function (el) { el.textContent = state.players; });
    if (remaining && state.phase === "question") endsAt = Date.now() + state.remaining_ms;
  }

  function refresh() {
    lastFetch = Date.now();
    return fetch(url + "?v=" + encodeURIComponent(version), {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) { if (state) apply(state); })
      .catch(function () {});
  }

  function tick() {
    if (!remaining) return;
    var left = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
    remaining.textContent = String(left);
    // Time running out changes nothing by itself: the server closes the question when it is
    // next read, so a streaming page reads it once a second after its deadline.
    if (streaming && phase === "question" && Date.now() > endsAt + 250 && Date.now() - lastFetch >= 1000) refresh();
  }
  setInterval(tick, 250);

  function poll() {
    refresh().finally(function () { if (phase !== "finished") setTimeout(poll, 1000); });
  }

  function listen() {
    var source = new EventSource(eventsUrl);
    streaming = true;
    source.addEventListener("state", function (event) {
      var data = {};
      try { data = JSON.parse(event.data); } catch (e) { /* refresh anyway */ }
      if (data.finished) source.close();
      refresh();
    });
    source.onerror = function () {
      // A dropped stream reconnects by itself; a refused one (CLOSED) does not: poll instead.
      if (source.readyState === EventSource.CLOSED && streaming) {
        streaming = false;
        setTimeout(poll, 1000);
      }
    };
  }

  if (phase === "finished") return;
  if (eventsUrl && window.EventSource) listen();
  else setTimeout(poll, 1000);
})();
