"""Photos citizens send on Telegram, Messenger and Zalo are downloaded and kept (issue 17).

Over real HTTP: the webhook is answered before the file is fetched (the CDN may be slow), the file
comes from the fake platform (Telegram through getFile and the bot token), is kept in the file
store and still opens for staff after the platform's link has expired; a failed download is
retried, and one that fails for good leaves the reference with "không tải được" on the case page.
"""
from __future__ import annotations

import io
import time
import uuid
from typing import Any, Callable

import pytest
from PIL import Image

from intake import messages as M
from intake.turns import Reply
from storage.staff_services import create_user
from tests.conftest import TELEGRAM_TOKEN, LiveApp, load_payload, wait_until
from tests.e2e.citizens import Citizen, MessengerCitizen, TelegramCitizen, ZaloCitizen, cases_of
from tests.fakes import FakeGraph, FakeTelegram, FakeZalo
from tests.fakes.server import CannedResponse
from tests.integration.console_support import PASSWORD, StaffClient

FIRST = "Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần rồi chưa có kết quả"
CONTACT = "Nguyễn Văn An, 0912 345 678, Số 12 ngõ 34 Trần Thái Tông, phường Cầu Giấy"


def jpeg(colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), colour).save(out, "JPEG")
    return out.getvalue()


def downloads(live: LiveApp, channel: str) -> list[Any]:
    return live.query("SELECT d.* FROM attachment_downloads d JOIN messages m ON m.id = d.message_id "
                      "WHERE d.channel = :c ORDER BY d.id", c=channel)


def final(live: LiveApp, channel: str, send: Callable[[], Any]) -> Any:
    """Send one attachment; wait until its row is stored or failed, and return the row."""
    before = len(downloads(live, channel))
    send()

    def done() -> Any:
        rows = downloads(live, channel)[before:]
        return rows[0] if rows and rows[0].status in ("stored", "failed") else None
    return wait_until(done, 15, message=f"{channel} attachment downloaded or failed")


def messenger_photo(citizen: MessengerCitizen, url: str) -> Any:
    return citizen.send_body(citizen.envelope({"mid": f"m_{uuid.uuid4().hex}", "attachments": [
        {"type": "image", "payload": {"url": url}}]}))


def zalo_photo(citizen: ZaloCitizen, url: str) -> Any:
    event = load_payload("zalo", "user-send-image-testtool.json")
    event = {**event, **citizen.event("")}
    event["event_name"] = "user_send_image"
    event["message"]["attachments"] = [{"type": "image", "payload": {"thumbnail": url, "url": url}}]
    return citizen.send_event(event)


def staff(live: LiveApp, username: str, ward: str) -> StaffClient:
    """A logged-in ward officer of `ward` (created the first time)."""
    pakn = live.components
    if not live.query("SELECT id FROM users WHERE username = :u", u=username):
        pakn.uow().run(lambda uow: create_user(uow, pakn.ctx.catalogue, username, PASSWORD,
                                               "agency_staff", "ubnd_xa", ward))
    client = StaffClient(live.app.test_client())
    assert client.login(username, PASSWORD).status_code == 302
    return client


def file_case(live: LiveApp, citizen: Citizen) -> str:
    """Description, contact details, 'Gửi, không công khai': the filed case's code."""
    citizen.say(FIRST)
    citizen.wait_received(citizen.seen + 2)
    citizen.seen += 2
    citizen.say(CONTACT)
    citizen.wait_received(citizen.seen + 1)
    citizen.seen += 1
    citizen.choose(M.BUTTON_CONFIRM_PRIVATE, "/confirm:private", 2)
    (case,) = wait_until(lambda: cases_of(live, citizen), message="case filed")
    return str(case.code)


