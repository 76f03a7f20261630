"""The real training data validates clean, and the validator CLI says so."""
from __future__ import annotations

import subprocess
import sys

from nlu.data import load_training_data
from nlu.result import PAKN_PREFIX
from nlu.training.validate import validate
from routing.catalogue import OUT_OF_SCOPE_PROCEDURE
from tests.conftest import ROOT

NLU_DATA = ROOT / "nlu_data"


def test_real_nlu_data_validates_clean() -> None:
    assert NLU_DATA.is_dir(), "nlu_data/ is missing"
    problems = validate(NLU_DATA, ROOT / "catalogue")
    assert problems == [], "\n".join(problems)


def test_every_procedure_and_dialogue_intent_has_training_data() -> None:
    import yaml
    procedures = {p["id"] for p in yaml.safe_load(
        (ROOT / "catalogue" / "procedures.yaml").read_text(encoding="utf-8"))["procedures"]}
    labels = set(load_training_data(NLU_DATA).labels)
    assert {PAKN_PREFIX + p for p in procedures} <= labels
    assert PAKN_PREFIX + OUT_OF_SCOPE_PROCEDURE in labels
    assert {"tra_cuu", "gap_can_bo", "chao_hoi", "cam_on", "huy_bo", "ngoai_pham_vi"} <= labels


def test_validate_cli_exit_code(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "nlu_data"
    bad.mkdir()
    (bad / "nlu.yml").write_text('version: "3.1"\nnlu:\n- intent: chao_hoi\n', encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(f"nlu:\n  data_dir: {bad}\n  models_dir: {tmp_path / 'models'}\n"
                      f"catalogue_dir: {ROOT / 'catalogue'}\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bot", "nlu", "validate"], cwd=ROOT,
                          env={"PAKN_CONFIG": str(config), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "nlu_data/nlu.yml block 1" in done.stderr and "no examples" in done.stderr
