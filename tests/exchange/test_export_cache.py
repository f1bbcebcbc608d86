"""/export reads the content files once per process, and again only when one changes.

Before, every request to /export or /export/download read and validated every
bank (2.4 s a request with large banks, for anyone, signed in or not).
"""

from __future__ import annotations

import yaml

from quiz.content import validate
from quiz.content.writer import dump_yaml


def counted_loads(monkeypatch) -> list[int]:
    """Count how often the content files are read and validated."""
    calls: list[int] = []
    real = validate.validate_paths

    def counting(paths):
        calls.append(1)
        return real(paths)

    monkeypatch.setattr(validate, "validate_paths", counting)
    return calls


def test_export_pages_read_the_files_once_until_one_changes(synced, content_dir, monkeypatch):
    client = synced.test_client()
    calls = counted_loads(monkeypatch)
    for path in ("/export", "/export?format=csv", "/export/download?format=csv", "/export"):
        assert client.get(path).status_code == 200
    assert len(calls) == 1
    before = len(calls)
    bank = content_dir / "banks" / "ch01-concepts.yaml"
    data = yaml.safe_load(bank.read_text(encoding="utf-8"))
    data["title"] = "Renamed on disk"
    bank.write_text(dump_yaml(data), encoding="utf-8")
    page = client.get("/export").get_data(as_text=True)
    assert "Renamed on disk" in page
    assert len(calls) == before + 1
    client.get("/export")
    assert len(calls) == before + 1


def test_a_broken_bank_on_disk_makes_export_say_so_not_fail(synced, content_dir):
    (content_dir / "banks" / "ch01-concepts.yaml").write_text("id: [\n", encoding="utf-8")
    response = synced.test_client().get("/export")
    assert response.status_code == 503
    assert "The question banks on the server have errors" in response.get_data(as_text=True)
