"""`stemclaim db backup` / `db restore` on real databases: every row comes back, across SQLite and PostgreSQL, and a
damaged backup or a store that already holds reports is refused."""

import gzip

import pytest
from sqlalchemy import inspect, select

from service.cli import main
from service.reports import store
from service.reports.tables import Base, Token, make_engine, sessions, upgrade
from test_reports import BACKENDS, POSTGRES, reset_postgres

ASSESSMENT = {"score": 81.5, "level": "high", "grade": 3, "model": {"version": "test"}, "criteria": []}


def rows(url: str) -> dict[str, list[dict]]:
    engine = make_engine(url)
    with engine.connect() as connection:
        held = {t.name: [dict(r) for r in connection.execute(select(t).order_by(t.c.id)).mappings()]
                for t in Base.metadata.sorted_tables}
    engine.dispose()
    return held


@pytest.fixture
def source(tmp_path, monkeypatch) -> str:
    """A SQLite store with reports (a snapshot with non-ASCII text), repeats, notes, a status trail and tokens."""
    url = f"sqlite:///{tmp_path / 'source.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with sessions(engine)() as session:
        report, _ = store.file_report(session, "https://clinic.example/ms", "clinic.example",
                                      "<p>Stem cells cure MS \u2014 garanti\u00e9 \u2713</p>", ASSESSMENT,
                                      "seen in an ad", "a@b.example")
        store.file_report(session, "https://clinic.example/ms", "clinic.example",
                          "<p>Stem cells cure MS \u2014 garanti\u00e9 \u2713</p>", ASSESSMENT, None, None)
        store.file_report(session, "https://other.example/", "other.example", "<p>MS and cells</p>",
                          {**ASSESSMENT, "score": 20.0, "level": "moderate", "grade": 1}, None, None)
        store.change_status(session, report, "triaged", "regulator-a", "looked at it")
        store.create_token(session, "regulator-a")
        store.create_token(session, "regulator-b")
        store.revoke_token(session, "regulator-b")
    engine.dispose()
    monkeypatch.setenv("STEMCLAIM_DATABASE_URL", url)
    return url


@pytest.mark.parametrize("target", BACKENDS)
def test_a_backup_restores_every_row_into_an_empty_store(source, tmp_path, monkeypatch, capsys, target):
    backup = tmp_path / "reports.gz"
    assert main(["db", "backup", str(backup)]) == 0
    said = capsys.readouterr().out
    assert all(f"{n} {table}" in said for n, table in ((2, "reports"), (3, "submissions"), (2, "assessments"),
                                                       (1, "audit"), (2, "tokens")))
    if target == "postgresql":
        reset_postgres()
        restored = POSTGRES
    else:
        restored = f"sqlite:///{tmp_path / 'restored.db'}"
    monkeypatch.setenv("STEMCLAIM_DATABASE_URL", restored)
    assert main(["db", "restore", str(backup)]) == 0
    assert "restored from" in capsys.readouterr().out
    before, after = rows(source), rows(restored)
    assert before == after and len(before["submissions"]) == 3 and len(before["audit"]) == 1
    # New rows follow the restored ones (PostgreSQL's id sequences are moved past them).
    engine = make_engine(restored)
    with sessions(engine)() as session:
        store.create_token(session, "regulator-c")
        newest = session.scalars(select(Token).order_by(Token.id.desc())).first()
    engine.dispose()
    assert newest.name == "regulator-c" and newest.id == max(t["id"] for t in before["tokens"]) + 1
    # The store now holds reports, so a second restore is refused and changes nothing.
    assert main(["db", "restore", str(backup)]) == 2
    assert "not empty" in capsys.readouterr().err
    if target == "postgresql":
        reset_postgres()


def test_a_damaged_or_truncated_backup_is_refused(source, tmp_path, monkeypatch, capsys):
    backup = tmp_path / "reports.gz"
    assert main(["db", "backup", str(backup)]) == 0
    lines = gzip.decompress(backup.read_bytes()).decode().splitlines(keepends=True)
    monkeypatch.setenv("STEMCLAIM_DATABASE_URL", f"sqlite:///{tmp_path / 'restored.db'}")
    altered = tmp_path / "altered.gz"
    altered.write_bytes(gzip.compress("".join(lines).replace("triaged", "dismissed", 1).encode()))
    truncated = tmp_path / "truncated.gz"
    truncated.write_bytes(backup.read_bytes()[: len(backup.read_bytes()) // 2])
    dropped = tmp_path / "dropped.gz"
    dropped.write_bytes(gzip.compress("".join(lines[:-1]).encode()))
    for bad, said in ((altered, "is damaged"), (truncated, "not a readable stemclaim backup"),
                      (dropped, "not a complete stemclaim backup"), (tmp_path / "missing.gz", "no such file")):
        capsys.readouterr()
        assert main(["db", "restore", str(bad)]) == 2, bad
        assert said in capsys.readouterr().err
    engine = make_engine(f"sqlite:///{tmp_path / 'restored.db'}")
    assert inspect(engine).get_table_names() == []  # refused before anything was written
    engine.dispose()
