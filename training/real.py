"""Learning from the labelled real pages (``training/external``).

They carry page labels only, so each criterion a page is labelled with takes as evidence the sentences a corpus-only
model finds likeliest for it. Their words never become the model's features (the vocabulary is the corpus's), and
their figures are reported out of fold: each page is scored by a model fitted without the pages of its site.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable

import numpy as np

from model.assessment import Assessment, Assessor
from model.scoring import Scorer
from model.sentences import split_sentences
from training.evaluate import assess_pages
from training.external import ExternalPage, site, site_folds
from training.overclaim import TrainingPage

# Measured out of fold on the 408-page development set (5 folds by site, corpus-only model's cut-offs): at most 3
# sentences per labelled criterion, each at least half as likely as the likeliest, every real page counted twice.
# Spearman 0.671 -> 0.708 (paired bootstrap +0.036, 95% interval +0.010 to +0.065); top 1, counted once: 0.678.
WEAK_TOP = 3
WEAK_RELATIVE = 0.5
REPEAT = 2


def pages_sha256(pages: list[ExternalPage]) -> str:
    """SHA-256 of what a model learns from the pages: ids, texts, urls, kinds and labels, in order."""
    digest = hashlib.sha256()
    for page in pages:
        digest.update(json.dumps(dataclasses.asdict(page), sort_keys=True).encode())
    return digest.hexdigest()


def weak_training_pages(pages: list[ExternalPage], scorer: Scorer) -> list[TrainingPage]:
    """The real pages as training pages, evidence chosen by ``scorer`` (a model that never saw them)."""
    out = []
    for page in pages:
        sentences = split_sentences(page.text)
        evidence: dict[str, list[str]] = {}
        if sentences:
            proba = scorer.sentence_proba(sentences)
            for criterion in page.criteria:
                column = proba[:, scorer.criteria.index(criterion)]
                likeliest = np.argsort(-column, kind="stable")[:WEAK_TOP]
                evidence[criterion] = [sentences[i].text for i in likeliest
                                       if column[i] >= WEAK_RELATIVE * column[likeliest[0]]]
        out.append(TrainingPage(text=page.text, criteria=frozenset(page.criteria), evidence=evidence,
                                grade=page.grade, applicable=page.applicable, group=f"real:{site(page)}",
                                vocabulary=False))
    return out


def out_of_fold(pages: list[ExternalPage], weak: list[TrainingPage],
                fit: Callable[[list[TrainingPage]], Assessor]) -> list[Assessment]:
    """Each page assessed by ``fit(real training pages of the other folds)``, folds grouped by site."""
    results: list[Assessment | None] = [None] * len(pages)
    for train_idx, held in site_folds(pages):
        assessor = fit([weak[i] for i in train_idx] * REPEAT)
        for i, result in zip(held, assess_pages(assessor, [pages[i] for i in held])):
            results[i] = result
    return results
