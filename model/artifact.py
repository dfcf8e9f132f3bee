"""The shipped model artifact: written with its manifest, loaded only after its SHA-256 and versions check out."""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy
import sklearn

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"
MANIFEST = "manifest.json"


class ArtifactError(RuntimeError):
    """The model artifact is missing, altered, or was built with another scikit-learn."""


@dataclass(frozen=True)
class LoadedArtifact:
    """A verified model and the manifest that vouches for it."""

    model: object
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


def environment() -> dict:
    """Library versions an artifact is tied to."""
    return {"python": platform.python_version(), "scikit_learn": sklearn.__version__, "numpy": numpy.__version__,
            "joblib": joblib.__version__}


def write_artifact(model: object, manifest: dict, directory: Path = ARTIFACT_DIR) -> Path:
    """Dump ``model`` as ``<name>-<version>.joblib`` and write the manifest with its hash; returns the file."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{manifest['name']}-{manifest['version']}.joblib"
    for old in directory.glob("*.joblib"):
        if old != path:
            old.unlink()
    joblib.dump(model, path, compress=3)
    full = {**manifest, "file": path.name, "sha256": sha256_of(path), "bytes": path.stat().st_size,
            "environment": environment()}
    (directory / MANIFEST).write_text(json.dumps(full, indent=2, sort_keys=False) + "\n", "utf-8")
    return path


def read_manifest(directory: Path = ARTIFACT_DIR) -> dict:
    try:
        return json.loads((directory / MANIFEST).read_text("utf-8"))
    except FileNotFoundError:
        raise ArtifactError(f"no model manifest at {directory / MANIFEST}; run `stemclaim train`") from None
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"cannot read the model manifest {directory / MANIFEST}: {exc}") from None


def verify_artifact(directory: Path = ARTIFACT_DIR) -> tuple[dict, Path]:
    """The manifest and the model file it names, once the file's SHA-256 and scikit-learn version check out; nothing
    is unpickled (a process that only needs the manifest stops here)."""
    manifest = read_manifest(directory)
    path = directory / Path(str(manifest.get("file", ""))).name
    if not path.is_file():
        raise ArtifactError(f"the model file {path} named by the manifest is missing; run `stemclaim train`")
    actual = sha256_of(path)
    if actual != manifest.get("sha256"):
        raise ArtifactError(f"refusing to load {path.name}: its SHA-256 {actual} does not match the manifest's "
                            f"{manifest.get('sha256')}")
    built_with = manifest.get("environment", {}).get("scikit_learn")
    if built_with != sklearn.__version__:
        raise ArtifactError(f"refusing to load {path.name}: built with scikit-learn {built_with}, this is "
                            f"{sklearn.__version__}; install scikit-learn=={built_with} or run `stemclaim train`")
    return manifest, path


def load_artifact(directory: Path = ARTIFACT_DIR) -> LoadedArtifact:
    """Verify the artifact named by the manifest (SHA-256, scikit-learn version), then load it."""
    manifest, path = verify_artifact(directory)
    return LoadedArtifact(joblib.load(path), manifest)
