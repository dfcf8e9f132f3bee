"""`stemclaim train` on a small corpus: writes a verified artifact, manifest and model card, reproducibly."""

import json
import shutil
from pathlib import Path

import pytest

from model.artifact import load_artifact, sha256_of
from model.assessment import Assessor
from service.cli import main
from training.corpus import load_pages

CORPUS = Path(__file__).resolve().parent.parent / "training" / "corpus"
SITES = {"train": ["caribecelltravel", "callowayreese", "dailyblaze", "pathwayms", "peakmotionortho", "celulavivatj",
                   "kadeoptimized", "carewellrx", "larkspurcancer", "medvoyageindia"],
         "dev": ["istmovida", "msfellowship", "tamyrcellclinic"],
         "test": ["lotuscarejourneys", "myelincanada", "lumacellbotanics"]}


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    """About 140 pages of 16 sites, with their splits reassigned so that every split has every grade."""
    root = tmp_path_factory.mktemp("corpus")
    (root / "pages").mkdir()
    split_of = {site: split for split, sites in SITES.items() for site in sites}
    lines = []
    for page in load_pages(CORPUS):
        if page.site in split_of:
            shutil.copy(page.path, root / page.file)
            lines.append(json.dumps({**page.label(), "split": split_of[page.site]}))
    (root / "labels.jsonl").write_text("\n".join(lines) + "\n")
    return root


def test_train_writes_a_verified_artifact_manifest_and_card(small_corpus, tmp_path, capsys):
    out, card = tmp_path / "artifacts", tmp_path / "MODEL_CARD.md"
    assert main(["train", "--corpus", str(small_corpus), "--out", str(out), "--card", str(card)]) == 0
    artifact = load_artifact(out)
    manifest = artifact.manifest
    assert manifest["sha256"] == sha256_of(out / manifest["file"])
    assert {"dev", "test", "test_by_kind", "test_openings_1500"} <= set(manifest["metrics"])
    assert manifest["environment"]["scikit_learn"] and manifest["corpus_sha256"]
    assert 0 < manifest["thresholds"]["moderate"] < manifest["thresholds"]["high"] < 100
    text = card.read_text()
    assert "## Intended use" in text and "## Known failure modes" in text and manifest["sha256"] in text
    fixtures = Path(__file__).parent / "fixtures" / "pages"
    assessor = Assessor(artifact)
    clinic = assessor.assess((fixtures / "clinic_overclaim.html").read_bytes())
    hospital = assessor.assess((fixtures / "hospital_careful.html").read_bytes())
    assert clinic.applicable and clinic.score > hospital.score

    again = tmp_path / "again"
    assert main(["train", "--corpus", str(small_corpus), "--out", str(again), "--card", str(tmp_path / "c2.md")]) == 0
    repeat = json.loads((again / "manifest.json").read_text())
    assert repeat["sha256"] == manifest["sha256"]
    assert repeat["metrics"] == manifest["metrics"]
