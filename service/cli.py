"""The ``stemclaim`` command line: scoring, the service, its report store and audits. Other packages add commands
through the ``stemclaim.commands`` entry point group (``training`` adds ``train``, ``evaluate`` and ``corpus``)."""

from __future__ import annotations

import argparse
import json
import socket
import sys
from importlib.metadata import entry_points
from pathlib import Path

from model.sentences import split_sentences
from model.text import visible_text
from service.settings import stemclaim_version


class CommandError(Exception):
    """What stops a command: one line for standard error (after "stemclaim: ") and the exit code (2 bad input,
    3 a model or store that is unavailable)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def _cmd_text(args: argparse.Namespace) -> int:
    """Print what stemclaim reads of a page: its visible text, or one sentence per line."""
    status = 0
    for path in args.paths:
        try:
            data = _read_input(path)
        except OSError as exc:
            print(f"stemclaim: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
            status = 2
            continue
        text = visible_text(data)
        if args.sentences:
            for sentence in split_sentences(text):
                print(sentence.text)
        else:
            print(text)
    return status


def _read_input(path: str) -> bytes:
    """A saved page's bytes, or standard input for "-". A URL is not fetched: stemclaim reads pages as saved."""
    if path.lower().startswith(("http://", "https://")):
        raise OSError(0, f"stemclaim does not fetch pages; save it first, or pipe it in: curl -sL '{path}' | "
                         "stemclaim score -")
    return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()



def _cmd_score(args: argparse.Namespace) -> int:
    """Score each page; unreadable files are reported and skipped, and make the exit code 2."""
    from model.artifact import ArtifactError
    from model.assessment import NotTextError, default_assessor

    try:
        assessor = default_assessor()
    except ArtifactError as exc:
        raise CommandError(str(exc), 3) from None
    status = 0
    for path in args.paths:
        try:
            assessment = assessor.assess(_read_input(path))
        except OSError as exc:
            print(f"stemclaim: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
            status = 2
            continue
        except NotTextError as exc:
            print(f"stemclaim: {path}: {exc}", file=sys.stderr)
            status = 2
            continue
        if args.format == "json":
            print(json.dumps({"path": path, **assessment.to_dict()}, ensure_ascii=False))
        else:
            print(format_text(path, assessment))
    return status


def format_text(path: str, assessment) -> str:
    """Human-readable lines for one assessment: level, score, each hit with its first evidence sentence."""
    lines = [f"{path}: {assessment.level} (score {assessment.score:.0f}, grade {assessment.grade})",
             f"  {assessment.headline}"]
    for finding in assessment.hits:
        quote = f': "{finding.evidence[0].text}"' if finding.evidence else ""
        marker = "+" if finding.kind == "mitigating" else "!"
        lines.append(f"  {marker} {finding.id} ({finding.probability:.2f}){quote}")
    return "\n".join(lines)


# Applied by uvicorn in every server process (with --workers N each is a fresh process): stemclaim's own lines at
# INFO, uvicorn's, and alembic's only when something is wrong.
LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}},
    "root": {"handlers": ["stderr"], "level": "INFO"},
    "loggers": {"alembic": {"level": "WARNING"}, "uvicorn": {"level": "INFO"}},
}


def _cmd_serve(args: argparse.Namespace) -> int:
    """Start the HTTP service with uvicorn; settings from STEMCLAIM_* variables, then these flags."""
    import uvicorn

    from model.artifact import ArtifactError, verify_artifact
    from service.settings import Settings

    try:
        settings = Settings.from_env(host=args.host, port=args.port, workers=args.workers)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    try:
        with socket.create_server((settings.host, settings.port)):
            pass  # free now; checked before anything slow happens
    except OSError as exc:
        raise CommandError(f"cannot start: {settings.host}:{settings.port} is not available "
                           f"({exc.strerror or exc})") from None
    try:
        manifest, _ = verify_artifact(settings.artifact_dir)
    except ArtifactError as exc:
        raise CommandError(f"cannot start: {exc}", 3) from None
    store = _open_store(settings)
    print(f"stemclaim: model {manifest['name']} {manifest['version']}; report store {store}; "
          f"listening on http://{settings.host}:{settings.port}", file=sys.stderr)
    uvicorn.run("service.app:create_app", factory=True, host=settings.host, port=settings.port,
                workers=settings.workers, access_log=False, log_level="info", log_config=LOG_CONFIG,
                proxy_headers=bool(settings.trusted_proxies),
                forwarded_allow_ips=",".join(settings.trusted_proxies) or "",
                limit_concurrency=settings.max_connections, http="service.protocol:HeaderDeadlineProtocol")
    return 0


