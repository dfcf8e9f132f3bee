"""Where an audit's pages come from: folders of saved pages, lists of paths, JSON Lines, and WARC archives."""

from __future__ import annotations

import html
import json
import re
import stat
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from service.settings import HTML_TYPES, MAX_PAGE_BYTES

HTML_SUFFIXES = (".html", ".htm")


class InputError(ValueError):
    """An input path that cannot be read at all (the run stops before scoring)."""


@dataclass
class Record:
    """One page to score, with where it came from. ``error`` is set when it cannot be scored."""

    key: str
    source: dict
    url: str | None
    html: bytes | str | None
    error: str | None = None


@dataclass
class Skipped:
    """What was passed over on purpose (not failures): WARC revisits, non-HTML and non-200 responses."""

    counts: Counter = field(default_factory=Counter)


def _is_warc(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".warc", ".warc.gz", ".arc", ".arc.gz"))


def _is_jsonl(path: Path) -> bool:
    return path.name.lower().endswith((".jsonl", ".ndjson", ".jsonl.gz"))


def _file_record(path: Path, listed_in: Path | None = None) -> Record:
    """A saved page, checked before it is read: a regular file (never a FIFO or device, which could block for
    ever) of at most ``MAX_PAGE_BYTES`` (never read whole first)."""
    source = {"path": str(path)} | ({"listed_in": str(listed_in)} if listed_in else {})
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return Record(str(path), source, None, None, "not a regular file")
        if info.st_size > MAX_PAGE_BYTES:
            return Record(str(path), source, None, None, f"oversized: {info.st_size} bytes (limit {MAX_PAGE_BYTES})")
        with path.open("rb") as handle:
            data = handle.read(MAX_PAGE_BYTES + 1)
    except OSError as exc:
        return Record(str(path), source, None, None, f"unreadable: {exc.strerror or exc}")
    return _checked(Record(str(path), source, url_in_page(data), data))


_SAVED_FROM = re.compile(rb"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.I)
_CANONICAL = re.compile(rb"<link\b[^>]*\brel=[\"']?canonical\b[^>]*>", re.I)
_OG_URL = re.compile(rb"<meta\b[^>]*\bproperty=[\"']?og:url\b[^>]*>", re.I)
_HREF = re.compile(rb"\bhref=[\"']([^\"']+)[\"']", re.I)
_CONTENT = re.compile(rb"\bcontent=[\"']([^\"']+)[\"']", re.I)


def url_in_page(data: bytes) -> str | None:
    """Where a saved page says it came from: the "saved from" comment browsers write, its canonical link, or its
    og:url; the first that is an absolute http(s) URL."""
    head = data[:65536]
    found = [m.group(1) for m in [_SAVED_FROM.search(head)] if m]
    found += [m.group(1) for tag in _CANONICAL.findall(head) for m in [_HREF.search(tag)] if m]
    found += [m.group(1) for tag in _OG_URL.findall(head) for m in [_CONTENT.search(tag)] if m]
    for raw in found:
        url = html.unescape(raw.decode("utf-8", "replace")).strip()
        if web_url(url):
            return url
    return None


def web_url(url: str) -> bool:
    """An absolute http or https URL with a host."""
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def _checked(record: Record) -> Record:
    if record.error is None:
        size = len(record.html) if record.html is not None else 0
        if size == 0 or not (record.html.strip() if record.html else ""):
            record.error = "empty"
        elif size > MAX_PAGE_BYTES:
            record.error = f"oversized: {size} bytes (limit {MAX_PAGE_BYTES})"
    if record.error:
        record.html = None
    return record


def _directory(root: Path, skipped: Skipped) -> Iterator[Record]:
    """The folder's .html/.htm files; a link that leads out of the folder is passed over, not followed."""
    inside = root.resolve()
    for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in HTML_SUFFIXES):
        if not path.resolve().is_relative_to(inside):
            skipped.counts["link outside the folder"] += 1
            continue
        if path.is_dir():
            continue
        yield _file_record(path)


