"""What the console needs from the running application, as a type: the app factory stores the
object (bot.components.Components) in `app.extensions["pakn"]`; console modules read it here and
never import the composition root, so no import runs back up from the console to `bot/`."""
from __future__ import annotations

from typing import Any, ContextManager, Protocol

from flask import current_app
from sqlalchemy.orm import Session, sessionmaker

from channels.base import Channel
from intake.notifier import OutboxNotifier
from intake.pipeline import Pipeline
from intake.processor import InboundProcessor
from nlu.service import NluService
from outbox.dispatcher import Dispatcher
from routing.national import NationalConfig, NationalGateway
from routing.services import CaseContext
from settings import Settings
from storage.catalogue_files import LiveCatalogue
from storage.data_documents import WorkingCopy
from storage.unit_of_work import SqlUnitOfWork


class Services(Protocol):
    settings: Settings
    engine: Any
    session_factory: sessionmaker[Session]
    ctx: CaseContext
    nlu: NluService
    channels: dict[str, Channel]
    pipeline: Pipeline
    processor: InboundProcessor
    dispatcher: Dispatcher
    notifier: OutboxNotifier
    live_catalogue: LiveCatalogue
    national: NationalConfig
    national_gateway: NationalGateway
    nlu_data: WorkingCopy

    def uow(self) -> SqlUnitOfWork:
        """The unit of work every write goes through: `uow().run(lambda uow: service(uow, ...))`."""

    def read(self) -> ContextManager[Session]:
        """A session for the read-side query modules; it refuses to write."""


def components() -> Services:
    """The application's services for the request being served."""
    return current_app.extensions["pakn"]  # type: ignore[no-any-return]
