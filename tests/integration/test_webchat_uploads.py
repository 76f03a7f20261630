"""Web chat on SQLite and PostgreSQL: photos and documents attached in the page (type and size
limits, a Vietnamese refusal, never a 5xx), the file going with the case and opened by the staff
who may see that case, and the thread served by id with the citizen's own messages and staff
replies marked as from a person."""
from __future__ import annotations

import io
import re
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import pytest
import sqlalchemy as sa
from PIL import Image

from intake import messages as M
from intake.turns import P_CONFIRM, P_CONSENT_YES
from storage.staff_services import create_user
from tests.conftest import NO_CHANNEL_SECRETS, ROOT
from tests.integration.console_support import PASSWORD, STAFF, StaffClient

UPLOAD = {"X-Requested-With": "pakn-webchat"}
FULL_NAMES = {"caugiay": "Trần Thị Mai", "daumoi": "Lê Văn Hùng"}
FIRST = "Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần rồi chưa có kết quả"


def jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def chat(database_url: str, tmp_path: Path, nlu_models_dir: Path) -> Iterator[Any]:
    """The app on `database_url` (SQLite, PostgreSQL), messages processed in the request."""
    from bot.app import create_app
    from storage.catalogue_files import calendar_entries, load_catalogue
    from storage.db import make_engine, seed_calendar, seed_catalogue, upgrade

    upgrade(database_url)
    engine = make_engine(database_url)
    seed_catalogue(engine, load_catalogue(ROOT / "catalogue"))
    seed_calendar(engine, calendar_entries(ROOT / "catalogue"))
    engine.dispose()
    app = create_app({"database_url": database_url, "secret_key": "test-secret", "background": False,
                      "nlu": {"backend": "builtin", "models_dir": str(nlu_models_dir)},
                      "channels": NO_CHANNEL_SECRETS, "uploads": {"dir": str(tmp_path / "uploads")}})
    app.config["TESTING"] = True
    pakn = app.extensions["pakn"]
    with pakn.uow() as uow:
        for username, (role, agency, ward) in STAFF.items():
            create_user(uow, pakn.ctx.catalogue, username, PASSWORD, role, agency, ward,
                        full_name=FULL_NAMES.get(username, ""))
        uow.commit()
    yield app
    pakn.engine.dispose()


class Browser:
    """A citizen's browser session on /chat."""

    def __init__(self, app: Any) -> None:
        self.http = app.test_client()
        assert self.http.get("/chat").status_code == 200

    def say(self, text: str, payload: str | None = None) -> Any:
        body = {"client_message_id": uuid.uuid4().hex, "text": text}
        if payload:
            body["payload"] = payload
        response = self.http.post("/chat/api/messages", json=body)
        assert response.status_code == 202, response.text
        return response

    def attach(self, content: bytes, name: str, text: str = "", headers: dict[str, str] | None = None,
               client_id: str | None = None) -> Any:
        data = {"client_message_id": client_id or uuid.uuid4().hex, "text": text,
                "file": (io.BytesIO(content), name)}
        return self.http.post("/chat/api/uploads", data=data, content_type="multipart/form-data",
                              headers=UPLOAD if headers is None else headers)

    def thread(self, after: int = 0) -> list[dict[str, Any]]:
        response = self.http.get(f"/chat/api/messages?after={after}")
        assert response.status_code == 200
        return response.json["messages"]  # type: ignore[no-any-return]


def stored_files(app: Any) -> list[Path]:
    root = Path(app.extensions["pakn"].settings.uploads.dir)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def staff(app: Any, username: str) -> StaffClient:
    client = StaffClient(app.test_client())
    assert client.login(username, PASSWORD).status_code == 302
    return client


def test_a_photo_goes_with_the_case_and_staff_of_that_case_open_it(chat: Any) -> None:
    citizen = Browser(chat)
    citizen.say(FIRST)
    photo = jpeg()
    response = citizen.attach(photo, "giay hen.jpg")
    assert response.status_code == 202 and response.json["id"]
    assert M.ATTACHMENT_NOTED in [m["text"] for m in citizen.thread()]
    citizen.say("Nguyễn Văn An")
    citizen.say("0912 345 678")
    citizen.say("Số 12 ngõ 34 Trần Thái Tông, phường Cầu Giấy")
    citizen.say(M.CONSENT_YES, P_CONSENT_YES)
    citizen.say(M.BUTTON_CONFIRM, P_CONFIRM)
    (code,) = {match.group(0) for m in citizen.thread() if m["from"] == "bot"
               for match in [re.search(r"PAKN-\d{4}-\d{6}", m["text"])] if match}

    (mine,) = [m for m in citizen.thread() if m.get("files")]
    assert mine["from"] == "citizen" and mine["files"][0]["name"] == "giay hen.jpg"
    own = citizen.http.get(mine["files"][0]["url"])
    assert own.status_code == 200 and own.data == photo and own.mimetype == "image/jpeg"
    assert Browser(chat).http.get(mine["files"][0]["url"]).status_code == 404  # another citizen

    officer = staff(chat, "caugiay")
    page = officer.get(f"/console/cases/{code}")
    assert page.status_code == 200
    assert 'id="attachments"' in page.text and "giay hen.jpg" in page.text
    assert "hình ảnh: giay hen.jpg" in page.text  # on the timeline's 'received' event
    (token,) = [p.name for p in stored_files(chat)]
    url = f"/console/cases/{code}/files/{token}"
    assert url in page.text
    opened = officer.get(url)
    assert opened.status_code == 200 and opened.data == photo
    assert opened.headers["Content-Type"] == "image/jpeg"
    assert opened.headers["X-Content-Type-Options"] == "nosniff"
    assert staff(chat, "badinh").get(url).status_code == 403  # another ward's officer
    assert staff(chat, "daumoi").get(url).status_code == 200
    assert officer.get(f"/console/cases/{code}/files/{'0' * 32}.jpg").status_code == 404
    assert chat.test_client().get(url).status_code in (302, 401)  # not logged in

    # The chat as staff see it in the inbox shows the photo where the citizen sent it.
    conversation = page.text.split("/console/conversations/", 1)[1].split('"', 1)[0]
    in_chat = f"/console/conversations/{conversation}/files/{token}"
    assert in_chat in officer.get(f"/console/conversations/{conversation}").text
    assert officer.get(in_chat).data == photo
    assert staff(chat, "badinh").get(in_chat).status_code == 403
    polled = officer.get(f"/console/conversations/{conversation}/messages.json").json["messages"]
    assert [f["url"] for m in polled for f in m["files"]] == [in_chat]


