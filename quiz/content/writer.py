"""Write banks back to YAML: stable, readable, and loadable by our own loader."""

from __future__ import annotations

import yaml

from quiz.content.model import Bank

# libyaml's emitter when present: the pure-Python one takes seconds on a large bank.
try:
    from yaml import CSafeDumper as _SafeDumper
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _SafeDumper  # type: ignore[assignment]  # CSafeDumper's twin


class _BankDumper(_SafeDumper):
    """Never emits anchors: the loader refuses them."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def dump_yaml(data: object) -> str:
    """YAML text for plain data, keys in the order given."""
    return yaml.dump(
        data, Dumper=_BankDumper, sort_keys=False, allow_unicode=True, width=100,
        default_flow_style=False,
    )


def bank_text(bank: Bank, header: str = "") -> str:
    """The bank as a content file, with the editor schema line and an optional header."""
    body = dump_yaml(
        {"id": bank.id, "title": bank.title, "questions": [q.to_dict() for q in bank.questions]}
    )
    lines = ["# yaml-language-server: $schema=../schema/bank.schema.json"]
    if header:
        lines.append(header)
    return "\n".join(lines) + "\n" + body
