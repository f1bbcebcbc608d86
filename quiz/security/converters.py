"""URL converters that refuse what the database cannot hold: a 404, never a 500."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map

# The largest id SQLite (a signed 64-bit integer) and PostgreSQL's BIGINT hold.
# A larger one would make the driver raise instead of the query missing.
MAX_ID = 2**63 - 1


class BoundedInt(IntegerConverter):
    """``<int:...>`` bounded to 64 bits: a longer number matches no route, so it is a 404.

    Registered as the ``int`` converter, so every route that takes a number is
    bounded, including routes added later. A rule may still ask for a lower
    ``max``; it cannot ask for a higher one.
    """

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = None, signed: bool = False) -> None:
        bound = MAX_ID if max is None else max if max < MAX_ID else MAX_ID
        super().__init__(map, fixed_digits, min, bound, signed)


def whole_number(text: str) -> int:
    """A form or query value as an int the database can hold; ValueError (so: missing) beyond 64 bits.

    For ``request.args.get(name, type=whole_number)``: werkzeug treats the
    ValueError as an absent value, so the view's own "missing" path answers.
    """
    number = int(text)
    if not -MAX_ID - 1 <= number <= MAX_ID:
        raise ValueError(f"{text[:20]}... is beyond what the database holds")
    return number