def _path_list(listing: Path) -> Iterator[Record]:
    for line in listing.read_text("utf-8", "replace").splitlines():
        entry = line.strip()
        if entry and not entry.startswith("#"):
            path = Path(entry) if Path(entry).is_absolute() else listing.parent / entry
            yield _file_record(path, listing)


def _jsonl(path: Path) -> Iterator[Record]:
    import gzip

    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            key, source = f"{path}:{number}", {"path": str(path), "line": number}
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                yield Record(key, source, None, None, "not valid JSON")
                continue
            if not isinstance(item, dict) or not isinstance(item.get("html"), str):
                yield Record(key, source, None, None, 'expected an object with an "html" string')
                continue
            url = item.get("url")
            if url is not None and not (isinstance(url, str) and web_url(url)):
                yield Record(key, source, None, None, '"url" must be an absolute http or https URL')
                continue
            yield _checked(Record(key, source, url, item["html"]))


def _warc(path: Path, skipped: Skipped) -> Iterator[Record]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    try:
        with path.open("rb") as stream:
            archive = ArchiveIterator(stream, arc2warc=True)
            for number, entry in enumerate(archive):
                kind = entry.rec_type
                if kind == "revisit":
                    skipped.counts["revisit"] += 1
                    continue
                if kind != "response":
                    continue
                headers = entry.rec_headers
                record_id = headers.get_header("WARC-Record-ID") or ""
                source = {"warc": str(path), "record_id": record_id, "warc_date": headers.get_header("WARC-Date"),
                          "payload_digest": headers.get_header("WARC-Payload-Digest")}
                url = headers.get_header("WARC-Target-URI")
                status = entry.http_headers.get_statuscode() if entry.http_headers else None
                media = (entry.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower() \
                    if entry.http_headers else ""
                if status != "200":
                    skipped.counts[f"status {status}"] += 1
                    continue
                if media not in HTML_TYPES:
                    skipped.counts[f"not html ({media or 'no type'})"] += 1
                    continue
                try:
                    body, error = entry.content_stream().read(MAX_PAGE_BYTES + 1), None
                except Exception as exc:  # a truncated or corrupt record must not stop the run
                    body, error = None, f"unreadable record: {type(exc).__name__}"
                # keyed by where the record starts (known once its body is read): ids can be missing or repeated
                try:
                    key = f"{path}@{archive.get_record_offset()}"
                except Exception:  # a record too damaged to measure: its place in the file still names it
                    key = f"{path}@record-{number}"
                yield _checked(Record(key, source, url, body, error))
    except ArchiveLoadFailed as exc:
        yield Record(f"{path}#archive", {"warc": str(path)}, None, None, f"not a readable WARC: {exc}")


def read_inputs(inputs: list[str], skipped: Skipped, out: Path | None = None) -> Iterator[Record]:
    """Every record of every input, in a stable order, each file once however it is named (relative or absolute
    path, through a listing or a folder). Every input is checked before this returns: InputError for a path that does
    not exist, or for an output folder ``out`` inside an input folder (its report would be read as a page)."""
    paths = []
    for raw in inputs:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"no such file or folder: {raw}")
        if out is not None and path.is_dir() and out.resolve().is_relative_to(path.resolve()):
            raise InputError(f"the output folder {out} is inside the input folder {raw}: choose another --out")
        paths.append(path)
    return _records(paths, skipped)


def _records(paths: list[Path], skipped: Skipped) -> Iterator[Record]:
    seen: set[Path] = set()

    def once(records: Iterator[Record]) -> Iterator[Record]:
        for record in records:
            where = record.source.get("path") if "line" not in record.source else None
            if where is not None:
                resolved = Path(where).resolve()
                if resolved in seen:
                    skipped.counts["named twice"] += 1
                    continue
                seen.add(resolved)
            yield record

    for path in paths:
        if path.is_dir():
            yield from once(_directory(path, skipped))
        elif _is_warc(path):
            yield from _warc(path, skipped)
        elif _is_jsonl(path):
            yield from _jsonl(path)
        elif path.suffix.lower() in HTML_SUFFIXES:
            yield from once(iter([_file_record(path)]))
        else:
            yield from once(_path_list(path))
