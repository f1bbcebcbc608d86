"""Reading a live session's server-sent event stream, as the test client hands it over in chunks."""

from __future__ import annotations

import json


def state_events(chunks) -> list[dict]:
    """The state events of a stream's chunks, as a phone's page reads them, in order."""
    found = []
    text = "".join(c.decode() if isinstance(c, bytes) else c for c in chunks)
    for block in text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and line[0] != ":")
        if lines.get("event") == "state":
            found.append(json.loads(lines["data"]))
    return found