def _open_store(settings) -> str:
    """Check that the report store opens and is at the latest schema: its URL (password hidden); a
    :class:`CommandError` saying what is wrong if not."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from service.reports.tables import StoreURLError, database_url

    url = database_url(settings.database_url, settings.data_dir)
    try:
        _migrated_engine(url).dispose()
    except StoreURLError as exc:
        raise CommandError(f"cannot start: {exc}") from None
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise CommandError(f"cannot start: the report store is unavailable: {reason}", 3) from None
    return make_url(url).render_as_string(hide_password=True)


def _migrated_engine(url: str):
    """An engine on the report store at ``url``, migrated to the latest schema."""
    from service.reports.tables import make_engine, upgrade

    engine = make_engine(url)
    try:
        upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _store_sessions():
    """A session factory on the configured report database, migrated to the latest schema."""
    from service.reports.tables import database_url, sessions
    from service.settings import Settings

    settings = Settings.from_env()
    return sessions(_migrated_engine(database_url(settings.database_url, settings.data_dir)))


def _store_failure(exc: Exception) -> CommandError:
    """A report-store error as the command's: exit code 2 for a URL stemclaim cannot use, 3 for a store that is
    unavailable."""
    from service.reports.tables import StoreURLError

    if isinstance(exc, StoreURLError):
        return CommandError(str(exc))
    return CommandError(f"the report database is unavailable: {type(exc).__name__}", 3)


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from service.reports.tables import StoreURLError

    try:
        _store_sessions()
    except (StoreURLError, SQLAlchemyError) as exc:
        raise _store_failure(exc) from None
    print("report database is at the latest schema")
    return 0


def _cmd_db_backup(args: argparse.Namespace) -> int:
    """Back up the report store to a file, or restore a backup into an empty store."""
    from sqlalchemy.exc import SQLAlchemyError

    from service.reports.backup import BackupError, backup, restore
    from service.reports.tables import StoreURLError, database_url, make_engine
    from service.settings import Settings

    settings = Settings.from_env()
    if args.db_command == "restore" and not args.file.is_file():
        raise CommandError(f"{args.file}: no such file")
    try:
        url = database_url(settings.database_url, settings.data_dir)
        engine = _migrated_engine(url) if args.db_command == "backup" else make_engine(url)
    except (StoreURLError, SQLAlchemyError) as exc:
        raise _store_failure(exc) from None
    try:
        counts = backup(engine, args.file) if args.db_command == "backup" else restore(engine, args.file)
    except BackupError as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:
        raise CommandError(f"cannot write {args.file}: {exc.strerror or exc}") from None
    except SQLAlchemyError as exc:
        raise _store_failure(exc) from None
    finally:
        engine.dispose()
    done = "backed up to" if args.db_command == "backup" else "restored from"
    print(f"{done} {args.file}: " + ", ".join(f"{n} {table}" for table, n in counts.items()))
    return 0


def _cmd_tokens(args: argparse.Namespace) -> int:
    """Create, list or revoke regulators' tokens; a new token is the last word of the last line printed."""
    from sqlalchemy.exc import SQLAlchemyError

    from service.reports import store
    from service.reports.tables import StoreURLError

    try:
        with _store_sessions()() as session:
            if args.tokens_command in ("create", "rotate"):
                try:
                    token = (store.create_token(session, args.name) if args.tokens_command == "create"
                             else store.rotate_token(session, args.name))
                except ValueError as exc:
                    raise CommandError(str(exc)) from None
                if token is None:
                    raise CommandError(f"no active token named {args.name!r}")
                print(f"token for {args.name} (shown once; only its hash is stored; any earlier one no longer works):")
                print(token)
            elif args.tokens_command == "list":
                for row in store.list_tokens(session):
                    state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
                    print(f"{row.name}\tcreated {row.created_at:%Y-%m-%d %H:%M}\t{state}")
            elif not store.revoke_token(session, args.name):
                raise CommandError(f"no active token named {args.name!r}")
            else:
                print(f"revoked {args.name}")
    except (StoreURLError, SQLAlchemyError) as exc:
        raise _store_failure(exc) from None
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    """Audit saved pages and WARC files; exit 1 if any record failed, 2 if an input cannot be read."""
    from service.audit.run import run_audit
    from service.audit.sources import InputError

    try:
        summary = run_audit(args.inputs, args.out, jobs=args.jobs, backend=args.backend, scheduler=args.scheduler)
    except InputError as exc:
        raise CommandError(str(exc)) from None
    skipped = ", ".join(f"{k} {v}" for k, v in sorted(summary.skipped.items())) or "none"
    print(f"scored {summary.scored}, failed {summary.failed}, already done {summary.already_done}, "
          f"skipped {skipped}; see {args.out / 'report.html'}")
    failures = (args.out / "errors.jsonl").read_text("utf-8").strip()
    return 1 if failures else 0


def _cmd_audit_compare(args: argparse.Namespace) -> int:
    """Compare two audit folders; exit 2 if either is not an audit."""
    from service.audit.compare import CHANGES, COMPARE_REPORT, KINDS, CompareError, write_comparison

    try:
        counts = write_comparison(args.old, args.new, args.out)
    except CompareError as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:
        raise CommandError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(", ".join(f"{counts[k]} {k.replace('_', ' ')}" for k in KINDS)
          + f"; see {args.out / COMPARE_REPORT} and {args.out / CHANGES}")
    return 0


