// Live sessions. Every page works without this script; with it, the page follows the session.
// The presenter's screen reloads when play moves to a new phase and updates its counts in place.
// A phone redraws itself from what each event says (with the <template>s in the page), so a new
// question needs no page load, and it sends its answer without leaving the page.
// Server-sent events where the browser has them, else a poll of the same JSON every second.
(function () {
  "use strict";
  var root = document.querySelector("[data-live-state]");
  if (!root) return;
  var stateUrl = root.getAttribute("data-live-state");
  var eventsUrl = root.getAttribute("data-live-events");
  var playing = root.getAttribute("data-live-mode") === "play";
  var version = Number(root.getAttribute("data-version"));
  var phase = root.getAttribute("data-phase");
  var players = root.getAttribute("data-players");
  var view = root.querySelector("[data-live=view]");
  var loadedAt = Date.now();
  var endsAt = 0;
  var streaming = false;
  var lastFetch = 0;
  var source = null;

  function remainingEl() { return root.querySelector("[data-live=remaining]"); }
  var first = remainingEl();
  if (first) endsAt = Date.now() + Number(first.getAttribute("data-remaining"));

  function setAll(selector, value) {
    root.querySelectorAll(selector).forEach(function (el) { el.textContent = String(value); });
  }

  // ------------------------------------------------------------ the presenter

  function reloadSoon() {
    // A hall joining at once must not reload the lobby many times a second.
    setTimeout(function () { location.reload(); }, Math.max(0, loadedAt + 2000 - Date.now()));
  }

  function present(state) {
    if (state.version !== version || state.removed) { location.reload(); return; }
    if (phase === "lobby" && players !== null && String(state.players) !== players) { players = null; reloadSoon(); }
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

  function option(tag, attributes, index) {
    var el = element(tag, attributes);
    el.className = "answer-option option-" + (index % 4);
    return el;
  }

  function fields(ask) {
    var box = document.createDocumentFragment();
    var options = ask.options || [];
    if (ask.type === "single" || ask.type === "true_false") {
      var grid = element("div", {"class": "answer-grid", role: "group", "aria-labelledby": "prompt"});
      options.forEach(function (pair, n) {
        var button = option("button", {type: "submit", name: "choice", value: pair[0]}, n);
        button.append(shape(n), element("span", {}, pair[1]));
        grid.append(button);
      });
      box.append(grid);
      return box;
    }
    if (ask.type === "multiple") {
      var set = element("fieldset", {"class": "answer-grid"});
      set.append(element("legend", {"class": "hint"}, "Choose all that apply, then send."));
      options.forEach(function (pair, n) {
        var label = option("label", {}, n);
        label.append(element("input", {type: "checkbox", name: "choice", value: pair[0]}), shape(n),
                     element("span", {}, pair[1]));
        set.append(label);
      });
      box.append(set);
    } else if (ask.type === "short") {
      var field = element("div", {"class": "field"});
      field.append(element("label", {"for": "answer"}, "Your answer"),
                   element("input", {"class": "input input-big", type: "text", id: "answer", name: "answer",
                                     maxlength: "200", autocomplete: "off", autocapitalize: "off",
                                     spellcheck: "false", required: ""}));
      box.append(field);
    } else if (ask.type === "ordering") {
      ask.items.forEach(function (current, n) {
        var row = element("div", {"class": "field pair"});
        var select = element("select", {"class": "input", id: "position-" + n, name: "position-" + n});
        ask.items.forEach(function (item) {
          var choice = element("option", {value: item}, item);
          choice.selected = item === current;
          select.append(choice);
        });
        row.append(element("label", {"for": "position-" + n}, "Position " + (n + 1)), select);
        box.append(row);
      });
    }
    box.append(clone("live-send"));
    return box;
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

  function draw(state) {
    if (state.removed) { location.reload(); return; }
    if (state.me && state.me.score !== undefined) setAll("[data-live=score]", state.me.score);
    if (state.version === version && state.phase === phase) return;
    if (state.version < version) return; // a poll that crossed a newer event
    version = state.version;
    phase = state.phase;
    if (phase === "question") {
      endsAt = Date.now() + state.remaining_ms;
      show(state.me && state.me.answered ? clone("live-locked") : question(state));
    } else if (phase === "lobby") show(clone("live-lobby"));
    else if (phase === "finished") show(over(state));
    else show(result(state));
  }

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
    var base = reply.retryAfter > 0 ? Math.min(reply.retryAfter, 5) * 1000
                                    : Math.min(2000, 500 * Math.pow(2, tries));
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
    if (playing) draw(state); else present(state);
    setAll("[data-live=answered]", state.answered);
    setAll("[data-live=players]", state.players);
    if (state.phase === "question" && state.version === version) endsAt = Date.now() + state.remaining_ms;
    if (state.finished && source) source.close();
  }

  function refresh() {
    lastFetch = Date.now();
    return fetch(stateUrl, {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) { if (state) apply(state); })
      .catch(function () {});
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
    refresh().finally(function () { if (phase !== "finished") setTimeout(poll, 1000); });
  }

  function listen() {
    source = new EventSource(eventsUrl);
    streaming = true;
    source.addEventListener("state", function (event) {
      try { apply(JSON.parse(event.data)); } catch (e) { refresh(); }
    });
    source.onerror = function () {
      // A dropped stream reconnects by itself; a refused one (CLOSED) does not: poll instead.
      if (source.readyState === EventSource.CLOSED && streaming) {
        streaming = false;
        setTimeout(poll, 1000);
      }
    };
  }

  if (playing) {
    view.addEventListener("submit", send);
  }
  if (phase === "finished") return;
  if (eventsUrl && window.EventSource) listen();
  else setTimeout(poll, 1000);
})();
