"""Uploading through /import as a signed-in instructor, for the import tests."""

from __future__ import annotations

import io
import re

from tests.helpers.sessions import sign_in

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def instructor(app, name: str = "teacher"):
    """A test client signed in as an instructor."""
    client = app.test_client()
    sign_in(app, client, name, is_instructor=True)
    return client


def upload(client, data: bytes, filename: str, bank: str = "", format_name: str = ""):
    """POST one file to /import with the page's CSRF token; the response."""
    token = TOKEN.search(client.get("/import").get_data(as_text=True)).group(1)
    return client.post("/import", data={"csrf_token": token, "bank": bank, "format": format_name,
                                        "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def bank_files(content_dir) -> dict[str, str]:
    """Every bank file under content/banks, by name, with its text."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((content_dir / "banks").glob("*"))}
