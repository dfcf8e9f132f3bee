"""The shipped model artifact: a :class:`~model.scoring.Scorer` file, loaded only after its SHA-256 checks out
against the manifest that training wrote beside it (``training/artifact.py``)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from model.scoring import Scorer, ScorerFormatError

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"
MANIFEST = "manifest.json"


class ArtifactError(RuntimeError):
    """The model artifact is missing, altered, or not a scorer this version reads."""


@dataclass(frozen=True)
class LoadedArtifact:
    """A verified model and the manifest that vouches for it."""

    model: Scorer
    manifest: dict

    @property
    def info(self) -> dict:
        m = self.manifest
        return {"name": m["name"], "version": m["version"], "sha256": m["sha256"], "rubric_version": m["rubric_version"]}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(directory: Path = ARTIFACT_DIR) -> dict:
    try:
        return json.loads((directory / MANIFEST).read_text("utf-8"))
    except FileNotFoundError:
        raise ArtifactError(f"no model manifest at {directory / MANIFEST}; run `stemclaim train`") from None
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"cannot read the model manifest {directory / MANIFEST}: {exc}") from None


def verified_file(manifest: dict, entry: dict, directory: Path) -> Path:
    """The file a manifest entry (``file``, ``sha256``) names, once its SHA-256 matches."""
    path = directory / Path(str(entry.get("file", ""))).name
    if not path.is_file():
        raise ArtifactError(f"the model file {path} named by the manifest is missing; run `stemclaim train`")
    actual = sha256_of(path)
    if actual != entry.get("sha256"):
        raise ArtifactError(f"refusing to load {path.name}: its SHA-256 {actual} does not match the manifest's "
                            f"{entry.get('sha256')}")
    return path


def verify_artifact(directory: Path = ARTIFACT_DIR) -> tuple[dict, Path]:
    """The manifest and the scorer file it names, once the file's SHA-256 checks out; nothing is read from the
    file (a process that only needs the manifest stops here)."""
    manifest = read_manifest(directory)
    return manifest, verified_file(manifest, manifest, directory)


def load_artifact(directory: Path = ARTIFACT_DIR) -> LoadedArtifact:
    """Verify the scorer file named by the manifest (SHA-256), then read it: plain arrays, nothing unpickled."""
    manifest, path = verify_artifact(directory)
    try:
        return LoadedArtifact(Scorer.load(path), manifest)
    except ScorerFormatError as exc:
        raise ArtifactError(f"refusing to load {path.name}: {exc}") from None
