"""How much one browser and one address may send to the web chat (issue 17): messages per chat
session and per client address in a short window, and new chat sessions per address, counted in
the database for every server process (intake.attempts) before the message is read further. The
client's address is the one ProxyFix takes from X-Forwarded-For behind the trusted hops."""
from __future__ import annotations

from flask import Response, jsonify, session

from bot import webchat_texts as W
from bot.components import current as components
from console.limits import address, minutes, try_attempt
from intake.attempts import Checks, Limit

STARTED_KEY = "webchat_started"  # the session has sent a message (counted as a new session once)
BODY_LIMIT = 32 * 1024  # a JSON message: 4,000 characters of text, escaped, and a short payload


def refused(sender: str) -> tuple[Response, int] | None:
    """A 429 with a Vietnamese sentence the page shows, or None when the message may go ahead
    (it is then counted)."""
    wait = try_attempt(_checks(sender, new_session=not session.get(STARTED_KEY)))
    if wait:
        response = jsonify(error=W.TOO_MANY.format(minutes=minutes(wait)), reason="rate_limited",
                           retry_after=wait)
        response.headers["Retry-After"] = str(wait)
        return response, 429
    session[STARTED_KEY] = True
    return None


def _checks(sender: str, new_session: bool) -> Checks:
    options = components().settings.public
    window, where = options.chat_window_seconds, address()
    checks = [(Limit("webchat_session", options.chat_messages_per_session, window), sender),
              (Limit("webchat_address", options.chat_messages_per_address, window), where)]
    if new_session:  # a script that drops its cookie starts a new session every time
        checks.append((Limit("webchat_new_session", options.chat_sessions_per_address,
                             options.chat_sessions_window_seconds), where))
    return checks
