"""Citizens on each channel: they post real webhook shapes to the live app over HTTP and read what
the bot sent them from the fake platform servers (or, on web chat, from the page's poll endpoint).

Each citizen knows the exact request its platform receives for a reply (`wire`), so a test can
compare the whole request list, in order, with what the dialogue should have said.
"""
from __future__ import annotations

import itertools
import time
import uuid
from typing import Any

import requests

from intake.turns import Reply
from tests.conftest import (
    FACEBOOK_APP_SECRET,
    FACEBOOK_PAGE_TOKEN,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    ZALO_ACCESS_TOKEN,
    ZALO_APP_ID,
    ZALO_SECRET,
    LiveApp,
    load_payload,
    wait_until,
)
from tests.fakes import FakeGraph, FakeTelegram, FakeZalo, RecordedRequest
from tests.fakes.signing import compact, messenger_headers, telegram_headers, zalo_headers

_ids = itertools.count(int(time.time() * 1000) % 10**9)
NUMBERED_HINT = "(Trả lời bằng số thứ tự hoặc nội dung.)"


def next_id() -> int:
    return next(_ids)


class Citizen:
    """One person on one channel. `say` and `choose` post; `expect` checks what came back."""

    channel = ""
    accepted_status = 200

    def __init__(self, live: LiveApp) -> None:
        self.live = live
        self.seen = 0  # requests already checked by `expect`
        self.http = requests.Session()
        self.sender_id = ""
        self.last_post: tuple[bytes, dict[str, str]] = (b"", {})

    def say(self, text: str) -> requests.Response:
        raise NotImplementedError

    def choose(self, title: str, payload: str, number: int) -> requests.Response:
        """Tap a quick reply (or, where the platform has none, answer with its number)."""
        raise NotImplementedError

    def received(self) -> list[Any]:
        """Everything sent to this citizen so far, in order, in the platform's wire shape."""
        raise NotImplementedError

    def wire(self, reply: Reply) -> list[Any]:
        """The request(s) the platform must receive for one reply."""
        raise NotImplementedError

    def wait_received(self, count: int, timeout: float = 10.0) -> list[Any]:
        return wait_until(lambda: (lambda got: got if len(got) >= count else None)(self.received()),
                          timeout, message=f"{self.channel} citizen receives {count} requests")

    def expect(self, *replies: Reply, timeout: float = 10.0) -> list[Any]:
        """Wait for exactly these replies after the ones already checked; returns their requests."""
        expected = [request for reply in replies for request in self.wire(reply)]
        got = self.wait_received(self.seen + len(expected), timeout)[self.seen:]
        assert got == expected
        self.seen += len(expected)
        return got

    def post(self, body: bytes, headers: dict[str, str]) -> requests.Response:
        self.last_post = (body, headers)
        response = self.http.post(f"{self.live.url}/webhooks/{self.channel}", data=body,
                                  headers=headers, timeout=10)
        assert response.status_code == self.accepted_status, response.text
        return response

    def repeat_last(self) -> requests.Response:
        """Deliver the previous request again, byte for byte (a platform's retry)."""
        return self.post(*self.last_post)


