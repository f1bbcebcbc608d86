// A phone in a live session: it redraws itself from what each event says (with the <template>s in
// the page), so a new question needs no page load, and keeps the screen awake while a question is
// open. Sending its answer is live-answer.js's. Loaded after live-core.js.
(function () {
  "use strict";
  var live = window.quizLive;
  if (!live || !live.playing) return;
  var root = live.root;
  var view = live.view;

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
    live.stop();
  }

  function draw(state) {
    if (state.removed) { removed(); return; }
    if (state.me && state.me.score !== undefined) live.setAll("[data-live=score]", state.me.score);
    if (state.version < live.version) return; // a poll that crossed a newer event
    live.version = state.version;
    // A new version in the same phase and question (someone was removed) leaves the screen alone,
    // so a half-typed answer survives it.
    var key = state.phase + ":" + state.question;
    if (key === live.drawn) return;
    live.drawn = key;
    var phase = live.phase = state.phase;
    keepAwake(phase === "question");
    if (phase === "question") {
      live.endsAt = Date.now() + state.remaining_ms;
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

  live.clone = clone;
  live.show = show;
  live.complain = complain;
  live.onState = draw;
  live.onStop = function () { keepAwake(false); };
  keepAwake(live.phase === "question");
})();
