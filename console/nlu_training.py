"""Training, comparison, activation and rollback of NLU models from the console (admins)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for

from console import nlu_texts as NT
from console.auth import audit, audited, now, roles_required, user
from console.deps import components
from nlu.models import ModelStore
from nlu.training import jobs as training
from nlu.training.compare import LABEL_SETS, VIEWS, worse_groups
from nlu.training.services import queue_training_job, run_training_job
from storage.unit_of_work import SqlUnitOfWork

blueprint = Blueprint("console_nlu_training", __name__, url_prefix="/console/nlu")
ADMIN = "admin"


def _store() -> ModelStore:
    return ModelStore(Path(components().settings.nlu.models_dir))


def _margin() -> float:
    return components().settings.nlu.activation_margin


@blueprint.get("/train")
@roles_required(ADMIN)
def train() -> str:
    with components().read() as db:
        jobs = training.recent_jobs(db)
    store = _store()
    return render_template("nlu/train.html", jobs=jobs, active=store.active_version(),
                           backend=components().settings.nlu.backend,
                           rasa_installed=rasa_installed(), rasa_path=str(_rasa_program()))


def _rasa_program() -> Path:
    return Path(components().settings.nlu.rasa.venv) / "bin" / "rasa"


def rasa_installed() -> bool:
    """Rasa is offered only where its program is installed (`make rasa` builds .venv-rasa)."""
    return _rasa_program().is_file()


def _worse_groups(version: str) -> list[dict[str, Any]]:
    """Procedure groups the training job's comparison shows worse than the active model."""
    active = _store().active_version()
    if active is None or active == version:
        return []
    with components().read() as db:
        job = training.job_for(db, version, active)
    return worse_groups(job["report"] or {}) if job is not None else []


@blueprint.post("/train")
@roles_required(ADMIN)
def start() -> Any:
    pakn = components()
    backend = request.form.get("backend") or None
    if backend not in (None, "builtin", "rasa"):
        abort(400)
    if (backend or pakn.settings.nlu.backend) == "rasa" and not rasa_installed():
        flash(NT.RASA_MISSING.format(path=_rasa_program()), "error")
        return redirect(url_for("console_nlu_training.train"))

    def queue(uow: SqlUnitOfWork) -> int:
        job_id = queue_training_job(uow, pakn.settings, user().username, backend, now())
        audit(uow, "nlu_train", "training_job", job_id, {"backend": backend})
        return job_id

    try:
        job_id = pakn.uow().run(queue)
    except training.JobRunning as running:
        flash(NT.JOB_RUNNING.format(id=running.job_id), "error")
        return redirect(url_for("console_nlu_training.job", job_id=running.job_id))
    run_training_job(pakn.session_factory, pakn.settings, job_id)
    flash(NT.JOB_STARTED.format(id=job_id), "success")
    return redirect(url_for("console_nlu_training.job", job_id=job_id))


def _job(job_id: int) -> dict[str, Any]:
    with components().read() as db:
        return training.get_job(db, job_id) or abort(404)


@blueprint.get("/jobs/<int:job_id>.json")
@roles_required(ADMIN)
def job_status(job_id: int) -> Any:
    job = _job(job_id)
    return {"id": job["id"], "status": job["status"], "progress": job["progress"],
            "stage": NT.JOB_STAGES.get(job["stage"], job["stage"]),
            "status_text": NT.JOB_STATUS.get(job["status"], job["status"]),
            "done": job["status"] in ("succeeded", "failed")}


@blueprint.get("/jobs/<int:job_id>")
@roles_required(ADMIN)
def job(job_id: int) -> str:
    job = _job(job_id)
    store = _store()
    active = store.active_version()
    problems: list[dict[str, Any]] = []
    if job["status"] == "succeeded" and job["version"] and job["version"] != active:
        with components().read() as db:
            problems = training.activation_check(db, store, job["version"], _margin())
    report = job.get("report") or {}
    worse = worse_groups(report) if job["version"] and job["version"] != active else []
    return render_template("nlu/job.html", job=job, report=report, active=active,
                           problems=problems, margin=_margin(), worse=worse)


@blueprint.get("/jobs/<int:job_id>/confusion/<role>.png")
@roles_required(ADMIN)
def confusion_png(job_id: int, role: str) -> Any:
    path = ((_job(job_id).get("report") or {}).get("confusion") or {}).get(role)
    if not path or not Path(path).is_file():
        abort(404)
    return send_file(Path(path), mimetype="image/png", max_age=0)


