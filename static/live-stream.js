// Following a live session, on the presenter's screen and on a phone alike: server-sent events
// where the browser has them, else a poll of the same JSON every second; either way
// "Reconnecting…" shows while the server is out of reach. Each state goes to the page's own file
// (live-presenter.js or live-phone.js), so this one is loaded last.
(function () {
  "use strict";
  var live = window.quizLive;
  if (!live) return;
  var root = live.root;
  var source = null;

  function apply(state) {
    connection(true);
    if (!live.following) return;
    live.onState(state);
    live.setAll("[data-live=answered]", state.answered);
    live.setAll("[data-live=players]", state.players);
    if (state.phase === "question" && state.version === live.version) live.endsAt = Date.now() + state.remaining_ms;
    if (state.finished) stop();
  }

  function stop() {
    live.following = false;
    live.onStop();
    if (source) source.close();
  }

  // "Reconnecting…" shows once the server has been out of reach for a second, so that a stream
  // the server ends on schedule (and the browser opens again at once) does not flash it.
  var lostTimer = null;
  function connection(up) {
    var note = root.querySelector("[data-live=connection]");
    if (up) {
      clearTimeout(lostTimer);
      lostTimer = null;
      if (note) note.hidden = true;
    } else if (!lostTimer && live.following) {
      lostTimer = setTimeout(function () {
        var now = root.querySelector("[data-live=connection]");
        if (now && live.following) now.hidden = false;
      }, 1000);
    }
  }

  function refresh() {
    live.lastFetch = Date.now();
    return fetch(live.stateUrl, {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { if (r.status >= 500) connection(false); return r.ok ? r.json() : null; })
      .then(function (state) { if (state) apply(state); })
      .catch(function () { connection(false); });
  }

  function tick() {
    var remaining = live.remainingEl();
    if (!remaining) return;
    remaining.textContent = String(Math.max(0, Math.ceil((live.endsAt - Date.now()) / 1000)));
    // The server closes a question whose time is up; the presenter reads the state once a second
    // after the deadline so its screen moves on even if no process is watching.
    if (!live.playing && live.streaming && live.phase === "question" && Date.now() > live.endsAt + 250 &&
        Date.now() - live.lastFetch >= 1000) refresh();
  }
  setInterval(tick, 250);

  function poll() {
    refresh().finally(function () { if (live.following && live.phase !== "finished") setTimeout(poll, 1000); });
  }

  function listen() {
    source = new EventSource(live.eventsUrl);
    live.streaming = true;
    source.addEventListener("open", function () { connection(true); });
    source.addEventListener("state", function (event) {
      try { apply(JSON.parse(event.data)); } catch (e) { refresh(); }
    });
    source.onerror = function () {
      // A dropped stream reconnects by itself; a refused one (CLOSED) does not: poll instead.
      if (!live.following) return;
      connection(false);
      if (source.readyState === EventSource.CLOSED && live.streaming) {
        live.streaming = false;
        setTimeout(poll, 1000);
      }
    };
  }

  live.connection = connection;
  live.stop = stop;
  if (live.phase === "finished") return;
  if (live.eventsUrl && window.EventSource) listen();
  else setTimeout(poll, 1000);
})();
