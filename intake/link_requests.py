"""Staff ask to link a hotline case to a citizen's chat: record the request and, when that chat
exists, put the question to the citizen through the dialogue, in the caller's unit of work."""
from __future__ import annotations

from datetime import datetime, timedelta

from intake.dialogue import Dialogue
from intake.dialogue_events import store
from intake.notifier import queue_reply
from routing import chat_link_services, chat_links
from routing.model import Case
from routing.ports import AbstractUnitOfWork

KIND = "link"  # outbox kind: not a reply (quotes nothing), not a status push (never sent by ZNS)


def request_chat_link(uow: AbstractUnitOfWork, dialogue: Dialogue, case: Case, channel: str,
                      sender_id: str, requested_by: str, unit: str, now: datetime,
                      valid_for: timedelta) -> chat_links.LinkRequest:
    """The case stays unlinked; the citizen, if that chat has ever written to the bot, is asked.

    What the caller sees must not depend on whether the chat exists: it gets the request either way.
    """
    request = chat_link_services.request_link(uow, case, channel, sender_id, requested_by, unit, now,
                                      valid_for)
    if request.conversation_id is None:
        return request
    conversation = uow.conversations.get(request.conversation_id)
    assert conversation is not None
    step = dialogue.link_requested(conversation.state, conversation.slots or {},
                                   {"id": request.id, "code": case.code, "unit": unit})
    store(conversation, step)
    for reply in step.replies:
        queue_reply(uow, conversation, reply, now, kind=KIND)
    return request
