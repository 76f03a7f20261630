"""Training as a background job: validate, train, cross-validate, compare with the active model.

A job is a row of `training_jobs` (status, progress 0-100, stage, the comparison report) and a
thread in the process that started it; pages poll the row. One job at a time. Activation is a
separate, explicit step (`activate_version`), refused when the candidate is worse than the active
model beyond `nlu.activation_margin` unless an admin gives a note.
"""
from __future__ import annotations

import logging
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from nlu.models import ModelStore
from nlu.training import data_edits
from settings import Settings
from storage.orm import training_jobs

logger = logging.getLogger(__name__)
ACTIVE_STATUSES = ("queued", "running")
STALE_SECONDS = 6 * 3600  # a job "running" this long died with its process


class JobRunning(Exception):
    def __init__(self, job_id: int) -> None:
        super().__init__(f"training job {job_id} is still running")
        self.job_id = job_id


def _now() -> datetime:
    return datetime.now(timezone.utc)


def get_job(session: Session, job_id: int) -> dict[str, Any] | None:
    row = session.execute(sa.select(training_jobs).where(training_jobs.c.id == job_id)).first()
    return dict(row._mapping) if row else None


def recent_jobs(session: Session, limit: int = 20) -> list[dict[str, Any]]:
    rows = session.execute(sa.select(training_jobs).order_by(training_jobs.c.id.desc()).limit(limit))
    return [dict(r._mapping) for r in rows]


def running_job(session: Session, now: datetime) -> int | None:
    row = session.execute(sa.select(training_jobs.c.id, training_jobs.c.created_at)
                          .where(training_jobs.c.status.in_(ACTIVE_STATUSES))
                          .order_by(training_jobs.c.id.desc())).first()
    if row is None:
        return None
    if (now - row.created_at).total_seconds() > STALE_SECONDS:
        session.execute(training_jobs.update().where(training_jobs.c.id == row.id)
                        .values(status="failed", error="abandoned", finished_at=now))
        return None
    return int(row.id)


def _update(session_factory: Any, job_id: int, **values: Any) -> None:
    with session_factory() as session:
        session.execute(training_jobs.update().where(training_jobs.c.id == job_id).values(**values))
        session.commit()


def preflight(data_dir: Path, catalogue_dir: Path) -> list[str]:
    """The validator's problems, plus catalogue procedures that have no training examples at all."""
    from nlu.training.review_data import intent_counts
    from nlu.training.validate import validate
    from storage.catalogue_files import load_catalogue

    problems = validate(data_dir, catalogue_dir)
    counts = intent_counts(data_dir)
    for procedure in load_catalogue(catalogue_dir).procedures:
        if f"phan_anh__{procedure}" not in counts:
            problems.append(f"catalogue procedure {procedure!r} has no training examples "
                            f"(intent phan_anh__{procedure}); add them before training")
    return problems


def run_job(session_factory: Any, settings: Settings, job_id: int) -> None:
    def progress(value: int, stage: str) -> None:
        _update(session_factory, job_id, progress=value, stage=stage)

    _update(session_factory, job_id, status="running", started_at=_now(), stage="validate", progress=2)
    try:
        with tempfile.TemporaryDirectory(prefix="pakn-training-") as temporary:
            with session_factory() as session:
                backend = (get_job(session, job_id) or {}).get("backend", "builtin")
                data = data_edits.snapshot(session, Path(temporary))  # the database's data, now
            outcome = _run(settings, job_id, backend, progress, *data)
    except Exception as error:  # the job reports any failure; the web process keeps serving
        logger.exception("training job %s failed", job_id)
        _update(session_factory, job_id, status="failed", error=str(error)[:2000] or type(error).__name__,
                finished_at=_now())
        return
    if "problems" in outcome:
        _update(session_factory, job_id, status="failed", stage="validate", problems=outcome["problems"],
                error="validation", finished_at=_now())
        return
    _update(session_factory, job_id, status="succeeded", progress=100, stage="done", finished_at=_now(),
            **outcome)


def _labeller(settings: Settings, catalogue_dir: Path) -> Any:
    from nlu.entities import EntityExtractor
    from nlu.training.evaluate import Labeller
    from storage.catalogue_files import load_catalogue, load_ward_aliases

    catalogue = load_catalogue(catalogue_dir)
    return Labeller(catalogue, EntityExtractor(catalogue, load_ward_aliases(catalogue_dir)),
                    settings.nlu.threshold)


