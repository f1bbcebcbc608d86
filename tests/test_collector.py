"""A serving worker keeps what it loaded out of the garbage collector's full passes (quiz.collector)."""

from __future__ import annotations

import gc
import logging

from quiz.workers import worker_ready


class _Worker:
    pid = 1
    log = logging.getLogger("test-worker")


def test_a_ready_worker_freezes_what_it_loaded():
    assert gc.get_freeze_count() == 0
    try:
        worker_ready(_Worker())
        # The app, its packages and everything else alive at start: far more than a request makes.
        assert gc.get_freeze_count() > 100_000
    finally:
        gc.unfreeze()
