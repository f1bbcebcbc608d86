"""Printable HTML: one self-contained page of questions, then the answer key on a new page.

The document carries its own print stylesheet (boxes to tick, lines to write
on, no question split across pages) and loads nothing else, so it prints the
same from a file, a mail attachment or a browser without the app. All text
goes through Jinja2's autoescaping.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment

from quiz.content.model import Question
from quiz.exchange.formats import Format, Support
from quiz.exchange.printed import SHEETS, Sheet, answer_key, letter, sheet
from quiz.exchange.selection import ExportSet
from quiz.progress import advance

_STYLE = """
@page { size: A4; margin: 16mm 18mm; }
* { box-sizing: border-box; }
body { font: 11pt/1.45 Georgia, "DejaVu Serif", "Times New Roman", serif; color: #000;
       max-width: 46em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.6em; margin: 0 0 .3em; }
h2 { font-size: 1.2em; margin: 1.6em 0 .6em; border-bottom: 1px solid #000; }
.who { display: flex; gap: 2em; margin-bottom: 1.5em; }
.who span { flex: 1; border-bottom: 1px solid #000; }
ol.questions { padding-left: 1.8em; }
li.question { margin: 0 0 1.3em; break-inside: avoid; page-break-inside: avoid; }
.prompt { margin: 0; }
.instruction { margin: .1em 0 .4em; font-style: italic; font-size: .9em; }
ul.answers { list-style: none; padding: 0; margin: 0; }
ul.answers li { margin: .25em 0; }
.box { display: inline-block; width: 1em; height: 1em; border: 1px solid #000;
       vertical-align: -.15em; margin-right: .5em; }
.slot { display: inline-block; width: 2.2em; height: 1.3em; border: 1px solid #000;
        vertical-align: -.3em; margin-right: .5em; }
.blank { display: inline-block; min-width: 7em; border-bottom: 1px solid #000; white-space: nowrap; }
.blank small { font-size: .7em; vertical-align: super; }
.line { display: block; height: 2em; border-bottom: 1px solid #000; margin-top: .3em; }
.options { margin: .5em 0 0; padding-left: 0; list-style: none; }
section.key { break-before: page; page-break-before: always; }
section.key > ol > li { margin: 0 0 .8em; break-inside: avoid; }
section.key ul { margin: 0; padding-left: 1.2em; }
.explanation { margin: .2em 0 0; font-size: .9em; }
@media print { body { margin: 0; padding: 0; max-width: none; } }
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>{style}</style>
</head>
<body>
<header>
<h1>{{ title }}</h1>
<p class="who">Name <span></span> Date <span></span></p>
</header>
{% for bank, items in banks %}
<section class="bank">
<h2>{{ bank.title }}</h2>
<ol class="questions" start="{{ items[0].number }}">
{% for item in items %}{% set s = item.sheet %}
<li class="question" id="q{{ item.number }}">
<p class="prompt">{% for segment in s.segments %}{% if not loop.first -%}
<span class="blank"><small>{{ loop.index0 }}</small></span>{% endif %}{{ segment }}{% endfor %}</p>
<p class="instruction">{{ s.instruction }}</p>
{% if s.boxes %}<ul class="answers">{% for option in s.boxes %}
<li><span class="box"></span>{{ option }}</li>{% endfor %}
</ul>{% endif %}
{% if s.ranked %}<ul class="answers">{% for entry in s.ranked %}
<li><span class="slot"></span>{{ entry }}</li>{% endfor %}
</ul>{% endif %}
{% if s.terms %}<ul class="answers">{% for term in s.terms %}
<li><span class="slot"></span>{{ term }}</li>{% endfor %}
</ul>
<ul class="options">{% for option in s.options %}
<li>{{ letter(loop.index0) }}. {{ option }}</li>{% endfor %}
</ul>{% endif %}
{% if s.write_in %}<span class="line"></span>{% endif %}
</li>
{% endfor %}
</ol>
</section>
{% endfor %}
<section class="key">
<h2>Answer key</h2>
<ol>
{% for item in everything %}
<li value="{{ item.number }}">{% if item.key | length == 1 %}{{ item.key[0] }}{% else %}
<ul>{% for line in item.key %}<li>{{ line }}</li>{% endfor %}</ul>{% endif %}
{% if item.explanation %}<p class="explanation">{{ item.explanation }}</p>{% endif %}
</li>
{% endfor %}
</ol>
</section>
</body>
</html>
"""

_ENVIRONMENT = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
# The stylesheet is part of the template text: a <style> element shows entities literally,
# so it must not pass through autoescaping.
_PAGE = _ENVIRONMENT.from_string(_TEMPLATE.replace("{style}", _STYLE))


@dataclass(frozen=True)
class _Item:
    """A question as the page shows it: its number through the document, layout and key."""

    number: int
    sheet: Sheet
    key: list[str]
    explanation: str


def _item(number: int, question: Question) -> _Item:
    return _Item(number, sheet(question), answer_key(question), question.explanation)


def export_html(selection: ExportSet) -> bytes:
    """The selection as a printable HTML page, UTF-8."""
    banks, everything, number = [], [], 0
    for bank in selection.banks:
        items = []
        for question in bank.questions:
            number += 1
            items.append(_item(number, question))
            advance()
        banks.append((bank, items))
        everything += items
    page = _PAGE.render(title=selection.title, banks=banks, everything=everything,
                        letter=letter)
    return page.encode("utf-8")


FORMAT = Format(
    name="html",
    label="Printable HTML",
    extension=".html",
    mimetype="text/html",
    export=export_html,
    # Ids, concepts, tags and difficulty are not printed: the page is for a class, not import.
    support={name: Support() for name in SHEETS},
)
