"""How far the loaded model's verdicts agree with careful readers of real pages, as its manifest records it
(`stemclaim train --external`): what a reader of one finding can expect."""

from __future__ import annotations

import msgspec

from service.scoring.schemas import RealPagesRecord

REAL_METRICS = ("spearman", "auc_grade_ge_2", "red_flag_macro_f1", "mitigating_macro_f1", "grade_0_shown_high",
                "grade_3_shown_high", "grade_ge_2_shown_low")


def real_pages(manifest: dict) -> RealPagesRecord | None:
    """The model's record on real pages; None when it was not measured on any."""
    metrics = manifest.get("metrics", {})
    real = metrics.get("real")
    if not real:
        return None
    return msgspec.convert({"pages": real["pages"], "metrics": {k: real.get(k) for k in REAL_METRICS},
                            "intervals": metrics.get("real_intervals", {}),
                            "criteria": {c: {k: v[k] for k in ("labelled", "named", "precision", "recall")}
                                         for c, v in real.get("per_criterion", {}).items()},
                            "readers": metrics.get("real_readers")}, RealPagesRecord)


def precision_by_criterion(manifest: dict) -> dict[str, float]:
    """Of the real pages the model named each criterion on, the share careful readers had marked with it."""
    per_criterion = manifest.get("metrics", {}).get("real", {}).get("per_criterion", {})
    return {c: v["precision"] for c, v in per_criterion.items() if v.get("precision") is not None}
