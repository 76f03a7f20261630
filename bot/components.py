"""The running application's parts, built once per process: the composition root's object graph.

A leaf: it imports the layers and nothing imports it back but the entry points in `bot/`. The console
reads the same object through `console.deps`, typed by what it needs.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ContextManager

from flask import current_app
from sqlalchemy.orm import Session

from channels.base import Channel
from channels.registry import build_channels
from intake.attachments import AttachmentDownloader, DownloadPolicy
from intake.attempts import ChatLookupLimits, Limit
from intake.data_requests import record_request
from intake.dialogue import Dialogue
from intake.notifier import OutboxNotifier
from outbox.staff_email import build_mailer
from intake.pipeline import Pipeline
from intake.processor import InboundProcessor
from nlu.contact_reader import ActiveContacts
from nlu.entities import EntityExtractor
from nlu.factory import build_nlu_service
from nlu.service import NluService
from outbox.dispatcher import Dispatcher
from outbox.national import DisabledGateway, build_gateway
from outbox.profiles import ProfileFetcher
from routing.national import NationalConfig, NationalGateway
from routing.services import CaseContext
from settings import NationalSettings, Settings, to_dict
from storage.catalogue_files import (
    LiveCatalogue,
    deadline_policy,
    load_catalogue,
    load_sipas_criteria,
    load_ward_aliases,
)
from storage import data_documents as dd
from storage.data_documents import WorkingCopy
from storage.db import make_ack_engine, make_engine, make_session_factory
from storage.reading import read_session
from storage.unit_of_work import SqlUnitOfWork
from storage.uploads import FileStore

logger = logging.getLogger(__name__)


@dataclass
class Components:
    """Everything a request, a CLI command or a background thread needs."""

    settings: Settings
    engine: Any
    session_factory: Any
    ctx: CaseContext
    nlu: NluService
    channels: dict[str, Channel]
    pipeline: Pipeline
    processor: InboundProcessor
    dispatcher: Dispatcher
    notifier: OutboxNotifier
    live_catalogue: LiveCatalogue
    downloader: AttachmentDownloader
    nlu_data: WorkingCopy  # this process's files of the training data in the database
    stop: threading.Event = field(default_factory=threading.Event)
    scheduler: Any = None
    mailer: Any = None  # routing.ports.StaffMailer, or None: no SMTP server configured
    national: NationalConfig = field(  # settings.national, checked
        default_factory=lambda: NationalConfig.from_settings(to_dict(NationalSettings())))
    national_gateway: NationalGateway = field(default_factory=DisabledGateway)
    outbox_thread: threading.Thread | None = None
    scheduler_lock: Any = None  # storage.leader.SingleActive, once start_scheduler was called

    def uow(self) -> SqlUnitOfWork:
        """A unit of work for a service call: `pakn.uow().run(lambda uow: service(uow, ...))`."""
        return SqlUnitOfWork(self.session_factory)

    def read(self) -> ContextManager[Session]:
        """A session for read-side queries only (storage.reading): it refuses writes."""
        return read_session(self.session_factory)

    def start_background(self) -> None:
        """Start inbound processing and the outbox dispatcher where this process owns them."""
        inbound = self.settings.inbound
        self.start_workers(inbound.threads if inbound.process_in_server else 0,
                           self.settings.outbox.dispatch_in_server)

    def start_workers(self, inbound_threads: int, outbound: bool) -> None:
        """`inbound_threads` inbound workers, and the outbox dispatcher if `outbound`."""
        if inbound_threads > 0:
            self.processor.start(inbound_threads)
        if outbound:  # the outbox, and attachment downloads, which also call the platforms
            self.outbox_thread = threading.Thread(target=self.dispatcher.run_forever,
                                                  args=(self.stop,), name="outbox", daemon=True)
            self.outbox_thread.start()
            threading.Thread(target=self.downloader.run_forever, args=(self.stop,),
                             name="attachments", daemon=True).start()

    def start_scheduler(self) -> None:
        """Start the scheduler once this process holds the single-active lock (storage/leader.py):
        any number of processes may call this; one runs the jobs, the others wait as standbys."""
        from bot.scheduler import build_scheduler
        from storage.leader import SingleActive

        self.scheduler_lock = SingleActive(self.engine, "scheduler")
        wait = self.settings.scheduler.standby_seconds

        def lead() -> None:
            announced = False
            while not self.stop.is_set():
                if self.scheduler_lock is not None and self.scheduler_lock.try_acquire():
                    self.scheduler = build_scheduler(self)
                    self.scheduler.start()
                    logger.info("scheduler active in this process")
                    return
                if not announced:
                    logger.info("scheduler standby: another process is the active one")
                    announced = True
                self.stop.wait(wait)

        threading.Thread(target=lead, name="scheduler-leader", daemon=True).start()

    def scheduler_lost(self) -> bool:
        """The active scheduler's lock went away (its database connection broke)."""
        return self.scheduler is not None and self.scheduler_lock is not None \
            and not self.scheduler_lock.still_held()

    def shutdown(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        if self.scheduler_lock is not None:
            self.scheduler_lock.release()
        self.stop.set()
        self.dispatcher.wakeup.set()
        self.downloader.wakeup.set()
        self.processor.stop()
        if self.outbox_thread is not None:  # the rows in hand are finished first
            self.outbox_thread.join(timeout=15)
        if self.processor.ack_engine is not self.engine:
            self.processor.ack_engine.dispose()


def build_components(settings: Settings, background: bool = True) -> Components:
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    seed_documents(session_factory, settings)  # a database set up before migration 0020
    check = settings.catalogue_check_seconds
    catalogue_copy = WorkingCopy(session_factory, dd.CATALOGUE, check)
    nlu_data = WorkingCopy(session_factory, dd.NLU, check)
    catalogue_dir = catalogue_copy.directory
    catalogue = load_catalogue(catalogue_dir)
    ctx = CaseContext(catalogue, deadline_policy(catalogue, settings.deadlines))
    extractor = EntityExtractor(catalogue, load_ward_aliases(catalogue_dir))
    live = LiveCatalogue(catalogue, catalogue_copy, on_change=extractor.use_catalogue)
    nlu = build_nlu_service(settings.nlu, catalogue, extractor)  # Rasa in front when configured
    channels = build_channels(settings.channels)
    dispatcher = build_dispatcher(settings, session_factory, channels)
    criteria = load_sipas_criteria(catalogue_dir)
    dialogue = Dialogue(catalogue, criteria, ctx.policy.answer_days)
    notifier = OutboxNotifier(catalogue, criteria, dialogue)
    public = settings.public
    lookups = ChatLookupLimits(
        Limit("chat_lookup", public.lookup_attempts, public.lookup_window_seconds),
        Limit("chat_lookup_sender", public.lookup_attempts_per_address, public.lookup_window_seconds))
    pipeline = Pipeline(lambda: SqlUnitOfWork(session_factory), nlu, dialogue, ctx,
                        on_queued=dispatcher.wakeup.set, lookup_limits=lookups,
                        before_message=live.refresh_if_changed, notifier=notifier,
                        contacts=ActiveContacts(nlu.store),  # contact details read from any message
                        data_requests=record_request)
    downloader = AttachmentDownloader(lambda: SqlUnitOfWork(session_factory), channels,
                                      FileStore.from_settings(settings.uploads),
                                      DownloadPolicy.from_settings(settings.uploads))
    processor = InboundProcessor(pipeline, session_factory, background=background,
                                 settings=settings.inbound, ack_engine=make_ack_engine(engine),
                                 after_process=downloader.register)
    national = NationalConfig.from_settings(to_dict(settings.national))
    return Components(settings, engine, session_factory, ctx, nlu, channels, pipeline, processor,
                      dispatcher, notifier, live, downloader, nlu_data, mailer=build_mailer(settings.email),
                      national=national, national_gateway=build_gateway(national))


def seed_documents(session_factory: Any, settings: Settings) -> None:
    """The repository's catalogue and training data into the database, when it has none yet."""
    now = datetime.now(timezone.utc)
    dd.seed(session_factory, dd.CATALOGUE, Path(settings.catalogue_dir), now)
    dd.seed(session_factory, dd.NLU, Path(settings.nlu.data_dir), now)


def build_dispatcher(settings: Settings, session_factory: Any,
                     channels: dict[str, Channel]) -> Dispatcher:
    """The outbox dispatcher, with Zalo's database-backed tokens and ZNS settings wired in."""
    zalo = settings.channels.zalo
    if "zalo" in channels:
        from outbox.zalo_tokens import install
        install(session_factory, channels["zalo"], zalo)  # type: ignore[arg-type]
    zns = {"template_id": zalo.zns_template_id, "params": dict(zalo.zns_template_params)}
    profiles = ProfileFetcher(session_factory, channels)  # names from Messenger's and Zalo's profiles
    return Dispatcher(session_factory, channels, settings.outbox, zns=zns,
                      after_sent=profiles.after_sent)


def current() -> Components:
    """The components of the app serving this request."""
    return current_app.extensions["pakn"]  # type: ignore[no-any-return]
