"""Plain text to the HTML that Moodle shows, and back: question text is plain in our banks."""

from __future__ import annotations

import html
import re

_BREAK = re.compile(r"<br\s*/?>\n?|</p>\s*<p[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def escape_html(text: str, *, breaks: bool = False) -> str:
    """``text`` as HTML that shows it verbatim; ``breaks`` turns newlines into ``<br>``."""
    escaped = html.escape(text, quote=False)
    # Moodle reads a leading "[html]", "[plain]"... as a format marker, so a real "[" is an entity.
    if escaped.startswith("["):
        escaped = "&#91;" + escaped[1:]
    return escaped.replace("\n", "<br>\n") if breaks else escaped


def html_to_text(markup: str) -> str:
    """The text a reader sees in ``markup``: line breaks kept, other tags dropped, entities decoded."""
    text = _BREAK.sub("\n", markup)
    return html.unescape(_TAG.sub("", text)).strip()
