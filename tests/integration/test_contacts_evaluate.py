"""`python -m bot nlu evaluate` reports the contact extractor's field-level scores, with and
without diacritics, from the tagger trained and saved with the built-in model."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from nlu.models import ModelStore
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "data" / "nlu_fixture"


def test_evaluate_prints_field_f1_lines(tmp_path: Path) -> None:
    data = tmp_path / "nlu_data"
    shutil.copytree(FIXTURE, data)
    shutil.copy(ROOT / "nlu_data" / "contacts.yml", data / "contacts.yml")
    models = tmp_path / "var" / "models"
    config = tmp_path / "config.yaml"
    config.write_text(f"database_url: sqlite:///{tmp_path}/pakn.db\ncatalogue_dir: {ROOT / 'catalogue'}\n"
                      f"nlu:\n  data_dir: {data}\n  models_dir: {models}\n  threshold: 0.2\n",
                      encoding="utf-8")
    env = {"PAKN_CONFIG": str(config), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": os.environ.get("HOME", "/tmp"), "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-m", "bot", "nlu", "evaluate", "--folds", "0"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for view in ("accented", "folded"):
        for field in ("name", "phone", "address", "ward"):
            line = re.search(rf"^{view}\s+{field}\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)$",
                             done.stdout, re.MULTILINE)
            assert line, f"no {view} {field} line in:\n{done.stdout[-3000:]}"
            assert 0.5 < float(line.group(3)) <= 1.0 and int(line.group(4)) > 50
    store = ModelStore(models)
    version = store.latest("builtin")
    assert version and (models / version / "contacts.crfsuite").exists()
    assert store.metadata(version)["contacts"]["annotated"] > 200
    found = store.load_contacts(version).extract("mik là Trần Văn Nam, sdt 0912 345 678")
    assert (found.name.value, found.phone.value) == ("Trần Văn Nam", "0912345678")
