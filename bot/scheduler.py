"""APScheduler jobs: reminders, escalations, the daily digest and surveys, in ONE process.

APScheduler cannot share a job store across processes, so exactly one process runs this:
`python -m bot scheduler`, or the server itself in the single-process `make run` mode
(scheduler.run_in_server). Every job recomputes what is due from the database and marks what it
did, so a restart or a missed run neither skips nor repeats anything.
"""
from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timezone
from typing import Any, Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from routing import jobs, staff_alerts
from routing.calendar import VIETNAM
from routing.privacy import RetentionPolicy
from storage.personal_data import apply_retention
from storage.uploads import FileStore
from storage.health_queries import beat

logger = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def run_deadline_jobs(pakn: Any, now: datetime) -> dict[str, int]:
    """Reminders, escalations and surveys: one transaction, one call per scheduler tick."""
    counts = pakn.uow().run(lambda uow: {
        "reminders": jobs.send_due_reminders(uow, pakn.ctx.policy, now),
        "escalations": jobs.escalate_overdue(uow, now),
        "surveys": jobs.start_surveys(uow, pakn.notifier, now)})
    if counts["surveys"]:
        pakn.dispatcher.wakeup.set()
    logger.info("deadline jobs at %s: %s", now.isoformat(), counts)
    counts["emails"] = run_email_job(pakn, now)  # overdue alerts right after the escalation
    counts["telegram_alerts"] = run_telegram_alert_job(pakn, now)
    return counts


def run_digest_job(pakn: Any, now: datetime) -> int:
    sent = pakn.uow().run(lambda uow: jobs.send_daily_digest(uow, pakn.ctx.policy, now))
    logger.info("daily digest at %s: %d units", now.isoformat(), sent)
    run_email_job(pakn, now)
    return sent


def run_email_job(pakn: Any, now: datetime) -> int:
    """E-mail the digests and overdue alerts not sent yet (nothing without an SMTP server)."""
    if pakn.mailer is None:
        return 0
    settings = pakn.settings
    base_url = settings.email.base_url or settings.public.base_url
    return pakn.uow().run(lambda uow: jobs.email_staff(uow, pakn.mailer, pakn.ctx.catalogue,
                                                       base_url, now))


def run_retention_job(pakn: Any, now: datetime) -> dict[str, int]:
    """Anonymise the cases that ended `privacy.retention_months` ago and delete the inbound events
    processed `privacy.inbound_days` ago, then delete the cases' files."""
    privacy = pakn.settings.privacy
    policy = RetentionPolicy(privacy.retention_months, privacy.inbound_days)
    removal = pakn.uow().run(lambda uow: apply_retention(uow, policy, now))
    missed = FileStore.from_settings(pakn.settings.uploads).delete_all(removal.files)
    counts = {"cases": len(removal.cases), "conversations": len(removal.conversations),
              "files": len(removal.files) - missed, "files_not_deleted": missed,
              "inbound_events": removal.events}
    logger.info("retention at %s (%d months, %d days): %s", now.isoformat(), policy.case_months,
                policy.inbound_days, counts)
    return counts


def run_telegram_alert_job(pakn: Any, now: datetime) -> int:
    """Queue new overdue escalations and delivery failures to staff's linked Telegram chats."""
    settings = pakn.settings
    if "telegram" not in pakn.channels or not settings.staff_alerts.telegram:
        return 0
    base_url = settings.email.base_url or settings.public.base_url
    queued = pakn.uow().run(lambda uow: staff_alerts.alert_staff_on_telegram(
        uow, pakn.ctx.catalogue, base_url, now))
    if queued:
        pakn.dispatcher.wakeup.set()
    return int(queued)


def build_scheduler(pakn: Any, scheduler: BaseScheduler | None = None,
                    clock: Clock = _utc_now) -> BaseScheduler:
    settings = pakn.settings.scheduler
    scheduler = scheduler or BackgroundScheduler(timezone=VIETNAM)
    hour, minute = (int(part) for part in settings.digest_time.split(":"))
    common = {"replace_existing": True, "coalesce": True, "max_instances": 1,
              "misfire_grace_time": None}
    scheduler.add_job(lambda: run_deadline_jobs(pakn, clock()), id="deadline_jobs",
                      trigger=IntervalTrigger(minutes=settings.interval_minutes),
                      next_run_time=datetime.now(VIETNAM), **common)
    scheduler.add_job(lambda: run_digest_job(pakn, clock()), id="daily_digest",
                      trigger=CronTrigger(hour=hour, minute=minute, timezone=VIETNAM), **common)
    hour, minute = (int(part) for part in pakn.settings.privacy.retention_time.split(":"))
    scheduler.add_job(lambda: run_retention_job(pakn, clock()), id="retention",
                      trigger=CronTrigger(hour=hour, minute=minute, timezone=VIETNAM), **common)
    scheduler.add_job(lambda: run_heartbeat(pakn, clock()), id="heartbeat",
                      trigger=IntervalTrigger(seconds=pakn.settings.observability.heartbeat_seconds),
                      next_run_time=datetime.now(VIETNAM), **common)
    return scheduler


def run_heartbeat(pakn: Any, now: datetime) -> None:
    """The scheduler is alive (read by /readyz and the metrics, from any process)."""
    process = f"{socket.gethostname()}:{os.getpid()}"
    pakn.uow().run(lambda uow: beat(uow.session, "scheduler", process, now))
