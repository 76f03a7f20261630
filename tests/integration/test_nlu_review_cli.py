"""`python -m bot nlu review list|accept|reject` on the console's queue, and what reaches the training
data of a realistic Vietnamese message full of personal data (names, phones with spaces and dots,
CCCD numbers, addresses)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tests.integration.console_support import Console
from tests.integration.nlu_review_support import data_text, file_case, review_console, say

REALISTIC = ("Kính gửi UBND phường, tôi là Trần Văn Bình, CCCD 001089012345, nhà ở số 15 ngõ 102 đường "
             "Trường Chinh. Gọi cho tôi 0988.123.456 hoặc 024 3825 3536, vợ tôi là chị Lê Thị Mai số "
             "0912 345 678. Hồ sơ thẩm duyệt PCCC cho quán karaoke nộp 2 tháng chưa có kết quả.")
PERSONAL = ("Trần Văn Bình", "Văn Bình", "001089012345", "0988.123.456", "988.123.456", "024 3825 3536",
            "3825 3536", "Lê Thị Mai", "Thị Mai", "0912 345 678", "số 15")  # the house number, not the alley


@pytest.fixture
def console(tmp_path: Path, nlu_models_dir: Path) -> Console:
    made = review_console(tmp_path, nlu_models_dir)
    yield made
    made.pakn.engine.dispose()


def run(console: Console, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    settings = console.pakn.settings
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"database_url": settings.database_url,
                                      "catalogue_dir": settings.catalogue_dir,
                                      "nlu": {"data_dir": settings.nlu.data_dir,
                                              "models_dir": settings.nlu.models_dir}}),
                      encoding="utf-8")
    env = {"PAKN_CONFIG": str(config), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": os.environ.get("HOME", "/tmp"), "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "bot", "nlu", "review", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def reclassified(console: Console, sender: str, text: str) -> None:
    code = file_case(console, sender, text, "xay_dung")
    console.client("daumoi").post(f"/console/cases/{code}/actions/reclassify", {"procedure_id": "pccc"})


def listed(console: Console, tmp_path: Path, *args: str) -> list[dict[str, Any]]:
    done = run(console, tmp_path, "list", "--json", *args)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_review_list_accept_reject_from_the_command_line(console: Console, tmp_path: Path) -> None:
    say(console, "telegram", "901", REALISTIC, name="Trần Văn Bình")
    reclassified(console, "901", REALISTIC)
    reclassified(console, "902", "Nhà xưởng bị yêu cầu nghiệm thu phòng cháy lại lần thứ ba trong năm")
    items = listed(console, tmp_path, "--source", "reclassification")
    assert [i["suggested"]["procedure"] for i in items] == ["pccc", "pccc"]
    first, second = items

    done = run(console, tmp_path, "accept", str(first["id"]), "--procedure", "pccc", "--reviewer", "quantri")
    assert done.returncode == 0, done.stderr
    content = data_text(console, "reviewed/reclassification.yml") or ""  # in the database
    assert "- intent: phan_anh__pccc" in content and "reviewer quantri" in content
    assert "Hồ sơ thẩm duyệt PCCC cho quán karaoke" in content

    again = run(console, tmp_path, "accept", str(first["id"]), "--procedure", "pccc")
    assert again.returncode == 1 and "not_pending" in again.stderr
    rejected = run(console, tmp_path, "reject", str(second["id"]), "--note", "trùng ý")
    assert rejected.returncode == 0, rejected.stderr
    assert listed(console, tmp_path, "--source", "reclassification") == []
    assert len(listed(console, tmp_path, "--status", "accepted")) == 1
    statuses = sorted(r[0] for r in console.query("SELECT status FROM labelled_examples"))
    assert statuses == ["accepted", "rejected"]


def test_personal_data_is_masked_in_the_accepted_example(console: Console) -> None:
    """Names (known and by cue), phones with dots and spaces, a landline, CCCD and the address."""
    reclassified(console, "911", REALISTIC)
    admin = console.client("admin")
    admin.get("/console/nlu/review")
    item_id = console.query("SELECT id FROM nlu_review_items WHERE source = 'reclassification'")[0][0]
    page = admin.post(f"/console/nlu/review/{item_id}", {
        "action": "accept", "intent": "phan_anh", "procedure": "pccc", "text": REALISTIC})
    assert "Đã đưa câu ví dụ vào dữ liệu huấn luyện" in page.text
    content = data_text(console, "reviewed/reclassification.yml") or ""
    example = next(line for line in content.splitlines() if line.startswith("    - "))
    leaked = [value for value in PERSONAL if value in example]
    assert leaked == [], example
    assert "Hồ sơ thẩm duyệt PCCC cho quán karaoke nộp 2 tháng chưa có kết quả" in example
    assert "[" not in example.replace("[0900 000 000](phone)", "")  # no placeholder brackets