class TelegramCitizen(Citizen):
    channel = "telegram"

    def __init__(self, live: LiveApp, fake: FakeTelegram) -> None:
        super().__init__(live)
        self.fake = fake
        self.chat_id = next_id()
        self.sender_id = str(self.chat_id)
        self.callback_ids: list[str] = []
        self.reply_to_callback: str | None = None

    def update(self, text: str) -> dict[str, Any]:
        update = load_payload("telegram", "text-start-official.json")
        update["update_id"] = next_id()
        message = update["message"]
        message.update(message_id=next_id(), date=int(time.time()), text=text)
        message["chat"].update(id=self.chat_id, first_name="Văn An", last_name="Nguyễn")
        message["from"].update(id=self.chat_id, is_bot=False, first_name="Văn An", last_name="Nguyễn")
        return update

    def callback(self, data: str) -> dict[str, Any]:
        update = load_payload("telegram", "callback-query-inline-keyboard-real.json")
        update["update_id"] = next_id()
        query = update["callback_query"]
        query.update(id=str(next_id() * 1000 + 7), data=data)
        query["from"].update(id=self.chat_id, language_code="vi")
        query["message"]["chat"].update(id=self.chat_id)
        self.callback_ids.append(query["id"])
        return update

    def send_update(self, update: dict[str, Any]) -> requests.Response:
        return self.post(compact(update), telegram_headers(TELEGRAM_SECRET))

    def say(self, text: str) -> requests.Response:
        self.reply_to_callback = None
        return self.send_update(self.update(text))

    def choose(self, title: str, payload: str, number: int) -> requests.Response:
        update = self.callback(payload)
        self.reply_to_callback = update["callback_query"]["id"]
        return self.send_update(update)

    def _mine(self, request: RecordedRequest) -> bool:
        body = request.body if isinstance(request.body, dict) else {}
        if request.endpoint == "sendMessage":
            return str(body.get("chat_id")) == str(self.chat_id)
        return request.endpoint == "answerCallbackQuery" and body.get("callback_query_id") in self.callback_ids

    def received(self) -> list[Any]:
        return [(r.method, r.path, r.body) for r in self.fake.matching(self._mine)]

    def wire(self, reply: Reply) -> list[Any]:
        prefix = f"/bot{TELEGRAM_TOKEN}"
        requests_: list[Any] = []
        if self.reply_to_callback:  # the first reply to a tapped button stops its spinner, once
            requests_.append(("POST", f"{prefix}/answerCallbackQuery",
                              {"callback_query_id": self.reply_to_callback}))
            self.reply_to_callback = None
        body: dict[str, Any] = {"chat_id": str(self.chat_id), "text": reply.text}
        if reply.quick_replies:
            body["reply_markup"] = {"inline_keyboard": [[{"text": title, "callback_data": payload}]
                                                        for title, payload in reply.quick_replies]}
        requests_.append(("POST", f"{prefix}/sendMessage", body))
        return requests_


class MessengerCitizen(Citizen):
    channel = "facebook"
    page_id = "117172741761305"

    def __init__(self, live: LiveApp, fake: FakeGraph) -> None:
        super().__init__(live)
        self.fake = fake
        self.sender_id = str(next_id() * 1000 + 3)

    def envelope(self, message: dict[str, Any]) -> dict[str, Any]:
        body = load_payload("messenger", "text-quick-reply-envelope-constructed.json")
        now = int(time.time() * 1000)
        body["entry"][0]["time"] = now
        event = body["entry"][0]["messaging"][0]
        event.update(sender={"id": self.sender_id}, recipient={"id": self.page_id}, timestamp=now,
                     message=message)
        return body

    def send_body(self, body: dict[str, Any]) -> requests.Response:
        raw = compact(body)
        return self.post(raw, messenger_headers(FACEBOOK_APP_SECRET, raw))

    def say(self, text: str) -> requests.Response:
        return self.send_body(self.envelope({"mid": f"m_{uuid.uuid4().hex}", "text": text}))

    def choose(self, title: str, payload: str, number: int) -> requests.Response:
        return self.send_body(self.envelope({"mid": f"m_{uuid.uuid4().hex}", "text": title,
                                             "quick_reply": {"payload": payload}}))

    def received(self) -> list[Any]:
        return [(r.method, r.path, r.query, r.body) for r in self.fake.sent_to(self.sender_id)]

    def wire(self, reply: Reply) -> list[Any]:
        message: dict[str, Any] = {"text": reply.text}
        if reply.quick_replies:
            message["quick_replies"] = [{"content_type": "text", "title": title, "payload": payload}
                                        for title, payload in reply.quick_replies]
        return [("POST", "/v21.0/me/messages", {"access_token": FACEBOOK_PAGE_TOKEN},
                 {"recipient": {"id": self.sender_id}, "messaging_type": "RESPONSE", "message": message})]


