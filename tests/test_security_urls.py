"""No number in a URL ends in a 500: every ``<int:...>`` is bounded to 64 bits, beyond which it is a 404."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from quiz.security.converters import MAX_ID, BoundedInt
from tests.helpers.sessions import sign_in

HUGE = "99999999999999999999"  # 20 digits: past a signed 64-bit integer


def numbered_rules(app):
    """Every URL rule with a number in it, and its methods."""
    return [(rule, sorted(rule.methods - {"HEAD", "OPTIONS"})) for rule in app.url_map.iter_rules()
            if any(isinstance(converter, IntegerConverter) for converter in rule._converters.values())]


def url_with(rule, number: str) -> str:
    """The rule's path with every number set to ``number`` and every other part to a plain word."""
    path = rule.rule
    for name, converter in rule._converters.items():
        value = number if isinstance(converter, IntegerConverter) else "123456"
        path = path.replace(f"<{name}>", value)
        for kind in ("int", "string", "path"):
            path = path.replace(f"<{kind}:{name}>", value)
    return path


def test_every_number_in_a_url_is_bounded(app):
    rules = numbered_rules(app)
    assert len(rules) >= 10  # study, cards and live all take ids
    for rule, _methods in rules:
        for converter in rule._converters.values():
            if isinstance(converter, IntegerConverter):
                assert isinstance(converter, BoundedInt), rule.rule
                assert converter.max == MAX_ID


@pytest.mark.parametrize("number", [HUGE, str(MAX_ID + 1), "9" * 4301])
def test_a_number_beyond_64_bits_is_a_404_on_every_route(synced, number):
    synced.config["WTF_CSRF_ENABLED"] = False  # reach the view, where the database would have failed
    client = synced.test_client()
    sign_in(synced, client, "teacher", is_instructor=True)
    for rule, methods in numbered_rules(synced):
        url = url_with(rule, number)
        for method in methods:
            response = client.open(url, method=method)
            assert response.status_code == 404, (method, url, response.status_code)
            assert 'class="brand"' in response.get_data(as_text=True)  # the site's own 404 page


def test_the_largest_id_still_reaches_the_view(synced):
    client = synced.test_client()
    sign_in(synced, client, "teacher", is_instructor=True)
    # The view runs its query and finds nothing: the same 404, from the view this time.
    assert client.get(f"/study/attempts/{MAX_ID}").status_code == 404
    assert client.get(f"/live/{MAX_ID}/results").status_code == 404


@pytest.mark.parametrize("number", [HUGE, "-" + HUGE])
def test_a_number_beyond_64_bits_in_a_query_or_form_is_taken_as_missing(synced, number):
    synced.config["WTF_CSRF_ENABLED"] = False  # reach the view, where the database would have failed
    client = synced.test_client()
    sign_in(synced, client, "learner")
    assert client.get(f"/cards?card={number}").status_code == 200  # as if no card were asked for
    for form in ({"rating": "3", "version": number}, {"rating": number, "version": "0"}):
        assert client.post("/cards/1/rate", data=form).status_code < 500, form
    assert client.post("/cards/undo", data={"review": number}).status_code < 500
