"""The web chat in Chromium on a phone (390×844) and a desktop (1366×900): after every reply the
text box, the send and attach buttons and the quick-reply buttons are on screen; a reload keeps
the thread (the citizen's own messages included) in order; a slow network never shows a message
twice; a photo attached in the page reaches the case and staff open it from the case page; a
staff reply is shown as from a person. Screenshots go to /tmp/webchat-shots/."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot import webchat_texts as W
from intake import messages as M
from tests.browser.conftest import PASSWORD
from tests.conftest import LiveApp, wait_until

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SHOTS = Path("/tmp/webchat-shots")
FIRST = "Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần rồi chưa có kết quả"
NAME, PHONE_NUMBER = "Nguyễn Văn An", "0912 345 678"
ADDRESS = "Số 12 ngõ 34 Trần Thái Tông, phường Cầu Giấy"
SUMMARY = M.SUMMARY.split("\n")[0]
FILED = M.FILED.split("\n")[0]
OFFICER = ("bt_vanphong", "Phạm Thu Hà")  # a focal point with a full name
# Every thread request answers late, by a different delay each time: responses overlap and
# come back out of order, as on a slow mobile network.
SLOW_NETWORK = """
(() => {
  const delays = [1400, 30, 700, 2100, 10, 900];
  let n = 0;
  const original = window.fetch.bind(window);
  window.fetch = (url, options) => original(url, options).then((response) => {
    if (String(url).indexOf("/chat/api/messages?") < 0) { return response; }
    const delay = delays[n++ % delays.length];
    return new Promise((resolve) => setTimeout(() => resolve(response), delay));
  });
})();
"""


class ChatPage:
    def __init__(self, browser: Any, live: LiveApp, viewport: dict[str, int], slow: bool = False) -> None:
        phone = viewport["width"] < 500
        self.context = browser.new_context(viewport=viewport, locale="vi-VN", is_mobile=phone,
                                           has_touch=phone, device_scale_factor=2 if phone else 1)
        self.page = self.context.new_page()
        if slow:
            self.page.add_init_script(SLOW_NETWORK)
        self.live = live
        self.viewport = viewport
        self.size = "phone" if phone else "desktop"
        self.page.goto(f"{live.url}/chat")

    def lines(self) -> list[tuple[str | None, str, str]]:
        """(message id, class, text) of every bubble, top to bottom."""
        return [tuple(item) for item in self.page.eval_on_selector_all(  # type: ignore[misc]
            "#thread li", "items => items.map(li => { const copy = li.cloneNode(true);"
                          " copy.querySelectorAll('.visually-hidden').forEach(e => e.remove());"
                          " return [li.dataset.messageId || null, li.className, copy.textContent]; })")]

    def conversation_id(self) -> int:
        first = wait_until(lambda: next((i for i, _, _ in self.lines() if i), None), message="an id")
        return int(self.live.query("SELECT conversation_id FROM messages WHERE id = :i", i=int(first))[0][0])

    def synced(self) -> list[tuple[str | None, str, str]]:
        """Wait until the page shows exactly the conversation's messages; the bubbles."""
        conversation = self.conversation_id()
        self.live.settle(conversation)
        stored = [str(r[0]) for r in self.live.query(
            "SELECT id FROM messages WHERE conversation_id = :c ORDER BY id", c=conversation)]
        wait_until(lambda: [i for i, _, _ in self.lines()] == stored, timeout=15,
                   message=f"page shows messages {stored}")
        return self.lines()

    def reply_to(self, action: Any, expected: str) -> None:
        """Do `action`, wait for the bot's reply containing `expected`, check the controls."""
        before = len(self.lines())
        action()
        wait_until(lambda: len(self.lines()) > before and any(
            expected in text for _, cls, text in self.lines()[before:] if "bot" in cls),
                   timeout=15, message=f"a reply with {expected!r}")
        self.synced()
        self.controls_on_screen()

    def say(self, text: str, expected: str) -> None:
        def typed() -> None:
            self.page.fill("#text", text)
            self.page.press("#text", "Enter")
        self.reply_to(typed, expected)

    def tap(self, title: str, expected: str) -> None:
        self.reply_to(lambda: self.page.locator("#buttons button", has_text=title).click(), expected)

    def controls_on_screen(self) -> None:
        """The composer, the attach button and every quick-reply button lie inside the viewport."""
        width, height = self.viewport["width"], self.viewport["height"]
        controls = ["#text", "#send", "label.attach"] + [
            f"#buttons button >> nth={n}" for n in range(self.page.locator("#buttons button").count())]
        for selector in controls:
            box = self.page.locator(selector).bounding_box()
            assert box is not None, selector
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (self.size, selector, box)
            assert box["y"] >= 0 and box["y"] + box["height"] <= height + 0.5, (self.size, selector, box)
        assert self.page.evaluate("document.documentElement.scrollWidth") <= width

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{self.size}-{name}.png"))


