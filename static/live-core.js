// Live sessions. Every page works without these scripts; with them, the page follows the session.
// This file holds what the presenter's screen and a phone share: the page's root, where play stood
// when the page was drawn, and the hooks the other files fill in. The page loads it first, then
// live-presenter.js (the big screen) or live-phone.js and live-answer.js (a phone), then
// live-stream.js, which follows the session and hands each state to the page's own file.
(function () {
  "use strict";
  var root = document.querySelector("[data-live-state]");
  if (!root) return;

  var live = window.quizLive = {
    root: root,
    stateUrl: root.getAttribute("data-live-state"),
    eventsUrl: root.getAttribute("data-live-events"),
    playing: root.getAttribute("data-live-mode") === "play",
    view: root.querySelector("[data-live=view]"),
    version: 0, phase: null, players: null, drawn: null,
    loadedAt: Date.now(),
    endsAt: 0,
    streaming: false,
    lastFetch: 0,
    following: true,
    // What the page does with each state the server sends: present it (the big screen) or draw it
    // (a phone); set by that page's file.
    onState: function () {},
    // What the page undoes when it stops following (a phone lets its screen sleep again).
    onStop: function () {}
  };

  live.remainingEl = function () { return root.querySelector("[data-live=remaining]"); };

  live.readRoot = function () {
    // What the page as served (or as last redrawn) shows: where play stood when it was made.
    live.version = Number(root.getAttribute("data-version"));
    live.phase = root.getAttribute("data-phase");
    live.players = root.getAttribute("data-players");
    live.drawn = live.phase + ":" + (Number(root.getAttribute("data-question")) + 1);
    var remaining = live.remainingEl();
    if (remaining) live.endsAt = Date.now() + Number(remaining.getAttribute("data-remaining"));
  };
  live.readRoot();

  live.setAll = function (selector, value) {
    root.querySelectorAll(selector).forEach(function (el) { el.textContent = String(value); });
  };
})();