def _trained_at(meta: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(meta.get("trained_at", ""))
    except ValueError:
        return None


@blueprint.get("/versions")
@roles_required(ADMIN)
def versions() -> str:
    store = _store()
    history = store.history()
    rows = [{**meta, "trained": _trained_at(meta)} for meta in reversed(store.versions())]
    return render_template("nlu/versions.html", versions=rows, active=store.active_version(),
                           history=set(history))


def _heldout_comparison(store: ModelStore, version: str, active: str) -> dict[str, Any]:
    """Held-out macro-F1 of `active` (before) and `version` (after) from their metadata."""
    new = store.metadata(version).get("metrics", {}).get("heldout") or {}
    old = store.metadata(active).get("metrics", {}).get("heldout") or {}
    table: dict[str, Any] = {}
    for view in VIEWS:
        table[view] = {}
        for name in LABEL_SETS:
            before, after = (old.get(view) or {}).get(name), (new.get(view) or {}).get(name)
            delta = None if before is None or after is None else round(after - before, 4)
            table[view][name] = {"before": before, "after": after, "delta": delta}
    return table


@blueprint.get("/versions/<version>/compare")
@roles_required(ADMIN)
def compare(version: str) -> Any:
    """What activating `version` changes, shown before the admin activates it: the training job's
    full comparison when one compared it with the active model, else both versions' held-out
    figures side by side."""
    store = _store()
    if not (store.root / version / "metadata.json").exists():
        abort(404)
    active = store.active_version()
    if active is None or active == version:
        return redirect(url_for("console_nlu_training.versions"))
    with components().read() as db:
        job = training.job_for(db, version, active)
        problems = training.activation_check(db, store, version, _margin())
    if job is not None:
        return redirect(url_for("console_nlu_training.job", job_id=job["id"]))
    meta = store.metadata(version)
    return render_template("nlu/compare.html", version=version, active=active, meta=meta,
                           trained=_trained_at(meta), macro_f1=_heldout_comparison(store, version, active),
                           problems=problems, margin=_margin())


@blueprint.post("/versions/<version>/activate")
@roles_required(ADMIN)
def activate(version: str) -> Any:
    """Activate a trained version: refused when worse than the active one, unless a note is given."""
    store = _store()
    note = request.form.get("note", "").strip()[:1000]
    back = request.form.get("back") or url_for("console_nlu_training.versions")
    if not back.startswith("/console/"):
        back = url_for("console_nlu_training.versions")
    if not (store.root / version / "metadata.json").exists():
        flash(NT.UNKNOWN_VERSION.format(version=version), "error")
        return redirect(back)
    previous = store.active_version()
    with components().read() as db:
        problems = training.activation_check(db, store, version, _margin())
    if problems and not note:
        flash(NT.NOT_EVALUATED if problems[0].get("not_evaluated")
              else NT.ACTIVATION_REFUSED.format(margin=_margin()), "error")
        return redirect(back)
    worse = _worse_groups(version)
    if worse and request.form.get("confirm_groups") != "1":
        flash(NT.GROUPS_WORSE_UNCONFIRMED.format(n=len(worse)), "error")
        return redirect(back)
    store.activate(version)  # the model store's files; the audit row records who and why
    audited("nlu_activate_override" if problems else "nlu_activate", "nlu_model", version,
            {"previous": previous, "note": note, "problems": problems,
             "worse_groups": [g["procedure"] for g in worse]})
    components().nlu.reload_if_changed(force=True)
    flash(NT.ACTIVATED.format(version=version), "success")
    return redirect(back)


@blueprint.post("/versions/<version>/rollback")
@roles_required(ADMIN)
def rollback(version: str) -> Any:
    """One click back to any earlier active version (no comparison: it served before)."""
    store = _store()
    if version not in store.history() or not (store.root / version / "metadata.json").exists():
        flash(NT.UNKNOWN_VERSION.format(version=version), "error")
        return redirect(url_for("console_nlu_training.versions"))
    previous = store.active_version()
    store.activate(version)
    audited("nlu_rollback", "nlu_model", version, {"previous": previous})
    components().nlu.reload_if_changed(force=True)
    flash(NT.ROLLED_BACK.format(version=version), "success")
    return redirect(url_for("console_nlu_training.versions"))