def test_a_telegram_photo_is_fetched_with_getfile_and_opens_for_staff_after_filing(
        live_app: LiveApp, fake_telegram: FakeTelegram,
        new_citizen: Callable[[str], Citizen]) -> None:
    citizen = new_citizen("telegram")
    assert isinstance(citizen, TelegramCitizen)
    photo = jpeg()
    file_id = fake_telegram.add_file(photo)
    update = citizen.update("")
    del update["message"]["text"]
    update["message"]["photo"] = [{"file_id": file_id, "width": 80, "height": 60}]
    row = final(live_app, "telegram", lambda: citizen.send_update(update))
    citizen.expect(Reply(M.ATTACHMENT_FIRST))
    assert row.status == "stored" and row.mime == "image/jpeg" and row.size == len(photo)
    got_file = fake_telegram.matching(lambda r: r.endpoint == "getFile")
    assert [r.query.get("file_id") for r in got_file][-1] == file_id
    assert fake_telegram.matching(lambda r: r.path.startswith(f"/file/bot{TELEGRAM_TOKEN}/photos/"))

    code = file_case(live_app, citizen)
    client = staff(live_app, "caugiay17", "phường Cầu Giấy")
    page = client.get(f"/console/cases/{code}").get_data(as_text=True)
    link = f"/console/cases/{code}/files/{row.token}"
    assert link in page
    response = client.get(link)
    assert response.status_code == 200 and response.data == photo
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("inline")
    other = staff(live_app, "badinh17", "phường Ba Đình")
    assert other.get(link).status_code == 403  # another ward's officer may not see the case
    assert live_app.app.test_client().get(link).status_code in (302, 401)  # nor anyone logged out


def test_a_messenger_photo_is_kept_after_its_signed_link_expires_and_the_ack_does_not_wait(
        live_app: LiveApp, fake_graph: FakeGraph,
        new_citizen: Callable[[str], Citizen]) -> None:
    citizen = new_citizen("facebook")
    assert isinstance(citizen, MessengerCitizen)
    photo = jpeg((10, 120, 10))
    url = fake_graph.serve_file(photo, "slow.jpg")
    fake_graph.enqueue(CannedResponse(200, photo, delay=3.0, path_suffix="/slow.jpg",
                                      headers={"Content-Type": "image/jpeg"}))
    took: list[float] = []

    def send() -> None:
        started = time.monotonic()
        assert messenger_photo(citizen, url).status_code == 200
        took.append(time.monotonic() - started)
    row = final(live_app, "facebook", send)
    assert took[0] < 1.0  # acknowledged while the CDN was still answering (3 s)
    assert row.status == "stored"
    fake_graph.expire_files()
    assert live_app.components.downloader.store.read(row.token) == photo


def test_a_failed_download_is_retried(live_app: LiveApp, fake_graph: FakeGraph,
                                      new_citizen: Callable[[str], Citizen]) -> None:
    citizen = new_citizen("facebook")
    assert isinstance(citizen, MessengerCitizen)
    photo = jpeg((0, 0, 200))
    url = fake_graph.serve_file(photo, "flaky.jpg")
    fake_graph.enqueue(CannedResponse(503, "Service Unavailable", path_suffix="/flaky.jpg"))
    row = final(live_app, "facebook", lambda: messenger_photo(citizen, url))
    assert (row.status, row.attempts) == ("stored", 2)
    assert len([r for r in fake_graph.file_requests() if r.path.endswith("/flaky.jpg")]) == 2


@pytest.mark.parametrize("answer", ["expired", "not_an_image"])
def test_a_zalo_photo_that_cannot_be_kept_shows_its_reference_and_khong_tai_duoc(
        answer: str, live_app: LiveApp, fake_zalo: FakeZalo,
        new_citizen: Callable[[str], Citizen]) -> None:
    citizen = new_citizen("zalo")
    assert isinstance(citizen, ZaloCitizen)
    url = fake_zalo.serve_file(b"MZ\x90\x00 not a photo", "anh.jpg")
    if answer == "expired":
        fake_zalo.expire_files()
    row = final(live_app, "zalo", lambda: zalo_photo(citizen, url))
    assert row.status == "failed" and row.attempts == 1  # neither is worth retrying
    assert row.last_error == ("HTTP 403" if answer == "expired" else "refused: type")
    citizen.seen = len(citizen.received())
    code = file_case(live_app, citizen)
    page = staff(live_app, "caugiay17", "phường Cầu Giấy").get(f"/console/cases/{code}")
    text = page.get_data(as_text=True)
    assert "không tải được" in text and url.replace("&", "&amp;") in text
