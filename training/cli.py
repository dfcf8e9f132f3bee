"""The training commands of ``stemclaim`` (``train``, ``evaluate``, ``corpus check|stats``), registered through the
``stemclaim.commands`` entry point so the service's command line never imports ``training``."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from importlib import resources
from pathlib import Path

from model.artifact import ARTIFACT_DIR, ArtifactError

HERE = Path(str(resources.files("training")))
CORPUS = HERE / "corpus"
MODEL_CARD = HERE / "MODEL_CARD.md"


def _missing_training_libraries(command: str) -> bool:
    """True, with a message saying what to install, when scikit-learn or joblib cannot be imported (the base install
    scores pages without them)."""
    missing = []
    for name, module in (("scikit-learn", "sklearn"), ("joblib", "joblib")):
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(name)
    if missing:
        print(f"stemclaim {command}: needs {' and '.join(missing)}; install them with: pip install -e '.[train]'",
              file=sys.stderr)
    return bool(missing)


def _cmd_train(args: argparse.Namespace) -> int:
    if _missing_training_libraries("train"):
        return 2
    from training.external import load_external, read_jsonl, readers
    from training.train import train

    named = (("real", args.real), ("external", args.external))
    labels = (args.real or args.external or (None, None))[1]  # the two options exclude each other
    try:  # a bad file fails now, not after minutes of fitting
        sets = {key: load_external(*paths) for key, paths in named if paths}
        agreement = readers(read_jsonl(labels)) if labels else None
    except (OSError, ValueError) as exc:
        print(f"stemclaim train: {exc}", file=sys.stderr)
        return 2
    train(args.corpus, args.out, args.card, readers=agreement, **sets)
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    if _missing_training_libraries("evaluate"):
        return 2
    from model.assessment import Assessor
    from training.evaluate import report
    from training.external import (external_report, level_thresholds, level_thresholds_table, load_external,
                                   mitigating_thresholds, read_jsonl, readers, readers_line, score_records,
                                   thresholds_table)

    for flag, given in (("--scores", args.scores), ("--mitigating-thresholds", args.mitigating_thresholds),
                        ("--level-thresholds", args.level_thresholds)):
        if given and not args.external:
            print(f"stemclaim evaluate: {flag} needs --external", file=sys.stderr)
            return 2
    try:
        pages = load_external(*args.external) if args.external else None  # bad labels fail before the model loads
        assessor = Assessor.from_directory(args.artifact)
        if pages is not None:
            results = [assessor.assess_text(p.text) for p in pages]
            print(external_report(pages, results))
            agreement = readers(read_jsonl(args.external[1]))
            if agreement:
                print("\n" + readers_line(agreement))
            if args.mitigating_thresholds:
                print("\n" + thresholds_table(mitigating_thresholds(pages, results)))
            if args.level_thresholds:
                print("\n" + level_thresholds_table(level_thresholds(pages, assessor)))
            if args.scores:
                args.scores.write_text("".join(json.dumps(r) + "\n" for r in score_records(pages, results)), "utf-8")
        else:
            print(report(args.corpus, args.split, assessor))
    except ArtifactError as exc:
        print(f"stemclaim: {exc}", file=sys.stderr)
        return 3
    except (OSError, ValueError) as exc:
        print(f"stemclaim evaluate: {exc}", file=sys.stderr)
        return 2
    return 0


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


def register(commands: argparse._SubParsersAction) -> None:
    """Add the training commands to the ``stemclaim`` parser's subcommands."""
    train = commands.add_parser("train", help="train on the corpus and write the artifact, manifest and model card")
    train.add_argument("--corpus", type=Path, default=CORPUS, help="corpus folder (labels.jsonl, pages/)")
    train.add_argument("--out", type=Path, default=ARTIFACT_DIR, help="artifact folder")
    train.add_argument("--card", type=Path, default=MODEL_CARD, help="model card path")
    real_pages = train.add_mutually_exclusive_group()
    real_pages.add_argument("--external", nargs=2, type=Path, metavar=("PAGES", "LABELS"),
                            help="labelled real pages to report on in the model card (never trained on)")
    real_pages.add_argument("--real", nargs=2, type=Path, metavar=("PAGES", "LABELS"),
                            help="labelled real pages to learn from as well (their words never become features); "
                                 "the model card reports them out of fold")
    train.set_defaults(func=_cmd_train)

    evaluate = commands.add_parser(
        "evaluate", help="metrics of the shipped model on a corpus split, or on a labelled set of real pages")
    evaluate.add_argument("--corpus", type=Path, default=CORPUS, help="corpus folder (labels.jsonl, pages/)")
    evaluate.add_argument("--split", choices=("train", "dev", "test"), default="test", help="corpus split (default test)")
    evaluate.add_argument("--external", nargs=2, type=Path, metavar=("PAGES", "LABELS"),
                          help="JSON Lines of pages (id, text or html, url, kind) and of labels (id, grade, criteria)")
    evaluate.add_argument("--artifact", type=Path, default=ARTIFACT_DIR,
                          help="model artifact folder (default the shipped model)")
    evaluate.add_argument("--scores", type=Path, metavar="OUT",
                          help="with --external: write each page's id, grade, score and level as JSON Lines, for "
                               "`python -m training.external compare`")
    evaluate.add_argument("--mitigating-thresholds", action="store_true",
                          help="with --external: the mitigating signals' hit thresholds best on these pages, and their "
                               "F1 when chosen out of fold (5 folds by site)")
    evaluate.add_argument("--level-thresholds", action="store_true",
                          help="with --external: the score cut-offs for moderate and high best on these pages, and the "
                               "figures when they are chosen out of fold (5 folds by site)")
    evaluate.set_defaults(func=_cmd_evaluate)

    corpus = commands.add_parser("corpus", help="check or describe the labelled corpus")
    corpus_commands = corpus.add_subparsers(dest="corpus_command", required=True)
    for name, func, summary in (
        ("check", _cmd_corpus_check, "validate labels and pages; non-zero exit on any problem"),
        ("stats", _cmd_corpus_stats, "print distribution tables"),
    ):
        sub = corpus_commands.add_parser(name, help=summary)
        sub.add_argument("--corpus", type=Path, default=CORPUS, help="corpus folder (labels.jsonl, pages/)")
        sub.set_defaults(func=func)
