"""`python -m bot nlu ...` and `python -m bot classify` as an operator runs them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nlu.result import INTENTS
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "data" / "nlu_fixture"
CATALOGUE = ROOT / "catalogue"


def run(config: Path, *args: str, stdin: str = "", timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {"PAKN_CONFIG": str(config), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": os.environ.get("HOME", "/tmp"), "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config over the small fixture data with a trained, active built-in model."""
    root = tmp_path_factory.mktemp("nlu-cli")
    config = root / "config.yaml"
    config.write_text(f"database_url: sqlite:///{root}/pakn.db\ncatalogue_dir: {CATALOGUE}\n"
                      f"nlu:\n  data_dir: {FIXTURE}\n  models_dir: {root / 'var' / 'models'}\n"
                      "  threshold: 0.2\n", encoding="utf-8")
    done = run(config, "nlu", "train")
    assert done.returncode == 0, done.stderr
    return config


LINES = [
    json.dumps({"text": "làm sổ đỏ 6 tháng chưa xong, gọi 0912 345 678"}, ensure_ascii=False),
    "not json",
    json.dumps({"text": "xin chào"}, ensure_ascii=False),
    json.dumps({"text": 42}),
    json.dumps({"message": "no text field"}),
    json.dumps(["a", "list"]),
    json.dumps({"text": "tôi muốn hỏi hồ sơ PAKN-2025-000123 đến đâu rồi"}, ensure_ascii=False),
]


@pytest.mark.parametrize("command", [("classify",), ("nlu", "classify")])
def test_classify_one_line_per_input_in_order(trained: Path, command: tuple[str, ...]) -> None:
    many = LINES * 30
    done = run(trained, *command, stdin="\n".join(many) + "\n")
    assert done.returncode == 0, done.stderr
    outputs = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(outputs) == len(many)
    for number, (line, output) in enumerate(zip(many, outputs), 1):
        item = json.loads(line) if line != "not json" else None
        if isinstance(item, dict) and isinstance(item.get("text"), str):
            assert output["text"] == item["text"]
            assert output["intent"] in INTENTS
            assert 0.0 <= output["confidence"] <= 1.0
            if output["intent"] == "phan_anh":
                assert output["procedure"]
        else:
            assert "error" in output and output.get("line", number) == number
    first = outputs[0]
    assert (first["intent"], first["procedure"], first["agency"]) == ("phan_anh", "dat_dai", "so_nnmt")
    assert {"entity": "phone", "value": "0912345678"}.items() <= first["entities"][0].items()


def test_nlu_classify_answers_blank_lines_too(trained: Path) -> None:
    done = run(trained, "nlu", "classify", stdin=LINES[2] + "\n\n" + LINES[2] + "\n")
    outputs = [json.loads(line) for line in done.stdout.splitlines()]
    assert [("error" in o) for o in outputs] == [False, True, False]
    assert outputs[1]["line"] == 2


def test_versions_activate_rollback(trained: Path) -> None:
    retrained = run(trained, "nlu", "train", "--force", "--no-eval")
    assert retrained.returncode == 0, retrained.stderr
    listing = run(trained, "nlu", "versions").stdout.splitlines()
    assert len(listing) == 2 and listing[1].startswith("*")
    first = listing[0].split()[0]
    assert "procedure=" in listing[0]  # the first train filled metrics from the held-out set
    assert run(trained, "nlu", "rollback").stdout.strip() == f"active model {first}"
    assert run(trained, "nlu", "versions").stdout.splitlines()[0].startswith("*")
    assert run(trained, "nlu", "activate", "nope").returncode == 1


def test_evaluate_writes_report_and_confusion_png(trained: Path, tmp_path: Path) -> None:
    heldout = tmp_path / "heldout.jsonl"
    heldout.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in [
        {"text": "nộp hồ sơ sổ đỏ 5 tháng chưa có", "intent": "phan_anh", "procedure": "dat_dai",
         "agency": "so_nnmt", "entities": []},
        {"text": "chào bot", "intent": "chao_hoi", "procedure": None, "agency": None, "entities": []},
    ]) + "\n", encoding="utf-8")
    done = run(trained, "nlu", "evaluate", "--folds", "2", "--heldout", str(heldout))
    assert done.returncode == 0, done.stderr
    assert "cross-validation, 2 folds" in done.stdout and "macro-F1" in done.stdout
    report = Path(done.stdout.strip().splitlines()[-1].split()[-1])
    body = json.loads(report.read_text())
    result = body["results"][0]
    assert result["backend"] == "builtin"
    assert set(result["heldout"]["folded"]["summary"]) == {"intent", "procedure", "agency"}
    png = Path(result["confusion_png"])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
