"""Python's cyclic garbage collector, kept from pausing a worker that holds thousands of streams.

A full collection walks every object the process holds, and a worker holds
a great many from its start alone (Flask, SQLAlchemy, gevent, the app): at
2,000 players on four workers, full collections paused a worker for 0.3 s
at a time, and every answer and stream event of that worker waited. What
exists once the app has loaded lives as long as the process, so it is moved
out of the collector's reach (``gc.freeze``, made for this), and later full
collections walk only what the worker made since: its requests and streams.
"""

from __future__ import annotations

import gc


def freeze_what_lasts() -> None:
    """Collect once, then leave everything alive now out of every later collection."""
    gc.collect()
    gc.freeze()
