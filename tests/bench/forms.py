"""Pages and forms as a browser reads them: a form's fields filled in, the CSRF token, redirect paths.

Shared by the load benchmarks in tests/bench/ (through ``harness``'s clients).
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


class Failed(Exception):
    """A learner's request got an answer the flow does not expect."""


class FormReader(HTMLParser):
    """The fields of the first POST form whose tag carries ``marker`` (any POST form if None)."""

    def __init__(self, marker: str | None = None):
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.fields: list[dict] = []
        self._inside = False
        self._done = False
        self._select: dict | None = None
        self._option: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open the form, or note one of its fields."""
        attributes = dict(attrs)
        if self._done:
            return
        if tag == "form":
            post = (attributes.get("method") or "get").lower() == "post"
            if post and (self.marker is None or self.marker in attributes):
                self._inside = True
            return
        if not self._inside:
            return
        name = attributes.get("name")
        if tag == "input":
            self.fields.append({"tag": "input", "type": (attributes.get("type") or "text").lower(),
                                "name": name, "value": attributes.get("value")})
        elif tag == "select":
            self._select = {"tag": "select", "name": name, "options": []}
            self.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": attributes.get("value"), "text": "",
                            "selected": "selected" in attributes}
            self._select["options"].append(self._option)
        elif tag == "textarea":
            self.fields.append({"tag": "textarea", "name": name})

    def handle_data(self, data: str) -> None:
        """Keep an option's text: it is its value when it has no value attribute."""
        if self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag: str) -> None:
        """Close options, selects and the form."""
        if tag == "form" and self._inside:
            self._inside, self._done = False, True
        elif tag == "option":
            self._option = None
        elif tag == "select":
            self._select = self._option = None


def _option_value(option: dict) -> str:
    return option["value"] if option["value"] is not None else option["text"].strip()


def fill_in(page: str, marker: str) -> dict[str, list[str]]:
    """The form a learner sends: first radio/checkbox, "x" typed, select defaults kept."""
    reader = FormReader(marker)
    reader.feed(page)
    if not reader.fields:
        raise Failed(f"no form with {marker} on the page")
    data: dict[str, list[str]] = {}
    ticked: set[str] = set()
    for item in reader.fields:
        name = item["name"]
        if not name:
            continue
        if item["tag"] == "select":
            options = item["options"]
            chosen = (next((o for o in options if o["selected"]), None)
                      or next((o for o in options if _option_value(o)), None))
            if chosen is not None:
                data.setdefault(name, []).append(_option_value(chosen))
        elif item["tag"] == "textarea":
            data.setdefault(name, []).append("x")
        elif item["type"] == "hidden":
            data.setdefault(name, []).append(item["value"] or "")
        elif item["type"] in ("radio", "checkbox"):
            if name not in ticked:
                ticked.add(name)
                data.setdefault(name, []).append(item["value"] or "on")
        elif item["type"] not in ("submit", "button", "image", "reset", "file"):
            data.setdefault(name, []).append("x")
    return data


def csrf_token(page: str) -> str:
    """The value of the page's first hidden ``csrf_token`` input."""
    reader = FormReader()
    reader.feed(page)
    for item in reader.fields:
        if item["name"] == "csrf_token" and item.get("value"):
            return item["value"]
    raise Failed("no csrf_token on the page")


def site_path(location: str | None, base: str) -> str:
    """The path part of a (possibly relative) redirect target on this site."""
    return urlsplit(urljoin(base, location or "")).path
