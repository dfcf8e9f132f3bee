"""The artifact is loaded only when its SHA-256 matches the manifest, and never by unpickling."""

import json
import shutil

import numpy as np
import pytest

from model.artifact import ARTIFACT_DIR, ArtifactError, load_artifact, read_manifest, sha256_of
from model.assessment import Assessor
from training.artifact import load_estimator


@pytest.fixture
def artifact_copy(tmp_path):
    shutil.copytree(ARTIFACT_DIR, tmp_path / "artifacts")
    return tmp_path / "artifacts"


def test_shipped_artifact_matches_its_manifest():
    manifest = read_manifest()
    path = ARTIFACT_DIR / manifest["file"]
    assert sha256_of(path) == manifest["sha256"]
    assert path.stat().st_size < 20_000_000
    assert manifest["rubric_version"] == "1"
    assert {"hit", "applicable", "moderate", "high"} <= set(manifest["thresholds"])


def test_a_copy_loads_and_scores(artifact_copy):
    assessor = Assessor.from_directory(artifact_copy)
    assert assessor.assess("<p>Stem cells cure MS.</p>").model["sha256"] == read_manifest()["sha256"]


def test_altered_artifact_is_refused(artifact_copy):
    manifest = read_manifest(artifact_copy)
    path = artifact_copy / manifest["file"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="does not match the manifest"):
        load_artifact(artifact_copy)


def _replace_scorer(directory, **arrays) -> None:
    """Write ``arrays`` as the scorer file and vouch for it in the manifest, as an attacker with write access could."""
    manifest = read_manifest(directory)
    path = directory / manifest["file"]
    with path.open("wb") as f:
        np.savez(f, **arrays)
    manifest["sha256"] = sha256_of(path)
    (directory / "manifest.json").write_text(json.dumps(manifest))


def test_a_scorer_file_holding_pickled_objects_is_refused_unread(artifact_copy):
    ran = artifact_copy / "ran"
    _replace_scorer(artifact_copy, config=np.array([Boom(ran)], dtype=object))
    with pytest.raises(ArtifactError, match="not a stemclaim scorer"):
        load_artifact(artifact_copy)
    assert not ran.exists()


def test_a_scorer_of_another_format_is_refused(artifact_copy):
    _replace_scorer(artifact_copy, config=np.array(json.dumps({"format": "stemclaim-scorer/99"})))
    with pytest.raises(ArtifactError, match="stemclaim-scorer/99"):
        load_artifact(artifact_copy)


def test_the_estimator_from_another_scikit_learn_is_refused(artifact_copy):
    manifest = read_manifest(artifact_copy)
    manifest["environment"]["scikit_learn"] = "0.0.1"
    (artifact_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="built with scikit-learn 0.0.1"):
        load_estimator(artifact_copy)
    assert Assessor.from_directory(artifact_copy).assess("<p>x</p>").level == "not_applicable"  # the scorer still loads


class Boom:
    """Unpickling this writes a file: proof that a loader ran code from the artifact."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


def test_missing_manifest_or_file_is_a_clear_error(artifact_copy, tmp_path):
    with pytest.raises(ArtifactError, match="no model manifest"):
        load_artifact(tmp_path)
    (artifact_copy / read_manifest(artifact_copy)["file"]).unlink()
    with pytest.raises(ArtifactError, match="is missing"):
        load_artifact(artifact_copy)
