"""Browsers of a real ``quiz serve`` as httpx clients: forms' tokens, a phone joining, its event stream."""

from __future__ import annotations

import json
import re
import threading

import httpx

from tests.helpers.forms import TOKEN


def form_token(client: httpx.Client, path: str) -> str:
    """The CSRF token of the form on the page at ``path``."""
    return TOKEN.search(client.get(path).text).group(1)


def join_phone(url: str, pin: str, nickname: str) -> tuple[httpx.Client, str]:
    """A phone that joined the session with this PIN, and the CSRF token its play page answers with."""
    phone = httpx.Client(base_url=url, timeout=10)
    reply = phone.post("/live/join", data={"pin": pin, "nickname": nickname,
                                           "csrf_token": form_token(phone, f"/live/join?pin={pin}")})
    assert reply.status_code == 303
    page = phone.get(f"/live/{pin}/play").text
    return phone, re.search(r'data-csrf="([^"]+)"', page).group(1)


def listen(url: str, pin: str, cookies, events: list[dict], stop: threading.Event) -> None:
    """Read a phone's event stream into ``events`` until the session finishes or ``stop`` is set."""
    with httpx.Client(base_url=url, cookies=cookies, timeout=None) as client, \
            client.stream("GET", f"/live/{pin}/events") as response:
        for line in response.iter_lines():
            if line.startswith("data:"):
                events.append(json.loads(line[5:]))
                if events[-1].get("finished") or stop.is_set():
                    return
