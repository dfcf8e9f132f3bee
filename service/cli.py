"""The ``stemclaim`` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model.sentences import split_sentences
from model.text import visible_text


def _cmd_text(args: argparse.Namespace) -> int:
    """Print what stemclaim reads of a page: its visible text, or one sentence per line."""
    status = 0
    for path in args.paths:
        try:
            data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
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


def _cmd_corpus_check(args: argparse.Namespace) -> int:
    from training.corpus import check_corpus

    problems = check_corpus(args.corpus)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"stemclaim: corpus check failed: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"corpus ok: {args.corpus}")
    return 0


def _cmd_corpus_stats(args: argparse.Namespace) -> int:
    from training.corpus import corpus_stats

    print(corpus_stats(args.corpus))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stemclaim", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    text = commands.add_parser("text", help="print the visible text stemclaim reads from HTML files")
    text.add_argument("paths", nargs="+", metavar="PATH", help="HTML file, or - for standard input")
    text.add_argument("--sentences", action="store_true", help="one sentence per line")
    text.set_defaults(func=_cmd_text)

    corpus = commands.add_parser("corpus", help="check or describe the labelled corpus")
    corpus_commands = corpus.add_subparsers(dest="corpus_command", required=True)
    default_corpus = Path(__file__).resolve().parent.parent / "training" / "corpus"
    for name, func, summary in (
        ("check", _cmd_corpus_check, "validate labels and pages; non-zero exit on any problem"),
        ("stats", _cmd_corpus_stats, "print distribution tables"),
    ):
        sub = corpus_commands.add_parser(name, help=summary)
        sub.add_argument("--corpus", type=Path, default=default_corpus, help="corpus folder (labels.jsonl, pages/)")
        sub.set_defaults(func=func)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
