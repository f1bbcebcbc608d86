"""Export and import through the public surface: the `quiz` command line and the web pages."""

from __future__ import annotations

import io
import re

import pytest

from quiz.accounts.service import create_user
from quiz.exchange.registry import FORMATS
from quiz.extensions import db
from quiz.models import Question
from tests.helpers.sessions import login_value

GIFT_OK = b"""// concepts: hypervisor
::imported-hypervisor::Which layer controls hardware? {=The hypervisor ~The guest}
"""
GIFT_BROKEN = b"""::fine::The host is a machine. {TRUE}

::broken::Which layer controls hardware? {=The hypervisor ~The guest
"""


def bank_files(content_dir):
    return sorted(p.name for p in (content_dir / "banks").glob("*.yaml"))


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_format_exports_from_the_command_line(runner, tmp_path, name):
    target = tmp_path / f"out{FORMATS[name].extension}"
    result = runner.invoke(args=["export", "--format", name, "--bank", "ch01-concepts",
                                 "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0
    assert f"{name}: " in result.output  # the report, on stderr (mixed in by the runner)


def test_export_reports_what_the_format_cannot_carry(runner, tmp_path):
    result = runner.invoke(args=["export", "--format", "gift", "--type", "ordering",
                                 "-o", str(tmp_path / "o.txt")])
    assert result.exit_code == 0, result.output
    assert re.search(r"skipped \d+ ordering question\(s\)", result.output)


def test_export_selection_by_concept_and_tag(runner, tmp_path):
    target = tmp_path / "sel.json"
    result = runner.invoke(args=["export", "--format", "json", "--concept", "host",
                                 "--tag", "generated", "-o", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert '"host"' in text and "hypervisor-definition" not in text


def test_export_refuses_unknown_names(runner, tmp_path):
    result = runner.invoke(args=["export", "--format", "docx", "-o", str(tmp_path / "x")])
    assert result.exit_code != 0 and "docx" in result.output
    result = runner.invoke(args=["export", "--format", "csv", "--bank", "nope",
                                 "-o", str(tmp_path / "x")])
    assert result.exit_code != 0 and "no bank named nope" in result.output


def test_import_writes_a_valid_bank_and_refuses_to_overwrite(runner, content_dir, tmp_path):
    source = tmp_path / "moodle.gift"
    source.write_bytes(GIFT_OK)
    result = runner.invoke(args=["import", str(source), "--bank", "from-moodle"])
    assert result.exit_code == 0, result.output
    written = content_dir / "banks" / "from-moodle.yaml"
    assert "imported-hypervisor" in written.read_text(encoding="utf-8")
    assert runner.invoke(args=["content", "validate", str(content_dir)]).exit_code == 0
    again = runner.invoke(args=["import", str(source), "--bank", "from-moodle"])
    assert again.exit_code != 0 and "exists already" in again.output


def test_import_of_garbage_lists_errors_with_lines_and_writes_nothing(runner, content_dir,
                                                                      tmp_path):
    before = bank_files(content_dir)
    source = tmp_path / "broken.gift"
    source.write_bytes(GIFT_BROKEN)
    result = runner.invoke(args=["import", str(source)])
    assert result.exit_code == 1
    assert re.search(r"broken\.gift:3:\d+", result.output), result.output
    assert bank_files(content_dir) == before


def test_import_guesses_nothing_from_an_unknown_name(runner, tmp_path):
    source = tmp_path / "questions.docx"
    source.write_bytes(b"PK\x03\x04")
    result = runner.invoke(args=["import", str(source)])
    assert result.exit_code != 0 and "--format" in result.output


def test_export_page_previews_and_downloads(client):
    page = client.get("/export?format=gift&type=ordering&type=single")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "left out" in html and "Download" in html
    download = client.get("/export/download?format=csv&bank=ch01-concepts")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.data.startswith(b"\xef\xbb\xbf")  # CSV with a BOM, for spreadsheets


def test_export_page_refuses_an_unknown_format(client):
    assert client.get("/export?format=docx").status_code == 400
    assert client.get("/export/download?format=docx").status_code == 400


def _log_in(client, app, *, instructor: bool):
    with app.app_context():
        user = create_user(db.session, "teacher" if instructor else "learner", "a password of the tests",
                           instructor=instructor)
        value = login_value(db.session, user.id)
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = value
        session["_fresh"] = True


def _csrf(client, path):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_import_page_is_for_instructors_only(client, app):
    assert client.get("/import").status_code == 302  # to the login page
    _log_in(client, app, instructor=False)
    assert client.get("/import").status_code == 403


def test_instructor_uploads_a_bank_that_is_synced(synced, client, content_dir):
    _log_in(client, synced, instructor=True)
    token = _csrf(client, "/import")
    response = client.post("/import", data={
        "csrf_token": token, "format": "", "bank": "uploaded",
        "file": (io.BytesIO(GIFT_OK), "moodle.gift"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert (content_dir / "banks" / "uploaded.yaml").exists()
    with synced.app_context():
        keys = db.session.execute(db.select(Question.key).where(
            Question.bank_id == "uploaded")).scalars().all()
    assert keys == ["imported-hypervisor"]


def test_instructor_upload_of_garbage_shows_every_error_and_saves_nothing(synced, client,
                                                                           content_dir):
    _log_in(client, synced, instructor=True)
    before = bank_files(content_dir)
    token = _csrf(client, "/import")
    response = client.post("/import", data={
        "csrf_token": token, "format": "gift", "bank": "garbage",
        "file": (io.BytesIO(GIFT_BROKEN), "broken.gift"),
    }, content_type="multipart/form-data")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Nothing was imported" in html and "broken.gift:3:" in html
    assert bank_files(content_dir) == before


def test_upload_without_csrf_token_is_refused(synced, client, content_dir):
    _log_in(client, synced, instructor=True)
    before = bank_files(content_dir)
    response = client.post("/import", data={"file": (io.BytesIO(GIFT_OK), "m.gift")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert bank_files(content_dir) == before


def test_oversized_upload_is_refused(synced, client):
    _log_in(client, synced, instructor=True)
    synced.config["MAX_CONTENT_LENGTH"] = 1024
    token = _csrf(client, "/import")
    response = client.post("/import", data={
        "csrf_token": token, "file": (io.BytesIO(b"x" * 4096), "big.gift"),
    }, content_type="multipart/form-data")
    assert response.status_code == 413


def _zip_bomb() -> bytes:
    """A small zip whose one member inflates to 100 MB of zeros."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.yaml", b"\0" * 100_000_000)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_unopened(synced, client, content_dir, runner, tmp_path):
    bomb = _zip_bomb()
    assert len(bomb) < 200_000
    before = bank_files(content_dir)
    source = tmp_path / "questions.zip"
    source.write_bytes(bomb)
    result = runner.invoke(args=["import", str(source)])
    assert result.exit_code != 0 and "cannot tell the format" in result.output
    result = runner.invoke(args=["import", str(source), "--format", "qti"])
    assert result.exit_code != 0 and "qti" in result.output
    _log_in(client, synced, instructor=True)
    token = _csrf(client, "/import")
    response = client.post("/import", data={
        "csrf_token": token, "file": (io.BytesIO(bomb), "questions.zip"),
    }, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "cannot tell the format" in response.get_data(as_text=True)
    assert bank_files(content_dir) == before
