"""Writing the artifact: the scorer the model loads, the fitted estimator it was made from, and their manifest."""

from __future__ import annotations

import json
import platform
from pathlib import Path

import joblib
import numpy
import scipy
import sklearn

from model.artifact import ARTIFACT_DIR, MANIFEST, ArtifactError, read_manifest, sha256_of, verified_file
from training.overclaim import OverclaimModel


def environment() -> dict:
    """Library versions the artifact was built with (the estimator file is tied to its scikit-learn)."""
    return {"python": platform.python_version(), "scikit_learn": sklearn.__version__, "numpy": numpy.__version__,
            "scipy": scipy.__version__, "joblib": joblib.__version__}


def write_artifact(model: OverclaimModel, manifest: dict, directory: Path = ARTIFACT_DIR) -> Path:
    """Write ``<name>-<version>.npz`` (the scorer, what ``model`` loads), ``<name>-<version>.joblib`` (the fitted
    estimator, for training and for checking the scorer against it) and the manifest with both hashes; returns the
    scorer file."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"{manifest['name']}-{manifest['version']}"
    scorer, estimator = directory / f"{stem}.npz", directory / f"{stem}.joblib"
    for old in [*directory.glob("*.npz"), *directory.glob("*.joblib")]:
        if old not in (scorer, estimator):
            old.unlink()
    model.scorer().save(scorer)
    joblib.dump(model, estimator, compress=3)
    full = {**manifest, "file": scorer.name, "sha256": sha256_of(scorer), "bytes": scorer.stat().st_size,
            "estimator": {"file": estimator.name, "sha256": sha256_of(estimator), "bytes": estimator.stat().st_size},
            "environment": environment()}
    (directory / MANIFEST).write_text(json.dumps(full, indent=2, sort_keys=False) + "\n", "utf-8")
    return scorer


def load_estimator(directory: Path = ARTIFACT_DIR) -> OverclaimModel:
    """The fitted scikit-learn estimator behind the scorer, once its SHA-256 and scikit-learn version check out."""
    manifest = read_manifest(directory)
    path = verified_file(manifest, manifest.get("estimator", {}), directory)
    built_with = manifest.get("environment", {}).get("scikit_learn")
    if built_with != sklearn.__version__:
        raise ArtifactError(f"refusing to load {path.name}: built with scikit-learn {built_with}, this is "
                            f"{sklearn.__version__}; install scikit-learn=={built_with} or run `stemclaim train`")
    return joblib.load(path)
