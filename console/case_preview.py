"""Before anything staff typed reaches a citizen, they see the exact message and confirm it.

The action is run in the unit of work as it would be done, the messages it queues for the citizen
are read back, and the transaction is rolled back: the preview is the text the notifier really
composes (unit names, due dates, the reason and the message), not an imitation of it. The
confirmation form carries a digest of that text; the action is committed only when the same
action, run again on confirmation, queues exactly the previewed text. If anything changed in
between (the message edited, the case moved on), staff get the new preview instead.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from routing.model import OutboxItem

STEP_CONFIRM = "confirm"
# Steps that cannot be taken back: confirmed on this page even when staff typed nothing extra.
IRREVERSIBLE = frozenset({"answer", "close"})
FORM_ONLY = frozenset({"csrf_token", "step", "preview_digest"})  # never part of the action itself


class RecordingOutbox:
    """The unit of work's outbox, remembering what an action queues for the citizen."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.items: list[OutboxItem] = []

    def add(self, item: OutboxItem) -> None:
        self.items.append(item)
        self.inner.add(item)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def watch_outbox(uow: Any) -> RecordingOutbox:
    recording = RecordingOutbox(uow.outbox)
    uow.outbox = recording
    return recording


def digest(code: str, action: str, texts: list[str]) -> str:
    """What the confirmation form carries to prove the staff member saw these very texts."""
    payload = json.dumps([code, action, texts], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Preview:
    """An action not done yet: the messages it would send, for staff to confirm."""

    code: str
    action: str
    texts: list[str]
    has_chat: bool
    changed: bool  # staff confirmed an earlier preview that no longer matches

    @property
    def digest(self) -> str:
        return digest(self.code, self.action, self.texts)


def confirmed(form: dict[str, str], preview: Preview) -> bool:
    """Staff pressed 'confirm' on a preview of exactly these messages."""
    return form.get("step") == STEP_CONFIRM and form.get("preview_digest") == preview.digest


def action_fields(form: dict[str, str]) -> dict[str, str]:
    """The fields that make up the action (what the audit log and the preview form carry)."""
    return {k: v for k, v in form.items() if k not in FORM_ONLY}
