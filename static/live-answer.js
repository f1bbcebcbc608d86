// A phone sends its answer without leaving the page. Loaded after live-phone.js, whose screens it shows.
(function () {
  "use strict";
  var live = window.quizLive;
  if (!live || !live.playing) return;

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
      live.complain("No word from the server yet: sending your answer again…");
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
    var sentFor = live.version;
    var controls = form.querySelectorAll("button, input, select");
    controls.forEach(function (el) { el.disabled = true; });
    function again(message) {
      form.removeAttribute("data-sending");
      controls.forEach(function (el) { el.disabled = false; });
      live.complain(message);
    }
    deliver(form.action, body, Date.now(), 0).then(function (reply) {
      if (reply.data && reply.data.taken) {
        if (live.version === sentFor && live.phase === "question") live.show(live.clone("live-locked"));
        else live.root.querySelector("[data-live=error]").hidden = true;
      } else if (transient(reply)) again("Your answer could not be sent: check the connection and try again.");
      else if (reply.status === 400) again(reply.data.error);
      else live.complain(reply.data.error);
    });
  }

  live.view.addEventListener("submit", send);
})();