def _cross_validation(data_dir: Path, labeller: Any, folds: int,
                      progress: Callable[[int, str], None]) -> dict[str, Any] | None:
    from nlu.builtin import BuiltinModel
    from nlu.data import load_training_data
    from nlu.training.evaluate import cross_validate, scores, summary

    if folds < 2:
        return None
    done = [0]

    def train(examples: list[tuple[str, str]]) -> BuiltinModel:
        model = BuiltinModel.train(examples)
        done[0] += 1
        progress(40 + 30 * done[0] // folds, "cross_validation")
        return model

    examples = load_training_data(data_dir).examples
    oof = cross_validate(examples, train, labeller, folds)
    return {"folds": folds, "examples": len(examples),
            **summary(scores(oof.gold, oof.labels(labeller), labeller.catalogue))}


def _run(settings: Settings, job_id: int, backend: str, progress: Callable[[int, str], None],
         data_dir: Path, catalogue_dir: Path) -> dict[str, Any]:
    from nlu.training.compare import activation_problems, compare, evaluate_version, metrics_summary
    from nlu.training.evaluate import load_heldout

    nlu = settings.nlu
    problems = preflight(data_dir, catalogue_dir)
    if problems:
        return {"problems": problems}
    store = ModelStore(Path(nlu.models_dir))
    baseline = store.active_version()
    progress(10, "train")
    with _training_lock:
        if backend == "rasa":
            version, _ = store.train_rasa(data_dir, Path(nlu.rasa.venv),
                                          timeout=nlu.rasa.train_timeout_seconds)
        else:
            version, _ = store.train_builtin(data_dir)
    labeller = _labeller(settings, catalogue_dir)
    cv = _cross_validation(data_dir, labeller, nlu.review.cv_folds
                           if store.metadata(version)["backend"] == "builtin" else 0, progress)
    progress(72, "evaluate")
    rows = load_heldout(Path(nlu.review.heldout))
    candidate = evaluate_version(settings, store, version, rows, labeller)
    progress(82, "evaluate")
    base = None
    if baseline and baseline != version and (store.root / baseline / "metadata.json").exists():
        base = evaluate_version(settings, store, baseline, rows, labeller)
    progress(92, "compare")
    report = compare(rows, candidate, base, store.root.parent / "reports", f"nlu-job-{job_id}")
    previous_cv = store.metadata(baseline).get("metrics", {}).get("cv") if base and baseline else None
    report["cv"] = {"after": cv, "before": previous_cv}
    report["same_as_active"] = version == baseline
    report["activation_problems"] = activation_problems(report, nlu.activation_margin)
    report["examples"] = store.metadata(version).get("examples")
    metrics = metrics_summary(candidate, labeller.threshold)
    if cv:
        metrics["cv"] = cv
    store.set_metrics(version, metrics)
    return {"version": version, "baseline_version": baseline, "report": report}


_training_lock = threading.Lock()


def job_for(session: Session, version: str, baseline: str | None) -> dict[str, Any] | None:
    """The newest successful job that compared `version` against `baseline`."""
    row = session.execute(sa.select(training_jobs).where(
        training_jobs.c.status == "succeeded", training_jobs.c.version == version,
        training_jobs.c.baseline_version == baseline).order_by(training_jobs.c.id.desc())).first()
    return dict(row._mapping) if row else None


def activation_check(session: Session, store: ModelStore, version: str, margin: float
                     ) -> list[dict[str, Any]]:
    """Why activating `version` would make things worse than the active model (empty: fine).

    Uses the comparison of a training job against the current active model; without one, the
    held-out figures in both versions' metadata; without those, "not evaluated".
    """
    from nlu.training.compare import LABEL_SETS, VIEWS, activation_problems

    active = store.active_version()
    if active is None or active == version:
        return []
    job = job_for(session, version, active)
    if job is not None:
        return activation_problems(job["report"] or {}, margin)
    new = store.metadata(version).get("metrics", {}).get("heldout")
    old = store.metadata(active).get("metrics", {}).get("heldout")
    if not new or not old:
        return [{"view": "-", "label_set": "-", "before": None, "after": None, "delta": None,
                 "not_evaluated": True}]
    report = {"macro_f1": {view: {name: {"before": old[view][name], "after": new[view][name],
                                         "delta": round(new[view][name] - old[view][name], 4)}
                                  for name in LABEL_SETS} for view in VIEWS if view in new and view in old}}
    return activation_problems(report, margin)