def compare_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stemclaim audit compare",
        description="What changed between two audits of the same sites: pages that appeared, disappeared or changed "
                    "level, and red-flag claims added and removed, quoted. Writes changes.jsonl and compare.html.",
        epilog="Example: stemclaim audit compare audits/2026-06 audits/2026-12 --out audits/changes")
    parser.add_argument("old", type=Path, metavar="OLD_DIR", help="the earlier audit's output folder")
    parser.add_argument("new", type=Path, metavar="NEW_DIR", help="the later audit's output folder")
    parser.add_argument("--out", type=Path, required=True, help="folder for changes.jsonl and compare.html")
    parser.set_defaults(func=_cmd_audit_compare, command="audit")
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stemclaim", description="How far a web page overclaims stem-cell therapy for multiple sclerosis.",
        epilog="Example: stemclaim score saved-page.html   (see the README for the service, reports and audits)")
    parser.add_argument("--version", action="version", version=f"stemclaim {stemclaim_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    text = commands.add_parser("text", help="print the visible text stemclaim reads from HTML files")
    text.add_argument("paths", nargs="+", metavar="PATH", help="HTML file, or - for standard input")
    text.add_argument("--sentences", action="store_true", help="one sentence per line")
    text.set_defaults(func=_cmd_text)

    score = commands.add_parser("score", help="assess saved pages and print how far each overclaims")
    score.add_argument("paths", nargs="+", metavar="PATH", help="HTML file, or - for standard input")
    score.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or JSON lines")
    score.set_defaults(func=_cmd_score)

    serve = commands.add_parser("serve", help="start the HTTP service (see the README for STEMCLAIM_* settings)")
    serve.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8000)")
    serve.add_argument("--workers", type=int, default=None, help="server processes (default 1)")
    serve.set_defaults(func=_cmd_serve)

    db = commands.add_parser("db", help="the report database")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply schema migrations").set_defaults(func=_cmd_db_upgrade)
    db_backup = db_commands.add_parser(
        "backup", help="write every report, note, status change and token hash to one file",
        description="Write the whole report store to one gzip JSON Lines file, read in one consistent snapshot; "
                    "it restores into SQLite or PostgreSQL.", epilog="Example: stemclaim db backup reports-2026-12-04.gz")
    db_backup.add_argument("file", type=Path, help="the backup file to write (replaced if it exists)")
    db_backup.set_defaults(func=_cmd_db_backup)
    db_restore = db_commands.add_parser(
        "restore", help="load a backup into a new, empty report store",
        description="Check a backup's SHA-256 and row counts, load it into an empty store (STEMCLAIM_DATABASE_URL) "
                    "and upgrade it to the latest schema.", epilog="Example: stemclaim db restore reports-2026-12-04.gz")
    db_restore.add_argument("file", type=Path, help="a file written by stemclaim db backup")
    db_restore.set_defaults(func=_cmd_db_backup)

    tokens = commands.add_parser("tokens", help="regulators' access tokens for the triage API and pages")
    token_commands = tokens.add_subparsers(dest="tokens_command", required=True)
    for name, summary in (("create", "make a token and print it once (a revoked name can be used again)"),
                          ("rotate", "replace a token: the old one stops working, the new one is printed once"),
                          ("revoke", "revoke a token by name")):
        sub = token_commands.add_parser(name, help=summary)
        sub.add_argument("name", help="who the token is for")
        sub.set_defaults(func=_cmd_tokens)
    token_commands.add_parser("list", help="list tokens (names and dates only)").set_defaults(func=_cmd_tokens)

    audit = commands.add_parser("audit", help="score saved pages, path lists, JSON Lines or WARC files in parallel",
                                epilog="To see what changed between two audits: stemclaim audit compare OLD_DIR "
                                       "NEW_DIR --out DIR (stemclaim audit compare --help)")
    audit.add_argument("inputs", nargs="+", metavar="INPUT",
                       help="a folder of .html/.htm files, a text file of paths, a .jsonl of {url, html}, or .warc(.gz)")
    audit.add_argument("--out", type=Path, required=True, help="output folder (re-running resumes)")
    audit.add_argument("--jobs", type=int, default=-1, help="parallel workers (default: all cores)")
    audit.add_argument("--backend", choices=("loky", "dask"), default="loky",
                       help="loky: processes on this machine (default); dask: a Dask cluster (see --scheduler)")
    audit.add_argument("--scheduler", default=None, help="Dask scheduler address (tcp://...); default a local cluster")
    audit.set_defaults(func=_cmd_audit)

    for command in entry_points(group="stemclaim.commands"):  # `train`, `evaluate`, `corpus` (the train extra)
        command.load()(commands)
    return parser


EXTRAS = {"litestar": "service", "uvicorn": "service", "sqlalchemy": "service", "alembic": "service",
          "warcio": "audit", "matplotlib": "audit", "dask": "audit", "tqdm": "audit"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:2] == ["audit", "compare"]:
        args = compare_parser().parse_args(argv[2:])
    else:
        args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CommandError as exc:
        print(f"stemclaim: {exc}", file=sys.stderr)
        return exc.code
    except ModuleNotFoundError as exc:
        extra = EXTRAS.get((exc.name or "").split(".")[0])
        if extra is None:
            raise
        print(f"stemclaim {args.command}: this needs the {extra} extra: pip install 'stemclaim[{extra}]'",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
