"""The CSRF token of a page's form, as a browser sends it back with the form."""

from __future__ import annotations

import re

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def token_in(body: str) -> str:
    """The CSRF token of the first form on a page."""
    found = TOKEN.search(body)
    assert found, "the page has no csrf_token input"
    return found.group(1)


def token(client, url: str) -> str:
    """The CSRF token of the form on the page at ``url``."""
    response = client.get(url)
    assert response.status_code == 200, url
    found = TOKEN.search(response.get_data(as_text=True))
    assert found, f"no csrf_token on {url}"
    return found.group(1)
