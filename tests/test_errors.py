"""Errors answer in the site's layout, or as JSON to a script that asked for JSON; never a bare page."""

from __future__ import annotations

import pytest

JSON = {"Accept": "application/json"}


@pytest.fixture
def failing(app):
    """The app with a route that fails unexpectedly, and exceptions handled as in production."""
    app.config["TESTING"] = False

    @app.get("/_fails")
    def fails():
        raise RuntimeError("boom")

    return app


def test_an_unexpected_error_is_a_page_in_the_layout(failing):
    response = failing.test_client().get("/_fails")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page and "Go to the question banks" in page
    assert "Internal Server Error" not in page and "boom" not in page


def test_an_unexpected_error_is_json_for_a_script(failing):
    response = failing.test_client().get("/_fails", headers=JSON)
    assert response.status_code == 500
    assert response.get_json()["status"] == 500 and "error" in response.get_json()


def test_a_wrong_method_is_a_page_that_keeps_its_allow_header(client):
    response = client.delete("/healthz")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "Not allowed here" in response.get_data(as_text=True)
    assert "<!doctype html>" in response.get_data(as_text=True).lower()


def test_not_found_is_json_for_a_script(client):
    response = client.get("/no/such/page", headers=JSON)
    assert response.status_code == 404 and response.get_json()["status"] == 404
