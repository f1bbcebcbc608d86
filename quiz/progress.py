"""Progress of long work (export, import, sync), told to whoever listens: the command line's bar.

The work calls ``advance(n)`` as it gets through ``n`` questions; nothing
listens unless a caller wraps it in ``reporting(callback)``, so elsewhere the
calls cost a context-variable read. (The sync takes its callback as a
parameter instead, since it also runs from the web import.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Listener = tuple[Callable[[int], None], Callable[[int], None] | None]
_listener: ContextVar[Listener | None] = ContextVar("progress_listener", default=None)


def advance(count: int = 1) -> None:
    """Tell the listener, if any, that ``count`` more steps are done."""
    listener = _listener.get()
    if listener is not None:
        listener[0](count)


def expect(total: int) -> None:
    """Tell the listener, if it asked, how many steps the work takes (once it is known)."""
    listener = _listener.get()
    if listener is not None and listener[1] is not None:
        listener[1](total)


@contextmanager
def reporting(callback: Callable[[int], None], sized: Callable[[int], None] | None = None) -> Iterator[None]:
    """Send every ``advance`` inside the block to ``callback``, and ``expect`` to ``sized``."""
    token = _listener.set((callback, sized))
    try:
        yield
    finally:
        _listener.reset(token)
