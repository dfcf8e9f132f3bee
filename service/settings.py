"""Service settings: defaults, overridden by ``STEMCLAIM_*`` environment variables or passed in directly."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from model.artifact import ARTIFACT_DIR

MAX_PAGE_BYTES = 5_000_000  # the largest page the service accepts and the audit reads
HTML_TYPES = ("text/html", "application/xhtml+xml")  # media types read as a page

# Scoring is CPU-bound: by default a server process scores on as many processes as it has CPUs to run on.
AVAILABLE_CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
# The Chromium id of the stemclaim extension (fixed by the "key" in extension/manifest.json).
EXTENSION_ORIGIN = "chrome-extension://kbckmaflfimjpaeeecfmiilbpcncpone"


@dataclass(frozen=True)
class Settings:
    """Everything the service can be told; see the README for the matching environment variables."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    max_body_bytes: int = MAX_PAGE_BYTES
    rate_limit_per_minute: int = 6000
    cors_origins: tuple[str, ...] = (EXTENSION_ORIGIN,)
    scoring_workers: int = AVAILABLE_CPUS
    queue_size: int = 64
    request_timeout_seconds: float = 20.0
    header_timeout_seconds: float = 10.0  # longest wait for a request's headers before a 408
    body_timeout_seconds: float = 30.0  # longest pause while a request body arrives before a 408
    artifact_dir: Path = field(default=ARTIFACT_DIR)
    data_dir: Path | None = None  # default: the user's data directory
    # Proxies whose X-Forwarded-For is believed (the rate limit counts the client they name); none by default, so a
    # client cannot pick its own address
    trusted_proxies: tuple[str, ...] = ()
    max_connections: int = 1000  # beyond this many open connections, new ones get 503
    database_url: str | None = None  # default: SQLite in the data directory

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        """Defaults, then ``STEMCLAIM_<FIELD>`` variables, then ``overrides``. Lists are comma-separated."""
        environ = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            raw = environ.get(f"STEMCLAIM_{f.name.upper()}")
            if raw is None:
                continue
            try:
                values[f.name] = _parse(f.name, raw, f.default)
            except ValueError:
                raise ValueError(f"STEMCLAIM_{f.name.upper()}={raw!r} is not a valid {type(f.default).__name__}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _parse(name: str, raw: str, default):
    if name == "data_dir":
        return Path(raw)
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, tuple):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if isinstance(default, Path):
        return Path(raw)
    return raw


def stemclaim_version() -> str:
    """The installed package's version, for --version and audit reports."""
    try:
        return version("stemclaim")
    except PackageNotFoundError:
        return "unknown (not installed)"
