"""Every exchange format by name, in the order the command line and the export page list them."""

from __future__ import annotations

from importlib import import_module

from quiz.exchange.formats import Format

# One module per format under quiz/exchange/, each defining FORMAT.
MODULES = [
    "yaml_format", "json_format", "csv_format", "anki", "anki_text", "gift", "moodle_xml", "qti",
    "quizlet", "markdown", "html_print",
]

FORMATS: dict[str, Format] = {
    format.name: format
    for format in (import_module(f"quiz.exchange.{module}").FORMAT for module in MODULES)
}
