// Live sessions. Every page works without this script; with it, the page follows the session.
// The presenter's screen redraws itself from its own page, fetched when play moves to a new phase
// (never a reload, so full screen stays on), sends its buttons the same way, and updates its counts
// in place. A phone redraws itself from what each event says (with the <template>s in the page),
// so a new question needs no page load, and it sends its answer without leaving the page; it keeps
// the screen awake while a question is open. Server-sent events where the browser has them, else a
// poll of the same JSON every second; either way "Reconnecting…" shows while the server is out of reach.
(function () {
  "use strict";
  var root = document.querySelector("[data-live-state]");
  if (!root) return;
  var stateUrl = root.getAttribute("data-live-state");
  var eventsUrl = root.getAttribute("data-live-events");
  var playing = root.getAttribute("data-live-mode") === "play";
  var version, phase, players, drawn;
  var view = root.querySelector("[data-live=view]");
  var loadedAt = Date.now();
  var endsAt = 0;
  var streaming = false;
  var lastFetch = 0;
  var source = null;
  var following = true;

  function remainingEl() { return root.querySelector("[data-live=remaining]"); }

  function readRoot() {
    // What the page as served (or as last redrawn) shows: where play stood when it was made.
    version = Number(root.getAttribute("data-version"));
    phase = root.getAttribute("data-phase");
    players = root.getAttribute("data-players");
    drawn = phase + ":" + (Number(root.getAttribute("data-question")) + 1);
    var remaining = remainingEl();
    if (remaining) endsAt = Date.now() + Number(remaining.getAttribute("data-remaining"));
  }
  readRoot();

  function setAll(selector, value) {
    root.querySelectorAll(selector).forEach(function (el) { el.textContent = String(value); });
  }

  // ------------------------------------------------------------ the presenter

  var pageUrl = root.getAttribute("data-live-page");

  function swap(html) {
    // Put the freshly served screen in place of this one, keeping the page (and full screen).
    var next = new DOMParser().parseFromString(html, "text/html");
    var screen = next.querySelector("[data-live-state]");
    if (!screen || screen.getAttribute("data-live-events") !== eventsUrl) { location.reload(); return; }
    var hadFocus = root.contains(document.activeElement);
    Array.prototype.forEach.call(screen.attributes, function (a) { root.setAttribute(a.name, a.value); });
    root.replaceChildren.apply(root, Array.prototype.slice.call(screen.childNodes));
    document.title = next.title;
    loadedAt = Date.now();
    readRoot();
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
      .catch(function () { connection(false); })
      .finally(function () {
        var again = redrawing.again;
        redrawing = null;
        if (again) redraw();
      });
  }

  function redrawSoon() {
    // A hall joining at once must not redraw the lobby many times a second.
    setTimeout(redraw, Math.max(0, loadedAt + 1000 - Date.now()));
  }

  function present(state) {
    if (state.version !== version) { redraw(); return; }
    if (phase === "lobby" && players !== null && String(state.players) !== players) { players = null; redrawSoon(); }
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

  // ----------------------------------------------------------------- a phone

  function clone(id) { return document.getElementById(id).content.cloneNode(true); }

  function fill(node, values) {
    Object.keys(values).forEach(function (key) {
      node.querySelectorAll("[data-slot=" + key + "]").forEach(function (el) {
        el.textContent = values[key] === null || values[key] === undefined ? "" : String(values[key]);
      });
    });
  }

  function reveal(node, slot, shown) {
    node.querySelectorAll("[data-slot=" + slot + "]").forEach(function (el) { el.hidden = !shown; });
  }

  function element(tag, attributes, text) {
    var el = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { el.setAttribute(name, attributes[name]); });
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function shape(index) {
    return document.getElementById("live-shapes").content.children[index % 4].cloneNode(true);
  }

  function gridClass(options) {
    // Two buttons a row, as the page draws them; one a row when a label or one of its words is long
    // (half a phone's width cannot hold "Paravirtualization" whole), as live/_inputs.html says.
    var longest = 0, longestWord = 0;
    options.forEach(function (pair) {
      longest = Math.max(longest, pair[1].length);
      pair[1].split(/\s+/).forEach(function (word) { longestWord = Math.max(longestWord, word.length); });
    });
    return longest > 60 || longestWord > 14 ? "answer-grid answer-grid-long" : "answer-grid";
  }

  // A type's live input comes from its macro file (templates/questions/<type>.html), drawn for
  // one sample option and item: every element marked data-each is repeated for each entry of that
  // list in the question, and data-fill says what of the entry each part takes.
  function fields(ask) {
    var box = clone("live-input-" + ask.type);
    box.querySelectorAll("[data-grid]").forEach(function (el) {
      el.setAttribute("class", gridClass(ask.options || []));
    });
    box.querySelectorAll("[data-each]").forEach(function (unit) {
      (ask[unit.getAttribute("data-each")] || []).forEach(function (entry, n) {
        var copy = unit.cloneNode(true);
        copy.removeAttribute("data-each");
        fillEntry(copy, entry, n, ask);
        unit.before(copy);
      });
      unit.remove();
    });
    return box;
  }

  function fillEntry(unit, entry, n, ask) {
    var value = Array.isArray(entry) ? entry[0] : entry;
    var label = Array.isArray(entry) ? entry[1] : entry;
    [unit].concat(Array.prototype.slice.call(unit.querySelectorAll("[data-fill]"))).forEach(function (el) {
      (el.getAttribute("data-fill") || "").split(" ").forEach(function (hook) {
        if (hook === "value") el.setAttribute("value", value);
        else if (hook === "label") el.textContent = label;
        else if (hook === "number") el.textContent = String(n + 1);
        else if (hook === "option") {
          el.className = el.className.replace(/option-\d+/, "option-" + (n % 4));
          var sample = el.querySelector(".shape");
          if (sample) sample.replaceWith(shape(n));
        } else if (hook === "index") {
          ["id", "name", "for"].forEach(function (name) {
            if (el.hasAttribute(name)) el.setAttribute(name, el.getAttribute(name).replace(/\d+$/, String(n)));
          });
        } else if (hook === "items") {
          el.replaceChildren();
          (ask.items || []).forEach(function (item) {
            var choice = element("option", {value: item}, item);
            choice.selected = item === value;
            el.append(choice);
          });
        }
      });
    });
  }

  function question(state) {
    var ask = state.ask;
    var node = clone("live-question");
    fill(node, {question: state.question, questions: state.questions,
                remaining: Math.ceil(state.remaining_ms / 1000)});
    var prompt = node.querySelector("[data-slot=prompt]");
    if (ask.prompt) prompt.textContent = ask.prompt;
    else {
      prompt.textContent = "Question " + state.question + ": look at the big screen";
      prompt.className = "visually-hidden";
    }
    var form = node.querySelector("form");
    form.action = root.getAttribute("data-answer-url");
    form.append(element("input", {type: "hidden", name: "csrf_token", value: root.getAttribute("data-csrf")}),
                element("input", {type: "hidden", name: "question", value: String(ask.index)}));
    node.querySelector("[data-slot=fields]").append(fields(ask));
    return node;
  }

  function result(state) {
    var me = state.me || {};
    var node = clone(!me.answered ? "live-none" : me.correct ? "live-right" : "live-wrong");
    fill(node, {points: me.points, bonus: me.bonus, answer: state.answer, streak: me.streak,
                score: me.score, rank: me.rank, players: state.players});
    reveal(node, "bonus-note", me.bonus > 0);
    reveal(node, "rank-box", Boolean(me.rank));
    return node;
  }

  function over(state) {
    var me = state.me || {};
    var node = clone("live-over");
    fill(node, {rank: me.rank, players: state.players, score: me.score});
    reveal(node, "rank-box", Boolean(me.rank));
    return node;
  }

  function show(node) {
    var hadFocus = view.contains(document.activeElement);
    view.replaceChildren(node);
    var error = root.querySelector("[data-live=error]");
    error.hidden = true;
    if (hadFocus) {
      var target = view.querySelector("button, input, select") || view.querySelector("h1");
      if (target) { if (!target.matches("button, input, select")) target.tabIndex = -1; target.focus(); }
    }
  }

  function complain(message) {
    var error = root.querySelector("[data-live=error]");
    error.textContent = message;
    error.hidden = false;
  }

  function removed() {
    // Taken out of the game by the instructor: say so, and stop following the session.
    show(clone("live-removed"));
    stop();
  }

  function draw(state) {
    if (state.removed) { removed(); return; }
    if (state.me && state.me.score !== undefined) setAll("[data-live=score]", state.me.score);
    if (state.version < version) return; // a poll that crossed a newer event
    version = state.version;
    // A new version in the same phase and question (someone was removed) leaves the screen alone,
    // so a half-typed answer survives it.
    var key = state.phase + ":" + state.question;
    if (key === drawn) return;
    drawn = key;
    phase = state.phase;
    keepAwake(phase === "question");
    if (phase === "question") {
      endsAt = Date.now() + state.remaining_ms;
      show(state.me && state.me.answered ? clone("live-locked") : question(state));
    } else if (phase === "lobby") show(clone("live-lobby"));
    else if (phase === "finished") show(over(state));
    else show(result(state));
  }

  // The screen stays on while a question is open (Screen Wake Lock, where the browser has it:
  // pages over plain HTTP on the network do not, as it needs a secure context).
  var wakeLock = null;
  var wantAwake = false;
  function keepAwake(on) {
    wantAwake = on;
    if (!navigator.wakeLock) return;
    if (on && !wakeLock && document.visibilityState === "visible") {
      wakeLock = navigator.wakeLock.request("screen");
      wakeLock.then(function (lock) {
        lock.addEventListener("release", function () { wakeLock = null; });
        if (!wantAwake) lock.release();
      }, function () { wakeLock = null; });
    } else if (!on && wakeLock) {
      wakeLock.then(function (lock) { lock.release(); }, function () {});
      wakeLock = null;
    }
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && wantAwake) keepAwake(true); // the browser let it go
  });

  // ------------------------------------------------------- sending an answer
  // An answer is sent until the server says it is recorded ({"taken": true}) or refuses it (a 4xx
  // with its reason). No reply at all, or a server briefly unable to answer (restarting, its
  // database down: 502, 503, 504, or a page that is not ours), is retried with the same form,
  // after the server's Retry-After if it gave one: the server records an answer once, so a retry
  // of one it already has is answered "taken" like the first. Nothing else shows it as saved.

  var GIVE_UP_MS = 30000;

  function post(url, body) {
    return fetch(url, {method: "POST", body: body, credentials: "same-origin",
                       headers: {"Accept": "application/json"}})
      .then(function (response) {
        var after = Number(response.headers.get("Retry-After"));
        return response.json().then(function (data) {
          return {status: response.status, data: data, retryAfter: after};
        }, function () { return {status: response.status, data: null, retryAfter: after}; });
      }, function () { return {status: 0, data: null, retryAfter: NaN}; });
  }

  function transient(reply) {
    return reply.status === 0 || reply.status >= 500 || reply.data === null;
  }

  function pause(reply, tries) {
    // The first try again comes fast (a worker that stopped has others serving at once), the next
    // ones ever later, up to two seconds; each with a random share, so a hall does not send together.
    var base = reply.retryAfter > 0 ? Math.min(reply.retryAfter, 5) * 1000
                                    : Math.min(2000, 200 * Math.pow(2, tries));
    return base * (0.75 + Math.random() / 2);  // a hall that lost the server together does not return together
  }

  function deliver(url, body, started, tries) {
    return post(url, body).then(function (reply) {
      if (!transient(reply) || Date.now() - started > GIVE_UP_MS) return reply;
      complain("No word from the server yet: sending your answer again…");
      return new Promise(function (resolve) { setTimeout(resolve, pause(reply, tries)); })
        .then(function () { return deliver(url, body, started, tries + 1); });
    });
  }

  function send(event) {
    event.preventDefault();
    var form = event.target;
    if (form.getAttribute("data-sending")) return; // a double tap sends once
    form.setAttribute("data-sending", "1");
    var body = new FormData(form);
    if (event.submitter && event.submitter.name) body.append(event.submitter.name, event.submitter.value);
    var sentFor = version;
    var controls = form.querySelectorAll("button, input, select");
    controls.forEach(function (el) { el.disabled = true; });
    function again(message) {
      form.removeAttribute("data-sending");
      controls.forEach(function (el) { el.disabled = false; });
      complain(message);
    }
    deliver(form.action, body, Date.now(), 0).then(function (reply) {
      if (reply.data && reply.data.taken) {
        if (version === sentFor && phase === "question") show(clone("live-locked"));
        else root.querySelector("[data-live=error]").hidden = true;
      } else if (transient(reply)) again("Your answer could not be sent: check the connection and try again.");
      else if (reply.status === 400) again(reply.data.error);
      else complain(reply.data.error);
    });
  }

  // --------------------------------------------------------------- following

  function apply(state) {
    connection(true);
    if (!following) return;
    if (playing) draw(state); else present(state);
    setAll("[data-live=answered]", state.answered);
    setAll("[data-live=players]", state.players);
    if (state.phase === "question" && state.version === version) endsAt = Date.now() + state.remaining_ms;
    if (state.finished) stop();
  }

  function stop() {
    following = false;
    keepAwake(false);
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
    } else if (!lostTimer && following) {
      lostTimer = setTimeout(function () {
        var now = root.querySelector("[data-live=connection]");
        if (now && following) now.hidden = false;
      }, 1000);
    }
  }

  function refresh() {
    lastFetch = Date.now();
    return fetch(stateUrl, {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { if (r.status >= 500) connection(false); return r.ok ? r.json() : null; })
      .then(function (state) { if (state) apply(state); })
      .catch(function () { connection(false); });
  }

  function tick() {
    var remaining = remainingEl();
    if (!remaining) return;
    remaining.textContent = String(Math.max(0, Math.ceil((endsAt - Date.now()) / 1000)));
    // The server closes a question whose time is up; the presenter reads the state once a second
    // after the deadline so its screen moves on even if no process is watching.
    if (!playing && streaming && phase === "question" && Date.now() > endsAt + 250 &&
        Date.now() - lastFetch >= 1000) refresh();
  }
  setInterval(tick, 250);

  function poll() {
    refresh().finally(function () { if (following && phase !== "finished") setTimeout(poll, 1000); });
  }

  function listen() {
    source = new EventSource(eventsUrl);
    streaming = true;
    source.addEventListener("open", function () { connection(true); });
    source.addEventListener("state", function (event) {
      try { apply(JSON.parse(event.data)); } catch (e) { refresh(); }
    });
    source.onerror = function () {
      // A dropped stream reconnects by itself; a refused one (CLOSED) does not: poll instead.
      if (!following) return;
      connection(false);
      if (source.readyState === EventSource.CLOSED && streaming) {
        streaming = false;
        setTimeout(poll, 1000);
      }
    };
  }

  if (playing) {
    view.addEventListener("submit", send);
    keepAwake(phase === "question");
  } else {
    root.addEventListener("submit", act);
    root.addEventListener("click", follow);
  }
  if (phase === "finished") return;
  if (eventsUrl && window.EventSource) listen();
  else setTimeout(poll, 1000);
})();
