"""Back up the report store to one portable file, and restore it into an empty store.

A backup is gzip-compressed JSON Lines: a header (format, schema revision, when, which stemclaim), one line per row
of every table, and a footer with the row counts and the SHA-256 of every line before it. It is read in one
consistent snapshot of the database, and is the same whether the store is SQLite or PostgreSQL, so a backup of one
restores into the other. A restore refuses a damaged or truncated file, a store that already holds reports, and a
backup from a newer schema; a backup from an older schema is restored at its own revision and then upgraded.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, Engine, LargeBinary, MetaData, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from service.reports.tables import Base, migrations, upgrade
from service.settings import stemclaim_version

FORMAT = "stemclaim-backup/1"


class BackupError(ValueError):
    """A backup that cannot be restored here, and why."""


def _encode(value):
    if isinstance(value, bytes):
        return {"b64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _decode(value, column):
    if value is None:
        return None
    if isinstance(column.type, LargeBinary):
        return base64.b64decode(value["b64"])
    if isinstance(column.type, DateTime):
        return datetime.fromisoformat(value)
    return value


def _revision(connection) -> str | None:
    try:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:  # no migrations applied yet
        return None


def _revisions() -> list[str]:
    """Known schema revisions, oldest first."""
    return [r.revision for r in reversed(list(ScriptDirectory.from_config(migrations()).walk_revisions()))]


def backup(engine: Engine, path: Path) -> dict[str, int]:
    """Write every row of the store to ``path`` (written aside, then moved into place); the row count per table."""
    digest, counts = hashlib.sha256(), {}
    partial = path.with_name(path.name + ".partial")
    with engine.connect() as connection, connection.begin(), gzip.open(partial, "wt", encoding="utf-8") as out:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))

        def write(record: dict) -> None:
            line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
            digest.update(line.encode("utf-8"))
            out.write(line)

        write({"format": FORMAT, "revision": _revision(connection), "stemclaim": stemclaim_version(),
               "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds")})
        for table in Base.metadata.sorted_tables:
            counts[table.name] = 0
            for row in connection.execute(select(table).order_by(*table.primary_key.columns)).mappings():
                write({"table": table.name, "row": {k: _encode(v) for k, v in row.items()}})
                counts[table.name] += 1
        out.write(json.dumps({"counts": counts, "sha256": digest.hexdigest()}) + "\n")
    os.replace(partial, path)
    return counts


def _read(path: Path) -> tuple[dict, list[dict]]:
    """The header and the rows of a backup file, after checking its footer."""
    digest, records = hashlib.sha256(), []
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                records.append((line, json.loads(line)))
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path} is not a readable stemclaim backup ({exc})") from None
    if len(records) < 2 or records[0][1].get("format") != FORMAT or "sha256" not in records[-1][1]:
        raise BackupError(f"{path} is not a complete stemclaim backup (format {FORMAT})")
    for line, _ in records[:-1]:
        digest.update(line.encode("utf-8"))
    footer = records[-1][1]
    if digest.hexdigest() != footer["sha256"]:
        raise BackupError(f"{path} is damaged: its SHA-256 does not match the one it was written with")
    rows = [record for _, record in records[1:-1]]
    found = {name: sum(r["table"] == name for r in rows) for name in footer["counts"]}
    if found != footer["counts"]:
        raise BackupError(f"{path} is damaged: it holds {found} rows, its footer says {footer['counts']}")
    return records[0][1], rows


def restore(engine: Engine, path: Path) -> dict[str, int]:
    """Load a backup into an empty store, then upgrade it to the latest schema; the row count per table."""
    header, rows = _read(path)
    known = _revisions()
    if header["revision"] not in known:
        raise BackupError(f"{path} was made by a newer stemclaim (schema {header['revision']}); restore it with "
                          f"stemclaim {header.get('stemclaim', '')} or later")
    with engine.connect() as connection:
        current = _revision(connection)
    if current is not None and known.index(current) > known.index(header["revision"]):
        raise BackupError(f"the report store is at a newer schema ({current}) than the backup "
                          f"({header['revision']}); restore into a new, empty store")
    upgrade(engine, header["revision"])
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        tables = MetaData()
        tables.reflect(connection, only=[t.name for t in Base.metadata.sorted_tables])
        held = sum(connection.execute(select(func.count()).select_from(t)).scalar() for t in tables.tables.values())
        if held:
            raise BackupError("the report store is not empty; restore into a new, empty store")
        for table in Base.metadata.sorted_tables:  # parents before children
            target = tables.tables[table.name]
            batch = [{k: _decode(v, target.c[k]) for k, v in r["row"].items()} for r in rows if r["table"] == table.name]
            if batch:
                connection.execute(target.insert(), batch)
            counts[table.name] = len(batch)
            if engine.dialect.name == "postgresql" and "id" in target.c:  # next ids follow the restored ones
                connection.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                                        "COALESCE((SELECT MAX(id) FROM " + target.name + "), 1), "
                                        "(SELECT MAX(id) FROM " + target.name + ") IS NOT NULL)"), {"t": target.name})
    upgrade(engine)
    return counts
