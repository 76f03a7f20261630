"""The bot under test: the real components (SQLite file, catalogue, built-in NLU model, pipeline,
services) built in process the way `python -m bot shell` builds them, and the staff side that a
scripted conversation needs after filing (answer, close and survey, ask for more information).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
STAFF = "roleplay-staff"


@dataclass(frozen=True)
class BotReply:
    text: str
    buttons: tuple[tuple[str, str], ...]  # (title, payload)


@dataclass(frozen=True)
class FiledCase:
    code: str
    status: str
    text: str
    procedure: str | None
    agency: str | None
    ward: str | None
    name: str
    phone: str
    address: str
    timeline: tuple[str, ...]  # notes and data of its events, and the inbound messages linked to it


def _buttons(reply: Any) -> tuple[tuple[str, str], ...]:
    found = []
    for button in getattr(reply, "quick_replies", ()) or ():
        if isinstance(button, (tuple, list)):
            found.append((str(button[0]), str(button[1])))
        else:
            found.append((str(getattr(button, "title", "")), str(getattr(button, "payload", ""))))
    return tuple(found)


class BotUnderTest:
    def __init__(self, components: Any) -> None:
        self.pakn = components

    @classmethod
    def build(cls, directory: Path, models_dir: Path) -> "BotUnderTest":
        from bot.components import build_components
        from bot.config import load_settings
        from storage.catalogue_files import load_catalogue
        from storage.db import make_engine, seed_catalogue, upgrade

        database_url = f"sqlite:///{directory / 'roleplay.db'}"
        upgrade(database_url)
        engine = make_engine(database_url)
        seed_catalogue(engine, load_catalogue(ROOT / "catalogue"))
        engine.dispose()
        settings = load_settings(overrides={
            "database_url": database_url, "catalogue_dir": str(ROOT / "catalogue"),
            "nlu": {"backend": "builtin", "models_dir": str(models_dir)}})
        components = build_components(settings, background=False)
        components.nlu.reload_if_changed()
        return cls(components)

    def close(self) -> None:
        self.pakn.shutdown()
        self.pakn.engine.dispose()

    def send(self, sender: str, text: str, payload: str | None = None) -> list[BotReply]:
        from channels.base import IncomingMessage

        incoming = IncomingMessage("webchat", sender, uuid.uuid4().hex, text, datetime.now(timezone.utc),
                                   payload=payload)
        return [BotReply(str(r.text), _buttons(r)) for r in self.pakn.pipeline.handle(incoming).replies]

    def case_codes(self, sender: str) -> list[str]:
        with self.pakn.engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT code FROM cases WHERE sender_id = :s ORDER BY id"),
                                      {"s": sender})
            return [row[0] for row in rows]

    def case(self, code: str) -> FiledCase:
        with self.pakn.uow() as uow:
            case = uow.cases.get(code)
            timeline = [f"{e.kind} {e.note} {e.data}" for e in case.events]
            status = str(getattr(case.status, "value", case.status))
            found = FiledCase(case.code, status, case.text, case.procedure_id, case.agency_id, case.ward,
                              case.citizen_name, case.citizen_phone, case.citizen_address, ())
        with self.pakn.engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT text FROM messages WHERE case_code = :c "
                                              "AND direction = 'in'"), {"c": code})
            timeline += [row[0] for row in rows]
        return FiledCase(**{**found.__dict__, "timeline": tuple(timeline)})

    # -- staff ------------------------------------------------------------------------------------

    def _act(self, name: str, code: str, form: dict[str, str]) -> None:
        from console.case_actions import perform

        with self.pakn.uow() as uow:
            perform(name, uow, self.pakn, code, form, STAFF, datetime.now(timezone.utc))
            uow.commit()

    def answer(self, code: str, answer: str, ward: str) -> None:
        """Forward (to the case's ward for commune-level agencies), start, answer."""
        self._act("forward", code, {"ward": ward})
        self._act("start", code, {})
        self._act("answer", code, {"answer": answer})

    def close_and_survey(self, code: str) -> None:
        self._act("close", code, {"unpublished_reason": "Nội dung có thông tin cá nhân."})
        with self.pakn.uow() as uow:
            self.pakn.notifier.ask_survey(uow, uow.cases.get(code), datetime.now(timezone.utc))
            uow.commit()

    def ask_info(self, code: str, text: str) -> None:
        self._act("ask_info", code, {"text": text})
