"""Services of the NLU review queue and of training jobs: each takes a unit of work, so the console
and the CLI run them with `uow.run(...)` (one transaction, with the staff action's audit row).

The persistence they use is nlu.training.review_queue and nlu.training.jobs, on the unit of work's
session; files (the reviewed training data, trained models) are written by those modules as before.
"""
from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from nlu.result import ParseResult
from nlu.training import jobs
from nlu.training import review_queue as rq
from routing.catalogue import Catalogue
from settings import Settings
from storage.orm import training_jobs
from storage.unit_of_work import SqlUnitOfWork


def collect_review_items(uow: SqlUnitOfWork, now: datetime, threshold: float, margin: float,
                         parse: Callable[[str], ParseResult] | None = None,
                         asked: rq.ContactQuestion | None = None) -> int:
    """New queue items from uncertain messages, staff corrections and transfers; how many.
    Answers to contact questions (`asked`: which detail a bot message asks for) are left out."""
    return rq.collect(uow.session, now, threshold, margin, parse, asked)


def next_pending(session: Any, after: int, source: str = "") -> int | None:
    """The id of the pending item after `after` (wrapping to the first): save-and-next."""
    return rq.next_pending(session, after, source)


def accept_review_item(uow: SqlUnitOfWork, item_id: int, decision: rq.Decision,
                       catalogue: Catalogue, reviewer: str, now: datetime) -> rq.Outcome:
    """Mask the item and add it to the reviewed training data (see review_queue.accept_item).
    Run it with `keep=lambda outcome: outcome.accepted`: a refused item changes nothing."""
    return rq.accept_item(uow.session, item_id, decision, catalogue, reviewer, now)


def reject_review_item(uow: SqlUnitOfWork, item_id: int, reviewer: str, now: datetime,
                       note: str = "") -> bool:
    """False when the item is not (or no longer) pending."""
    return rq.reject_item(uow.session, item_id, reviewer, now, note)


def queue_training_job(uow: SqlUnitOfWork, settings: Settings, requested_by: str,
                       backend: str | None, now: datetime) -> int:
    """A queued job row; its id. Raises jobs.JobRunning while another job runs (one at a time).
    Start it with `run_training_job` once the unit of work has committed."""
    running = jobs.running_job(uow.session, now)
    if running is not None:
        raise jobs.JobRunning(running)
    result: Any = uow.session.execute(training_jobs.insert().values(
        status="queued", progress=0, stage="queued",
        backend=backend or settings.nlu.backend, requested_by=requested_by,
        created_at=now))
    return int(result.inserted_primary_key[0])


def run_training_job(session_factory: Any, settings: Settings, job_id: int,
                     background: bool = True) -> None:
    """Train (in a thread of this process unless `background` is False); the job row tells how
    it goes, in its own short transactions (jobs.run_job)."""
    if background:
        threading.Thread(target=jobs.run_job, args=(session_factory, settings, job_id),
                         name=f"nlu-training-{job_id}", daemon=True).start()
    else:
        jobs.run_job(session_factory, settings, job_id)
