"""The instructor's side of a live session over plain HTTP, for browser tests that watch the phones."""

from __future__ import annotations

import re

import httpx

from tests.helpers.forms import TOKEN
from tests.helpers.pages import PASSWORD

VERSION = re.compile(r'name="version" value="(\d+)"')


class Presenter:
    """The instructor, signed in over plain HTTP, pressing the presenter's buttons."""

    def __init__(self, base: str, name: str):
        self.client = httpx.Client(base_url=base, timeout=10)
        login = self.client.get("/login").text
        signed_in = self.client.post("/login", data={"name": name, "password": PASSWORD,
                                                     "csrf_token": TOKEN.search(login).group(1)})
        assert signed_in.status_code == 302, (signed_in.status_code, signed_in.text[:2000])

    def create(self, count: int = 1) -> tuple[int, str]:
        """A session of ``count`` single-choice questions: its id and PIN."""
        page = self.client.get("/live").text
        made = self.client.post("/live", data={
            "types": "single", "count": str(count), "seconds": "60", "points": "standard",
            "show_on_devices": "on", "shuffle": "on", "csrf_token": TOKEN.search(page).group(1)})
        session_id = int(re.search(r"/live/(\d+)/host", made.headers["location"]).group(1))
        host_page = self.client.get(f"/live/{session_id}/host").text
        return session_id, re.search(r"pin=(\d{6})", host_page).group(1)

    def press(self, session_id: int, action: str) -> None:
        """Press a button of the presenter screen as it stands."""
        page = self.client.get(f"/live/{session_id}/host").text
        reply = self.client.post(f"/live/{session_id}/act", data={
            "action": action, "csrf_token": TOKEN.search(page).group(1),
            "version": VERSION.search(page).group(1)})
        assert reply.status_code == 303
