"""What the catalog tells other features: a feature whose rows follow the content listens here.

``sync_planned`` is sent while a sync plans its writes, before the write
transaction opens. A receiver is called with the content as sender and
``session`` (to read what it holds), ``concepts`` (every glossary concept:
id, term, definition, data with its aliases), ``questions`` (those whose type
makes a flashcard: id, type, data, ids of new ones included) and ``add``
(``add(statement, rows)`` joins the sync's one transaction). The flashcard
deck is planned so, and written in the same commit as the content.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()
sync_planned = _signals.signal("sync-planned")
