"""A console whose NLU data, catalogue and model store are private temp copies (never the repo's)."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from channels.base import IncomingMessage
from routing import services
from tests.conftest import ROOT, nlu_training_data, wait_until
from tests.integration.console_support import Console, StaffClient, make_console

# Misclassified by the model trained on nlu_data/ (y_te); a fire-safety (pccc) report.
MISCLASSIFIED = ("Tôi là Nguyễn Thị Thu Hà, số điện thoại 0912 345 678, ở số 12 ngõ 34 phố Hoàng Hoa "
                 "Thám. Trạm sạc xe điện ở tầng hầm chung cư phát nổ, đề nghị kiểm tra an toàn")
# The same kind of message, in a fresh conversation.
PROBE = "Trạm sạc xe điện ở chung cư phát nổ, đề nghị kiểm tra an toàn"
# A message the model trained on nlu_data routes to the wrong group (urban order, not fire safety)
# since issue 14's data taught it the one above; staff reclassify it and the model learns it.
MISROUTED = ("Tôi là Nguyễn Thị Thu Hà, số điện thoại 0912 345 678, ở số 12 ngõ 34 phố Hoàng Hoa "
             "Thám. Bình gas nhà hàng đầu ngõ để ngoài vỉa hè nắng nóng rất nguy hiểm")
MISROUTED_PROBE = "Bình gas nhà hàng đầu ngõ để ngoài vỉa hè nắng nóng rất nguy hiểm"


def private_copies(tmp_path: Path, models_dir: Path) -> dict[str, Any]:
    """Settings overrides pointing at temp copies of nlu_data/, catalogue/ and the model store."""
    data = tmp_path / "nlu_data"
    shutil.copytree(nlu_training_data(), data)
    catalogue = tmp_path / "catalogue"
    shutil.copytree(ROOT / "catalogue", catalogue)
    models = tmp_path / "models"
    shutil.copytree(models_dir, models)
    return {"catalogue_dir": str(catalogue),
            "nlu": {"data_dir": str(data), "models_dir": str(models), "review": {"cv_folds": 2}}}


def review_console(tmp_path: Path, models_dir: Path) -> Console:
    return make_console(tmp_path, models_dir, private_copies(tmp_path, models_dir))


def say(console: Console, channel: str, sender: str, text: str, name: str = "") -> dict[str, Any]:
    """A citizen's message through the pipeline; the NLU result stored on the message."""
    number = len(console.query("SELECT id FROM messages")) + 1
    console.pakn.pipeline.handle(IncomingMessage(channel, sender, f"m-{sender}-{number}", text,
                                                 datetime.now(timezone.utc), sender_name=name))
    row = console.query("SELECT nlu FROM messages WHERE platform_message_id = :m",
                        m=f"m-{sender}-{number}")[0]
    import json
    return row[0] if isinstance(row[0], dict) else json.loads(row[0])


def file_case(console: Console, sender: str, text: str, procedure: str) -> str:
    return console.file(services.IntakeForm(
        text=text, procedure_id=procedure, citizen_name="Nguyễn Thị Thu Hà", citizen_phone="0912345678",
        citizen_address="Số 12 ngõ 34 phố Hoàng Hoa Thám", ward="phường Ba Đình"), sender=sender)


def run_job(admin: StaffClient) -> int:
    """Start training from the console and wait for the job to finish; its id."""
    response = admin.post("/console/nlu/train", {"backend": "builtin"}, follow=False)
    assert response.status_code == 302, response.text
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    wait_until(lambda: admin.get(f"/console/nlu/jobs/{job_id}.json").json["done"], timeout=600,
               interval=0.5, message="training job done")
    return job_id


def data_text(console: Console, relative: str) -> str | None:
    """A training data file as the database has it (None: no such file)."""
    from storage import data_documents as dd

    with console.pakn.read() as session:
        return dd.document(session, dd.NLU, relative)


def replace_data(console: Console, changes: dict[str, str]) -> None:
    """Training data files changed directly in the database (as another process would)."""
    from storage import data_documents as dd

    def work(uow: Any) -> None:
        dd.lock(uow.session, dd.NLU)
        dd.write(uow.session, dd.NLU, changes, "test", datetime.now(timezone.utc))

    console.pakn.uow().run(work)


def seed_files_unchanged(directory: Path) -> dict[str, str]:
    """Every file under a seed directory with its content, to compare before and after."""
    return {str(p.relative_to(directory)): p.read_text(encoding="utf-8")
            for p in sorted(directory.rglob("*")) if p.is_file()}
