"""Write banks back to YAML: stable, readable, and loadable by our own loader."""

from __future__ import annotations

import yaml

from quiz.content.model import Bank


class _BankDumper(yaml.SafeDumper):
    """Never emits anchors (the loader refuses them) and indents lists under keys."""

    def ignore_aliases(self, data) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


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