def photo(tmp_path: Path) -> Path:
    path = tmp_path / "giay-hen.jpg"
    image = Image.new("RGB", (640, 480), (240, 240, 235))
    for x in range(40, 600):
        for y in (60, 61, 140, 141, 220, 221):
            image.putpixel((x, y), (30, 30, 120))
    image.save(path, "JPEG")
    return path


def file_a_case_with_a_photo(chat: ChatPage, tmp_path: Path) -> str:
    """The whole intake in the page, a photo attached after the description; the case code."""
    wait_until(lambda: chat.page.locator("#buttons button").count() > 0, timeout=15,
               message="the greeting's menu")
    chat.synced()
    chat.controls_on_screen()
    chat.shot("1-start")
    chat.say(FIRST, M.ASK_NAME)

    def attach() -> None:
        chat.page.set_input_files("#file", str(photo(tmp_path)))
        assert chat.page.locator("#picked-name").inner_text() == "giay-hen.jpg"
        chat.page.click("#send")
    chat.reply_to(attach, M.ATTACHMENT_NOTED)
    image = chat.page.locator("#thread li.me img")
    assert image.count() == 1 and image.get_attribute("alt") == W.PAGE["photo_of"].format(name="giay-hen.jpg")
    wait_until(lambda: chat.page.evaluate("document.querySelector('#thread li.me img').naturalWidth") > 0,
               message="the photo shown in the thread")
    chat.shot("2-photo")
    chat.say(NAME, M.ASK_PHONE)
    chat.say(PHONE_NUMBER, M.ASK_ADDRESS)
    chat.say(ADDRESS, SUMMARY)  # publication is chosen on the summary itself
    chat.shot("3-summary")
    chat.tap(M.BUTTON_CONFIRM, FILED)
    chat.shot("4-filed")
    text = chat.page.locator("#thread").inner_text()
    return re.findall(r"PAKN-\d{4}-\d{6}", text)[-1]


def staff_login(browser: Any, live: LiveApp) -> Any:
    from storage.staff_services import create_user

    pakn = live.components
    with pakn.uow() as uow:
        if uow.staff.user_by_username(OFFICER[0]) is None:
            create_user(uow, pakn.ctx.catalogue, OFFICER[0], PASSWORD, "focal_point", full_name=OFFICER[1])
            uow.commit()
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live.url}/console/login")
    page.fill("input[name=username]", OFFICER[0])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/inbox")
    return page


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_citizen_files_with_a_photo_reloads_and_gets_a_staff_reply(
        browser: Any, live_app: LiveApp, tmp_path: Path, viewport: dict[str, int]) -> None:
    chat = ChatPage(browser, live_app, viewport)
    officer = None
    try:
        code = file_a_case_with_a_photo(chat, tmp_path)
        before = chat.synced()
        assert [text for _, cls, text in before if cls == "me"][:2] == [W.PAGE["greeting"], FIRST]
        ids = [int(i) for i, _, _ in before if i]
        assert ids == sorted(ids) and len(ids) == len(before)

        chat.page.reload()
        assert chat.synced() == before  # the whole thread, both sides, in order
        chat.controls_on_screen()
        assert chat.page.locator("#buttons button").count() == 0  # the last message had none
        chat.shot("5-reloaded")

        officer = staff_login(browser, live_app)
        officer.goto(f"{live_app.url}/console/cases/{code}")
        thumbnail = officer.locator("#attachments img")
        assert thumbnail.count() == 1
        wait_until(lambda: officer.evaluate("document.querySelector('#attachments img').naturalWidth") > 0,
                   message="the photo shown on the case page")
        assert "hình ảnh: giay-hen.jpg" in officer.locator("#timeline").inner_text()
        if chat.size == "phone":
            SHOTS.mkdir(parents=True, exist_ok=True)
            officer.screenshot(path=str(SHOTS / "staff-case-page.png"), full_page=True)
        href = officer.locator("#attachments a").get_attribute("href")
        opened = officer.request.get(f"{live_app.url}{href}")
        assert opened.status == 200 and opened.headers["content-type"] == "image/jpeg"
        assert opened.body() == photo(tmp_path).read_bytes()

        officer.click("text=xem cuộc trò chuyện")
        officer.fill("#reply-text", "Chào anh An, tôi đã nhận hồ sơ và sẽ báo kết quả trong tuần.")
        officer.click("#reply-send")
        staff_line = chat.page.locator("#thread li.staff")
        staff_line.wait_for(timeout=15000)
        assert staff_line.locator(".who").inner_text() == f"Cán bộ {OFFICER[1]}"
        assert "tôi đã nhận hồ sơ" in staff_line.inner_text()
        chat.synced()
        chat.controls_on_screen()
        chat.shot("6-staff-reply")
    finally:
        chat.context.close()
        if officer is not None:
            officer.context.close()


