"""The staff actions on a case: who may do each, from which statuses, and the service it calls.

What the state machine allows comes from routing.model.ALLOWED_TRANSITIONS; this table only adds
which role does what, so a page never offers an action the services would refuse.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from console import texts as T
from console.views import MissingInput
from intake.dialogue_events import Event, InfoRequestClosed, InfoRequested, store
from intake.notifier import queue_reply
from intake.messages import INFO_HOW_TO_FINISH
from intake.turns import AWAIT_INFO, INFO_MENU, Reply
from routing import services
from routing.model import ALLOWED_TRANSITIONS, Case, CaseStatus

S = CaseStatus
ALL = frozenset({"focal_point", "agency_staff", "admin"})
FOCAL = frozenset({"focal_point", "admin"})
# Actions whose status message may carry a message from staff ("Nhắn cho người dân").
TELLS_CITIZEN = frozenset({"forward", "transfer", "start", "publish", "close", "reopen", "reject",
                           "redirect"})
REASON_TOLD = frozenset({"transfer", "reopen", "reject"})  # the reason is told to the citizen
MESSAGE_LIMIT = 2000  # characters: a few short paragraphs, one message on every platform


@dataclass(frozen=True)
class CaseAction:
    name: str
    roles: frozenset[str]
    sources: frozenset[CaseStatus]  # statuses the action is offered from
    target: CaseStatus | None = None  # None: no status change

    def available(self, status: CaseStatus, role: str) -> bool:
        if role not in self.roles or status not in self.sources:
            return False
        return self.target is None or self.target in ALLOWED_TRANSITIONS[status]

    @property
    def label(self) -> str:
        return T.ACTION_LABELS[self.name]

    @property
    def tells_citizen(self) -> bool:
        """Its form offers an optional message to the citizen, sent with the status message."""
        return self.name in TELLS_CITIZEN


ACTIONS = {a.name: a for a in (
    CaseAction("reclassify", FOCAL, frozenset({S.RECEIVED, S.CLASSIFIED, S.FORWARDED, S.REOPENED})),
    CaseAction("forward", FOCAL, frozenset({S.CLASSIFIED, S.REOPENED}), S.FORWARDED),
    CaseAction("transfer", ALL, frozenset({S.FORWARDED, S.IN_PROGRESS, S.REOPENED}), S.FORWARDED),
    CaseAction("start", ALL, frozenset({S.FORWARDED, S.REOPENED}), S.IN_PROGRESS),
    CaseAction("ask_info", ALL, frozenset({S.CLASSIFIED, S.FORWARDED, S.IN_PROGRESS, S.REOPENED})),
    CaseAction("close_info", ALL, frozenset(S)),
    CaseAction("answer", ALL, frozenset({S.IN_PROGRESS}), S.ANSWERED),
    CaseAction("publish", FOCAL, frozenset({S.ANSWERED}), S.PUBLISHED),
    CaseAction("close", ALL, frozenset({S.ANSWERED, S.PUBLISHED}), S.CLOSED),
    CaseAction("reopen", FOCAL, frozenset({S.ANSWERED, S.PUBLISHED, S.CLOSED}), S.REOPENED),
    CaseAction("reject", FOCAL, frozenset({S.RECEIVED, S.CLASSIFIED}), S.REJECTED),
    CaseAction("redirect", FOCAL, frozenset({S.RECEIVED, S.CLASSIFIED}), S.REDIRECTED),
)}


def available_actions(case: Case, role: str) -> list[CaseAction]:
    status = CaseStatus(case.status)
    return [a for a in ACTIONS.values() if a.available(status, role)
            and (a.name != "ask_info" or case.conversation_id is not None)
            and (a.name != "close_info" or info_request_open(case))]


def info_request_open(case: Case) -> bool:
    """Staff asked for information and neither the citizen nor staff ended the request since."""
    for event in reversed(case.events):
        if event.kind in ("info_done", "info_closed"):
            return False
        if event.kind == "ask_info":
            return case.conversation_id is not None
    return False


def _required(form: dict[str, str], name: str, message: str) -> str:
    value = (form.get(name) or "").strip()
    if not value:
        raise MissingInput(message)
    return value


def citizen_text(name: str, form: dict[str, str]) -> str:
    """What staff typed for the citizen in this form (message, or a reason that is told)."""
    parts = [form.get("reason") or ""] if name in REASON_TOLD else []
    if name in TELLS_CITIZEN:
        parts.append(form.get("citizen_message") or "")
    return "\n".join(p.strip() for p in parts if p.strip())


def needs_confirmation(name: str, form: dict[str, str]) -> bool:
    """Staff see the exact message before anything they typed is sent to the citizen."""
    return bool(citizen_text(name, form))


def _message(name: str, form: dict[str, str], case: Case) -> str:
    """The optional message to the citizen; none where the case has no chat to send it to."""
    message = (form.get("citizen_message") or "").strip() if name in TELLS_CITIZEN else ""
    if len(message) > MESSAGE_LIMIT:
        raise MissingInput(T.MESSAGE_TOO_LONG.format(limit=MESSAGE_LIMIT))
    return message if case.conversation_id is not None else ""


def perform(name: str, uow: Any, pakn: Any, code: str, form: dict[str, str], actor: str,
            now: datetime) -> Case:
    """Run one action through routing.services with the real notifier.

    Raises:
        DomainError (MissingInput, InvalidTransition, UnknownAgency, ...).
    """
    n, ctx = pakn.notifier, pakn.ctx
    note = (form.get("note") or "").strip()  # internal: never passed to anything the citizen sees
    told = _message(name, form, services.lookup_case(uow, code))
    handlers: dict[str, Callable[[], Case]] = {
        "forward": lambda: services.forward_case(uow, n, ctx, code, actor, now,
                                                 agency_id=form.get("agency_id") or None, note=note,
                                                 ward=form.get("ward") or None, citizen_message=told),
        "transfer": lambda: services.transfer_case(
            uow, n, ctx, code, _required(form, "agency_id", T.AGENCY_REQUIRED),
            _required(form, "reason", T.REASON_REQUIRED), actor, now, ward=form.get("ward") or None,
            note=note, citizen_message=told),
        "reclassify": lambda: services.reclassify_case(
            uow, ctx, code, _required(form, "procedure_id", T.PROCEDURE_REQUIRED), actor, now, note),
        "start": lambda: services.start_handling(uow, n, code, actor, now, note, citizen_message=told),
        "answer": lambda: services.answer_case(uow, n, code, _required(form, "answer", T.ANSWER_REQUIRED),
                                               actor, now, note=note),
        "publish": lambda: services.publish_reviewed_case(uow, n, code, actor, now, note,
                                                          citizen_message=told),
        "close": lambda: services.close_case(uow, n, code, actor, now, note,
                                             (form.get("unpublished_reason") or "").strip(),
                                             citizen_message=told),
        "reopen": lambda: services.reopen_case(uow, n, ctx, code,
                                               _required(form, "reason", T.REASON_REQUIRED), actor, now,
                                               note=note, citizen_message=told),
        "reject": lambda: services.reject_case(uow, n, code, _required(form, "reason", T.REASON_REQUIRED),
                                               actor, now, note=note, citizen_message=told),
        "redirect": lambda: services.redirect_case(uow, n, code, actor, now, note, citizen_message=told),
        "ask_info": lambda: _ask_info(uow, pakn, code, _required(form, "text", T.TEXT_REQUIRED), actor,
                                      now, note),
        "close_info": lambda: _close_info(uow, pakn, code, actor, now),
    }
    return handlers[name]()


def _ask_info(uow: Any, pakn: Any, code: str, text: str, actor: str, now: datetime,
              note: str = "") -> Case:
    """Ask the citizen for more information on their channel; the request goes on the timeline, and
    the dialogue sends what the citizen answers to the case until they say it is all."""
    case = services.lookup_case(uow, code)
    conversation = uow.conversations.get(case.conversation_id) if case.conversation_id else None
    if conversation is None:
        raise MissingInput(T.NO_CONVERSATION)
    step = _tell_dialogue(pakn, conversation, InfoRequested(case.code))
    asked = f"{T.ASK_INFO_PREFIX.format(code=case.code, text=text)}\n{INFO_HOW_TO_FINISH}"
    queue_reply(uow, conversation, Reply(asked, INFO_MENU if step.state == AWAIT_INFO else ()), now,
                kind="status", case_code=case.code, author=actor)
    case.record(now, actor, "ask_info", note, citizen_message=text)
    return case


def _close_info(uow: Any, pakn: Any, code: str, actor: str, now: datetime) -> Case:
    """Staff have what they need: the citizen's messages are read as usual again, and told so."""
    case = services.lookup_case(uow, code)
    conversation = uow.conversations.get(case.conversation_id) if case.conversation_id else None
    if conversation is not None:
        _tell_dialogue(pakn, conversation, InfoRequestClosed(case.code))
        queue_reply(uow, conversation, Reply(T.INFO_REQUEST_CLOSED.format(code=case.code)), now,
                    kind="status", case_code=case.code, author=actor)
    return services.end_info_request(uow, code, actor, now)


def _tell_dialogue(pakn: Any, conversation: Any, event: Event) -> Any:
    step = pakn.notifier.dialogue.on_event(conversation.state, conversation.slots, event)
    store(conversation, step)
    return step
