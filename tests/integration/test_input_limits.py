"""What a platform, a browser or a staff form sends is kept or refused with a reason, never a 500:
NUL and other control characters, long ids and names, and out-of-range dates and page numbers
(issue 12, defects 4 and 5). Runs on SQLite and on PostgreSQL, where most of these used to fail.
"""
from __future__ import annotations

import json
import unicodedata
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.conftest import FACEBOOK_APP_SECRET, TELEGRAM_SECRET, ZALO_APP_ID, ZALO_SECRET, channel_settings
from tests.fakes.signing import compact, messenger_headers, telegram_headers, zalo_headers
from tests.integration.console_support import Console, make_console

# A citizen's text as a phone may send it: decomposed diacritics (NFD), a tab and a line break,
# and control characters that PostgreSQL cannot store (NUL) or that mean nothing in a text.
SENT = unicodedata.normalize("NFD", "Đèn đường ngõ 15 Trần\u0000 Duy Hưng\x07 bị hỏng\tđã 2 tuần\n"
                                    "Nhờ\x1b[0m phường\x7f xử lý\u0085.")
KEPT = "Đèn đường ngõ 15 Trần Duy Hưng bị hỏng\tđã 2 tuần\nNhờ[0m phường xử lý."
LONG_ID = "7" * 200  # over the 128 characters the id columns used to hold
TOO_LONG_ID = "7" * 300
LONG_MID = "m_" + "A" * 398  # 400 characters


@pytest.fixture
def site(database_url: str, tmp_path: Path, nlu_models_dir: Path) -> Iterator[Console]:
    """The whole app (webhooks, web chat, console, public site, Open311) on SQLite or PostgreSQL;
    messages are processed inline and nothing is sent (no dispatcher runs)."""
    dead = "http://127.0.0.1:9"
    made = make_console(tmp_path, nlu_models_dir, {"channels": channel_settings(dead, dead, dead)},
                        database_url=database_url)
    yield made
    made.pakn.engine.dispose()


def telegram(chat_id: Any = 555027, text: str = "Xin chào", first_name: str = "An",
             update_id: int = 9001) -> tuple[bytes, dict[str, str]]:
    body = compact({"update_id": update_id, "message": {
        "message_id": 1, "date": 1764000000, "chat": {"id": chat_id, "type": "private"},
        "from": {"id": 1, "is_bot": False, "first_name": first_name}, "text": text}})
    return body, telegram_headers(TELEGRAM_SECRET)


def messenger(sender: str = "24011", mid: str = "m_abc", text: str = "Xin chào") -> tuple[bytes, dict[str, str]]:
    body = compact({"object": "page", "entry": [{"id": "1", "time": 1764000000000, "messaging": [{
        "sender": {"id": sender}, "recipient": {"id": "1"}, "timestamp": 1764000000000,
        "message": {"mid": mid, "text": text}}]}]})
    return body, messenger_headers(FACEBOOK_APP_SECRET, body)


def zalo(sender: str = "4410012345", msg_id: str = "a1b2c3", text: str = "Xin chào") -> tuple[bytes, dict[str, str]]:
    body = compact({"app_id": ZALO_APP_ID, "event_name": "user_send_text", "timestamp": "1764000000000",
                    "sender": {"id": sender}, "recipient": {"id": "579745863508352884"},
                    "message": {"msg_id": msg_id, "text": text}})
    return body, zalo_headers(ZALO_SECRET, body)


def post(site: Console, platform: str, signed: tuple[bytes, dict[str, str]]) -> Any:
    body, headers = signed
    return site.app.test_client().post(f"/webhooks/{platform}", data=body, headers=headers)


def stored(site: Console) -> list[Any]:
    return site.query("SELECT m.channel, m.platform_message_id, m.text, c.sender_id, c.display_name, "
                      "c.last_inbound_message_id FROM messages m JOIN conversations c "
                      "ON c.id = m.conversation_id WHERE m.direction = 'in' ORDER BY m.id")


# -- defect 4: what a platform sends -------------------------------------------------------------

@pytest.mark.parametrize("platform, signed", [
    ("telegram", lambda: telegram(text=SENT)), ("facebook", lambda: messenger(text=SENT)),
    ("zalo", lambda: zalo(text=SENT))])
def test_a_text_with_nul_and_control_characters_is_stored_without_them(
        site: Console, platform: str, signed: Any) -> None:
    response = post(site, platform, signed())
    assert response.status_code == 200, response.text
    (row,) = stored(site)
    assert row.text == KEPT  # NFC, tab and line break kept, nothing else lost


