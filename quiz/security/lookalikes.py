"""Look-alike text: the key under which two names that look the same on a screen are one name.

The key is Unicode's confusables *skeleton* (UTS #39, section 4) of the name
after NFKC normalisation and case folding: "twice" spelled with a Cyrillic
i (U+0456), in full-width letters (U+FF54...) or as "TWICE" all have the key
of "twice".
The mapping is Unicode's own ``confusables.txt``, vendored in ``data/``
(see data/README.md). Case is folded first, so the key is as case-blind as
the plain comparison it extends (which means "I" and "l", told apart by
their case, are not matched).
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

CONFUSABLES = Path(__file__).parent / "data" / "confusables.txt"


@cache
def _prototypes() -> dict[str, str]:
    """Each confusable character and the sequence it is confused with (its prototype)."""
    mapping = {}
    with CONFUSABLES.open(encoding="utf-8-sig") as lines:
        for line in lines:
            data = line.split("#", 1)[0].strip()
            if not data:
                continue
            source, target, *_ = (field.strip() for field in data.split(";"))
            mapping[chr(int(source, 16))] = "".join(chr(int(point, 16)) for point in target.split())
    return mapping


def skeleton(text: str) -> str:
    """The look-alike key of ``text``: equal keys, names a reader could take for one another."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    prototypes = _prototypes()
    mapped = "".join(prototypes.get(char, char) for char in unicodedata.normalize("NFD", folded))
    return unicodedata.normalize("NFD", mapped)