@pytest.mark.parametrize("name,content,status,text", [
    ("anh.jpg", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", 400,
     "Chỉ nhận ảnh JPEG, ảnh PNG hoặc tệp PDF."),
    ("don.docx", b"PK\x03\x04 word document", 400, "Chỉ nhận ảnh JPEG, ảnh PNG hoặc tệp PDF."),
    ("rong.png", b"", 400, "Tệp trống"),
    ("lon.jpg", b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024), 413, "Tệp lớn hơn 5 MB"),
])
def test_a_file_of_another_type_or_too_large_is_refused_in_vietnamese(
        chat: Any, name: str, content: bytes, status: int, text: str) -> None:
    citizen = Browser(chat)
    response = citizen.attach(content, name, text="ảnh giấy hẹn")
    assert response.status_code == status
    assert text in response.json["error"]
    assert stored_files(chat) == []
    assert citizen.thread() == []  # nothing reached the conversation


def test_the_size_limit_is_configurable_and_a_pdf_is_accepted(chat: Any) -> None:
    pakn = chat.extensions["pakn"]
    pakn.settings = replace(pakn.settings, uploads=replace(pakn.settings.uploads, max_bytes=1024 * 1024))
    citizen = Browser(chat)
    refused = citizen.attach(jpeg((1200, 1200)) + b"\x00" * (1024 * 1024), "to.jpg")
    assert refused.status_code == 413 and "Tệp lớn hơn 1 MB" in refused.json["error"]
    accepted = citizen.attach(pdf(), "giay-hen.pdf")
    assert accepted.status_code == 202
    (line,) = [m for m in citizen.thread() if m["from"] == "citizen"]
    assert line["files"][0]["name"] == "giay-hen.pdf" and line["files"][0]["image"] is False
    assert [p.suffix for p in stored_files(chat)] == [".pdf"]


def test_uploads_need_the_page_header_a_file_and_a_client_id(chat: Any) -> None:
    citizen = Browser(chat)
    assert citizen.attach(jpeg(), "a.jpg", headers={}).status_code == 403  # a cross-site form
    missing = citizen.http.post("/chat/api/uploads", data={"client_message_id": uuid.uuid4().hex},
                                content_type="multipart/form-data", headers=UPLOAD)
    assert missing.status_code == 400 and missing.json["error"] == "Chưa chọn tệp để gửi."
    assert citizen.attach(jpeg(), "a.jpg", client_id="x").status_code == 400
    assert stored_files(chat) == []
    again = uuid.uuid4().hex
    assert citizen.attach(jpeg(), "a.jpg", client_id=again).status_code == 202
    repeated = citizen.attach(jpeg(), "a.jpg", client_id=again)  # the page retried
    assert repeated.status_code == 202 and repeated.json["duplicate"] is True
    assert len(stored_files(chat)) == 1


def test_the_thread_has_both_sides_by_id_and_staff_replies_name_the_officer(chat: Any) -> None:
    citizen = Browser(chat)
    citizen.say("Xin chào")
    citizen.say(FIRST)
    thread = citizen.thread()
    ids = [m["id"] for m in thread]
    assert ids == sorted(set(ids))
    assert [m["text"] for m in thread if m["from"] == "citizen"] == ["Xin chào", FIRST]
    assert all(m["from"] == "bot" for m in thread if m["from"] != "citizen")
    with chat.extensions["pakn"].engine.connect() as connection:
        conversation_id = connection.execute(
            sa.text("SELECT conversation_id FROM messages WHERE id = :i"), {"i": ids[0]}).scalar()
    officer = staff(chat, "daumoi")
    officer.post(f"/console/conversations/{conversation_id}/reply", {"text": "Chào anh, tôi là cán bộ."})
    newer = citizen.thread(after=ids[-1])
    assert {m["id"] for m in newer} >= {m["id"] for m in citizen.thread() if m["id"] > ids[-1]}
    (reply,) = [m for m in newer if m["id"] > ids[-1]]
    assert reply["from"] == "staff" and reply["sender"] == "Cán bộ Lê Văn Hùng"
    assert reply["text"] == "Chào anh, tôi là cán bộ."
    assert Browser(chat).thread() == []  # another browser sees nothing of it
    assert citizen.http.get("/chat/api/messages?after=x").status_code == 400