def test_telegrams_own_example_with_a_nul(site: Console) -> None:
    body = b'{"update_id":77,"message":{"chat":{"id":555027},"text":"a\\u0000b"}}'
    response = post(site, "telegram", (body, telegram_headers(TELEGRAM_SECRET)))
    assert response.status_code == 200, response.text
    assert [(r.sender_id, r.text) for r in stored(site)] == [("555027", "ab")]


@pytest.mark.parametrize("platform, signed", [
    ("telegram", lambda: telegram(chat_id=LONG_ID)), ("facebook", lambda: messenger(sender=LONG_ID)),
    ("zalo", lambda: zalo(sender=LONG_ID))])
def test_a_long_sender_id_is_kept_whole(site: Console, platform: str, signed: Any) -> None:
    response = post(site, platform, signed())
    assert response.status_code == 200, response.text
    (row,) = stored(site)
    assert (row.sender_id, row.text) == (LONG_ID, "Xin chào")
    replies = site.query("SELECT recipient_id FROM outbox")
    assert replies and {r.recipient_id for r in replies} == {LONG_ID}  # the bot can answer


@pytest.mark.parametrize("platform, signed, field", [
    ("telegram", lambda: telegram(chat_id=TOO_LONG_ID), "chat.id"),
    ("facebook", lambda: messenger(sender=TOO_LONG_ID), "sender.id"),
    ("zalo", lambda: zalo(sender=TOO_LONG_ID), "sender.id"),
    ("facebook", lambda: messenger(mid="m_" + "A" * 600), "message.mid"),
    ("zalo", lambda: zalo(msg_id="f" * 600), "message.msg_id"),
    ("telegram", lambda: telegram(chat_id="55\u00005"), "chat.id")])
def test_an_id_we_cannot_keep_is_a_400_with_the_reason(site: Console, platform: str, signed: Any,
                                                      field: str) -> None:
    response = post(site, platform, signed())
    assert response.status_code == 400
    assert response.text.startswith("bad request: ") and field in response.text, response.text
    assert stored(site) == []


@pytest.mark.parametrize("platform, signed", [
    ("facebook", lambda: messenger(mid=LONG_MID)), ("zalo", lambda: zalo(msg_id=LONG_MID))])
def test_a_400_character_message_id_is_kept_and_still_deduplicates(site: Console, platform: str,
                                                                   signed: Any) -> None:
    first, again = post(site, platform, signed()), post(site, platform, signed())
    assert (first.status_code, again.status_code) == (200, 200), first.text
    (row,) = stored(site)  # the platform's retry is recognised
    assert (row.platform_message_id, row.text) == (LONG_MID, "Xin chào")
    assert row.last_inbound_message_id == LONG_MID  # what a Zalo reply quotes


def test_a_first_name_over_255_characters_is_shortened_and_the_message_kept(site: Console) -> None:
    name = "Nguyễn" + "n" * 400
    response = post(site, "telegram", telegram(first_name=name, text=SENT))
    assert response.status_code == 200, response.text
    (row,) = stored(site)
    assert (row.display_name, row.text, row.sender_id) == (name[:255], KEPT, "555027")


def test_web_chat_text_with_a_nul(site: Console) -> None:
    client = site.app.test_client()
    response = client.post("/chat/api/messages", json={"client_message_id": "abcdefgh01", "text": SENT})
    assert response.status_code == 202, response.text
    assert [r.text for r in stored(site)] == [KEPT]
    bad = client.post("/chat/api/messages", json={"client_message_id": "abcd\u0000efgh", "text": "Xin chào"})
    assert bad.status_code == 400 and "control character" in bad.get_json()["error"]


# -- defect 4: what a client of the Open311 API or a staff member sends --------------------------

def _api_key(site: Console) -> str:
    from storage.staff_services import create_api_client

    return site.pakn.uow().run(lambda uow: create_api_client(uow, "cong-dich-vu-cong",
                                                             datetime.now(timezone.utc)))


@pytest.mark.parametrize("as_json", [False, True])
def test_open311_description_with_a_nul(site: Console, as_json: bool) -> None:
    fields = {"api_key": _api_key(site), "service_code": "ho_tich", "first_name": "An\u0000",
              "last_name": "Nguyễn Văn", "phone": "0912345678", "description": SENT,
              "address_string": "Số 5 ngõ 10\u0000 Trần Thái Tông, phường Cầu Giấy"}
    client = site.app.test_client()
    response = (client.post("/open311/v2/requests.json", json=fields) if as_json
                else client.post("/open311/v2/requests.json", data=fields))
    assert response.status_code == 201, response.text
    (case,) = site.query("SELECT text, citizen_name, citizen_address FROM cases")
    assert tuple(case) == (KEPT, "Nguyễn Văn An", "Số 5 ngõ 10 Trần Thái Tông, phường Cầu Giấy")