def test_a_slow_network_never_shows_a_message_twice(browser: Any, live_app: LiveApp) -> None:
    chat = ChatPage(browser, live_app, PHONE, slow=True)
    try:
        wait_until(lambda: chat.page.locator("#buttons button").count() > 0, timeout=20,
                   message="the greeting's menu")
        chat.say(FIRST, M.ASK_NAME)
        chat.say(NAME, M.ASK_PHONE)
        chat.page.fill("#text", PHONE_NUMBER)  # two messages in quick succession
        chat.page.press("#text", "Enter")
        chat.page.fill("#text", ADDRESS)
        chat.page.press("#text", "Enter")
        wait_until(lambda: any(SUMMARY in t for _, _, t in chat.lines()), timeout=20,
                   message="the summary")
        chat.page.wait_for_timeout(4000)  # several more slow polls return what the page has
        lines = chat.synced()
        ids = [i for i, _, _ in lines]
        assert None not in ids  # nothing left pending
        assert len(ids) == len(set(ids))
        counts = chat.page.evaluate(
            "() => { const n = {}; document.querySelectorAll('#thread li').forEach(li => {"
            " n[li.dataset.messageId] = (n[li.dataset.messageId] || 0) + 1; }); return n; }")
        assert set(counts.values()) == {1}
        assert [int(i) for i in ids] == sorted(int(i) for i in ids)
        chat.controls_on_screen()
        chat.shot("7-slow-network")

        # A file of another type is refused in the page, in Vietnamese, before any upload.
        uploads: list[str] = []
        chat.page.on("request", lambda r: uploads.append(r.url) if "/api/uploads" in r.url else None)
        chat.page.set_input_files("#file", {"name": "anh.gif", "mimeType": "image/gif",
                                            "buffer": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"})
        assert chat.page.locator("#status").inner_text().startswith("Chỉ nhận ảnh JPEG, ảnh PNG hoặc tệp PDF.")
        assert chat.page.locator("#picked").is_hidden() and uploads == []
    finally:
        chat.context.close()


def test_too_many_messages_are_refused_with_a_sentence_and_the_text_kept(browser: Any,
                                                                         live_app: LiveApp) -> None:
    """Issue 17: over the per-session limit the page says in Vietnamese when to try again, and
    what the citizen typed stays in the text box."""
    chat = ChatPage(browser, live_app, PHONE)
    limit = live_app.components.settings.public.chat_messages_per_session
    try:
        chat.synced()  # the page has greeted the bot: one message of this session
        sent = chat.page.evaluate("""(count) => Promise.all(Array.from({length: count}, (_, n) =>
            fetch('/chat/api/messages', {method: 'POST', credentials: 'same-origin',
              headers: {'Content-Type': 'application/json'},
              body: JSON.stringify({client_message_id: 'gui-nhanh-' + n, text: 'tin thứ ' + n})})
            .then(r => r.status)))""", limit - 1)
        assert sent == [202] * (limit - 1)
        chat.page.fill("#text", "Cho tôi hỏi thêm một việc")
        chat.page.press("#text", "Enter")
        status = chat.page.locator("#status")
        wait_until(lambda: W.TOO_MANY.format(minutes=1) in status.text_content(), timeout=10,
                   message="the refusal on the page")
        assert chat.page.input_value("#text") == "Cho tôi hỏi thêm một việc"
        chat.shot("too-many-messages")
    finally:
        chat.context.close()