class ZaloCitizen(Citizen):
    channel = "zalo"

    def __init__(self, live: LiveApp, fake: FakeZalo) -> None:
        super().__init__(live)
        self.fake = fake
        self.sender_id = str(next_id() * 1000 + 5)
        self.last_msg_id: str | None = None

    def event(self, text: str) -> dict[str, Any]:
        event = load_payload("zalo", "user-send-text-official.json")
        event["app_id"] = ZALO_APP_ID
        event["sender"]["id"] = self.sender_id
        event["message"] = {"text": text, "msg_id": uuid.uuid4().hex[:20]}
        event["timestamp"] = str(int(time.time() * 1000))
        return event

    def send_event(self, event: dict[str, Any]) -> requests.Response:
        if str(event.get("event_name", "")).startswith("user_send_"):
            self.last_msg_id = event["message"]["msg_id"]  # what the bot's next sends quote
        raw = compact(event)
        return self.post(raw, zalo_headers(ZALO_SECRET, raw))

    def say(self, text: str) -> requests.Response:
        return self.send_event(self.event(text))

    def choose(self, title: str, payload: str, number: int) -> requests.Response:
        return self.say(str(number))  # Zalo CS messages have no quick replies: numbered text

    def received(self) -> list[Any]:
        return [(r.method, r.path, r.header("access_token"), r.body)
                for r in self.fake.sent_to(self.sender_id)]

    def wire(self, reply: Reply) -> list[Any]:
        text = reply.text
        if reply.quick_replies:
            text = "\n".join([reply.text, ""] + [f"{n}. {title}" for n, (title, _) in
                                                 enumerate(reply.quick_replies, 1)] + [NUMBERED_HINT])
        message = {"text": text}
        if self.last_msg_id:  # within 48 h the bot quotes the citizen's last message
            message["quote_message_id"] = self.last_msg_id
        return [("POST", "/v3.0/oa/message/cs", ZALO_ACCESS_TOKEN,
                 {"recipient": {"user_id": self.sender_id}, "message": message})]


class WebchatCitizen(Citizen):
    channel = "webchat"
    accepted_status = 202

    def __init__(self, live: LiveApp) -> None:
        super().__init__(live)
        page = self.http.get(f"{live.url}/chat", timeout=10)
        assert page.status_code == 200
        self.sender_id = ""  # the session cookie's id; read from the database after the first post

    def post_json(self, document: dict[str, Any]) -> requests.Response:
        self.last_document = document
        response = self.http.post(f"{self.live.url}/chat/api/messages", json=document, timeout=10)
        assert response.status_code == self.accepted_status, response.text
        if not self.sender_id:  # the event is queued before the 202: its row names the sender
            rows = self.live.query(
                "SELECT sender_id FROM inbound "
                "WHERE channel = 'webchat' AND platform_message_id LIKE :suffix",
                suffix=f"%:{document['client_message_id']}")
            self.sender_id = rows[0][0]
        return response

    def say(self, text: str) -> requests.Response:
        return self.post_json({"client_message_id": uuid.uuid4().hex, "text": text})

    def repeat_last(self) -> requests.Response:
        return self.post_json(self.last_document)

    def choose(self, title: str, payload: str, number: int) -> requests.Response:
        return self.post_json({"client_message_id": uuid.uuid4().hex, "text": title, "payload": payload})

    def received(self) -> list[Any]:
        response = self.http.get(f"{self.live.url}/chat/api/messages", params={"after": 0}, timeout=10)
        assert response.status_code == 200
        return [{"text": m["text"], "quick_replies": m["quick_replies"]} for m in response.json()["messages"]
                if m["from"] != "citizen"]  # the thread holds the citizen's own messages too

    def wire(self, reply: Reply) -> list[Any]:
        return [{"text": reply.text,
                 "quick_replies": [{"title": t, "payload": p} for t, p in reply.quick_replies]}]


def make_citizen(channel: str, live: LiveApp, fake_telegram: FakeTelegram, fake_graph: FakeGraph,
                 fake_zalo: FakeZalo) -> Citizen:
    if channel == "telegram":
        return TelegramCitizen(live, fake_telegram)
    if channel == "facebook":
        return MessengerCitizen(live, fake_graph)
    if channel == "zalo":
        return ZaloCitizen(live, fake_zalo)
    return WebchatCitizen(live)


def conversation_of(live: LiveApp, citizen: Citizen) -> Any:
    rows = live.query("SELECT * FROM conversations WHERE channel = :c AND sender_id = :s",
                      c=citizen.channel, s=citizen.sender_id)
    assert len(rows) == 1, rows
    return rows[0]


def cases_of(live: LiveApp, citizen: Citizen) -> list[Any]:
    return live.query("SELECT * FROM cases WHERE channel = :c AND sender_id = :s ORDER BY id",
                      c=citizen.channel, s=citizen.sender_id)