def test_hotline_form_with_a_nul(site: Console) -> None:
    call = {"name": "Lê Văn\u0000 Cường", "phone": "0912345678", "address": "Số 12\u0000 Trần Thái Tông",
            "ward": "phường Cầu Giấy", "procedure_id": "ho_tich", "text": SENT}
    response = site.client("daumoi").post("/console/hotline", call)
    assert response.status_code == 200, response.text
    (case,) = site.query("SELECT text, citizen_name, citizen_address FROM cases")
    assert tuple(case) == (KEPT, "Lê Văn Cường", "Số 12 Trần Thái Tông")


def test_case_action_note_and_conversation_note_with_a_nul(site: Console) -> None:
    code = site.file(sender="555027")
    client = site.client("daumoi")
    response = client.post(f"/console/cases/{code}/actions/forward",
                           {"note": "Đã liên hệ\u0000 bộ phận hộ tịch\r\nchờ kết quả"})
    assert response.status_code == 200, response.text
    assert site.status(code) == "forwarded"
    notes = site.query("SELECT note FROM case_events ORDER BY id")
    assert "Đã liên hệ bộ phận hộ tịch\r\nchờ kết quả" in [n.note for n in notes]
    (conversation,) = site.query("SELECT id FROM conversations")
    page = client.post(f"/console/conversations/{conversation.id}/note", {"text": "Đã gọi\u0000 lại"})
    assert page.status_code == 200, page.text
    assert [n.text for n in site.query("SELECT text FROM conversation_notes")] == ["Đã gọi lại"]


def test_canned_reply_form_with_a_nul(site: Console) -> None:
    client = site.client("admin")
    response = client.post("/console/admin/canned", {"title": "Chào\u0000", "text": "Xin chào\u0000 anh/chị"})
    assert response.status_code == 200, response.text
    rows = site.query("SELECT title, text FROM canned_responses")
    assert ("Chào", "Xin chào anh/chị") in [tuple(r) for r in rows]
    too_long = client.post("/console/admin/canned", {"title": "T" * 129, "text": "Nội dung"})
    assert too_long.status_code == 200 and "128" in too_long.text
    assert "T" * 129 not in [r.title for r in site.query("SELECT title FROM canned_responses")]


# -- defect 5: dates and page numbers out of range -----------------------------------------------

HUGE = "100000000000000000000"


@pytest.mark.parametrize("query", [
    "end_date=9999-12-31T23:59:59.999999", "start_date=0001-01-01T00:00:00",
    "end_date=9999-12-31T23:59:59-07:00", "start_date=0001-01-01T00:00:00%2B14:00",
    f"page={HUGE}"])
def test_open311_list_with_extreme_dates_or_pages(site: Console, query: str) -> None:
    code = site.file()
    response = site.app.test_client().get(f"/open311/v2/requests.json?{query}")
    assert response.status_code == 200, response.text
    assert isinstance(response.get_json(), list) and response.headers["X-Total-Count"] == "0"
    assert code not in response.text  # not published: never listed


@pytest.mark.parametrize("value", ["²", "٣"])
def test_open311_page_that_is_not_a_positive_number(site: Console, value: str) -> None:
    response = site.app.test_client().get(f"/open311/v2/requests.json?page={value}")
    assert response.status_code == 400
    assert "page" in response.get_json()[0]["description"]


def test_public_results_on_a_page_past_the_end(site: Console) -> None:
    response = site.app.test_client().get(f"/cong-khai?trang={HUGE}")
    assert response.status_code == 200, response.text


def test_console_case_list_on_a_page_past_the_end(site: Console) -> None:
    site.file()
    response = site.client("daumoi").get(f"/console/cases?page={HUGE}")
    assert response.status_code == 200, response.text


def test_public_search_with_a_nul(site: Console) -> None:
    assert site.app.test_client().get("/cong-khai?q=c%00u").status_code == 200
    assert site.client("daumoi").get("/console/cases?q=c%00u").status_code == 200


def test_json_body_shapes_are_kept(site: Console) -> None:
    """The cleaner changes text only: numbers, nesting and keys of a JSON body stay as sent."""
    with site.app.test_request_context("/x", method="POST", data=json.dumps(
            {"a\u0000": [1, 2.5, None, True, {"b": "x\u0000y"}]}), content_type="application/json"):
        from flask import request
        assert request.get_json() == {"a": [1, 2.5, None, True, {"b": "xy"}]}
