"""Every importer, fed what Hypothesis makes: a clear import error or a bank, never a crash.

Two kinds of input per format: arbitrary bytes, and one of our own exports
with a random cut, insertion or splice (much closer to what breaks a parser).
Through the web page, a refused upload must leave the database and
``content/banks/`` exactly as they were, and nothing may answer 500.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.content.errors import ContentInvalid
from quiz.exchange.importing import import_bank
from quiz.exchange.registry import FORMATS
from quiz.exchange.selection import select
from tests.helpers.tables import snapshot
from tests.helpers.uploads import bank_files, instructor, upload

IMPORTABLE = sorted(name for name, fmt in FORMATS.items() if fmt.parse is not None)
SPECIAL = "{}[]<>:=~#|\\\"'\t\n\r,;/-%&@*\x00\x01\ufeff\u2028é"
# Generation speed is not what these test, and on a machine shared with other tests it varies.
FUZZ = settings(max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
WEB_FUZZ = settings(max_examples=25, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def our_export(content, name: str) -> bytes:
    return FORMATS[name].export(select(content, banks=["ch01-concepts"]))


@st.composite
def mutated(draw, base: bytes) -> bytes:
    """``base`` with a slice cut out, then some text (often special characters) put in somewhere."""
    start = draw(st.integers(0, len(base)))
    end = draw(st.integers(start, min(len(base), start + draw(st.sampled_from([0, 1, 8, 200, 5000])))))
    at = draw(st.integers(0, len(base) - (end - start)))
    inserted = draw(st.text(alphabet=st.sampled_from(SPECIAL) | st.characters(), max_size=30)
                    | st.just("9" * 4400))  # longer than Python will turn into an int
    cut = base[:start] + base[end:]
    return cut[:at] + inserted.encode("utf-8", "surrogatepass") + cut[at:]


def imports_or_refuses(name: str, data: bytes, content) -> None:
    fmt = FORMATS[name]
    try:
        import_bank(fmt, data, f"fuzz{fmt.extension}", "fuzz", content.concepts)
    except ContentInvalid as exc:
        assert exc.errors and all(str(error) for error in exc.errors)


@pytest.mark.parametrize("name", IMPORTABLE)
def test_arbitrary_bytes_are_imported_or_refused_plainly(content, name):
    @FUZZ
    @given(st.binary(max_size=3000))
    def check(data):
        imports_or_refuses(name, data, content)

    check()


@pytest.mark.parametrize("name", IMPORTABLE)
def test_damaged_exports_are_imported_or_refused_plainly(content, name):
    @FUZZ
    @given(mutated(our_export(content, name)))
    def check(data):
        imports_or_refuses(name, data, content)

    check()


@pytest.mark.parametrize("name", IMPORTABLE)
def test_a_refused_upload_changes_nothing(synced, content_dir, content, name):
    synced.config["RATELIMIT_IMPORT"] = "100000 per minute"  # the fuzzer imports far faster than a person
    client = instructor(synced)
    numbers = itertools.count()

    @WEB_FUZZ
    @given(st.one_of(mutated(our_export(content, name)), st.binary(max_size=500)))
    def check(data):
        with synced.app_context():
            before = snapshot()
        files = bank_files(content_dir)
        response = upload(client, data, f"fuzz{FORMATS[name].extension}", bank=f"fuzz-{next(numbers)}",
                          format_name=name)
        assert response.status_code in (302, 400), response.get_data(as_text=True)[:500]
        if response.status_code == 400:
            with synced.app_context():
                assert snapshot() == before
            assert bank_files(content_dir) == files

    check()


HUGE = "9" * 4301  # one digit past what Python turns into an int
HUGE_NUMBERS = {
    "yaml": f"id: x\ntitle: t\nquestions:\n- id: q\n  type: true_false\n  prompt: A host runs guests.\n"
            f"  answer: true\n  concepts: [host]\n  difficulty: {HUGE}\n",
    "csv": f"type,prompt,answer,concepts,difficulty\ntrue_false,A host runs guests.,TRUE,host,{HUGE}\n",
    "gift": f"// difficulty: {HUGE}\n::q::A host runs guests.{{T}}\n",
    "anki-text": f"#separator:tab\n#html:true\n#notetype:Cloze\nA {{{{c{HUGE}::host}}}} runs guests\t\n",
    "moodle-xml": '<quiz><question type="truefalse"><name><text>q</text></name><questiontext format="html">'
                  "<text>A host runs guests.</text></questiontext><answer fraction=\"100\"><text>true</text>"
                  '</answer><answer fraction="0"><text>false</text></answer><tags><tag><text>difficulty:'
                  f"{HUGE}</text></tag></tags></question></quiz>",
    "json": '{"id": "x", "title": "t", "questions": [{"id": "q", "type": "true_false", "prompt": "A host.", '
            f'"answer": true, "concepts": ["host"], "difficulty": {HUGE}}}]}}',
}


@pytest.mark.parametrize("name", sorted(HUGE_NUMBERS))
def test_a_number_too_long_for_python_is_refused_plainly(content, name):
    """A 4,301-digit number once crashed the YAML, GIFT, Anki text and Moodle XML imports."""
    imports_or_refuses(name, HUGE_NUMBERS[name].encode(), content)
