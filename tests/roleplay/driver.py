"""An adaptive scripted citizen: it reads each reply of the bot and answers what is asked, in its
own habit, like a person would, until a case is filed or it gives up (a turn cap, so that a loop is
a failure and never a hang)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from tests.roleplay.harness import BotReply, BotUnderTest, FiledCase
from tests.roleplay.script import Citizen, digits, fold, phrase

MAX_TURNS = 15
CONTACT_FIELDS = ("name", "phone", "address")


@dataclass
class Line:
    who: str  # "citizen" | "bot" | "staff"
    text: str
    role: str = ""  # what the citizen meant: describe, contact, side, confirm, cancel, ...


@dataclass
class Transcript:
    citizen: Citizen
    sender: str
    lines: list[Line] = field(default_factory=list)
    turns: int = 0  # citizen messages until the case was filed (or the conversation ended)
    after_turns: int = 0
    gave_up: str = ""  # why the citizen stopped without a case: "loop", "stuck"
    filed: FiledCase | None = None  # as it was right after filing
    final: FiledCase | None = None  # after the post-filing phase
    extra_cases: int = 0
    error: str = ""

    def citizen_says(self, role: str) -> list[str]:
        return [line.text for line in self.lines if line.who == "citizen" and line.role == role]

    def bot_texts(self) -> list[str]:
        return [line.text for line in self.lines if line.who == "bot"]


def asked(replies: list[BotReply]) -> set[str]:
    """What the bot's last reply asks for, read the way a person reads it."""
    if not replies:
        return {"nothing"}
    last = replies[-1]
    text = fold(last.text)
    line = fold(last.text.strip().splitlines()[-1]) if last.text.strip() else ""
    payloads = " ".join(p for _, p in last.buttons)
    titles = fold(" ".join(t for t, _ in last.buttons))
    if "/procedure:" in payloads or ("linh vuc" in text and "khac" in titles):
        return {"procedure_menu"}
    if "gui phan anh nay" in text or "kiem tra lai thong tin" in text or "/confirm" in payloads.split():
        return {"summary"}
    if re.search(r"(dung khong|phai khong|co dung|dung chua)\s*\??\s*$", line):
        return {"verify"}
    if re.search(r"chac (chan )?muon huy|co muon huy|xac nhan huy", text):
        return {"confirm_cancel"}
    if "cong khai" in text and ("dong y" in text or "/consent" in payloads):
        return {"consent"}
    wanted = {f for f, words in (("name", r"\bho (va )?ten\b|\bten (cua|day du)"),
                                 ("phone", r"so dien thoai|\bsdt\b|so di dong"),
                                 ("address", r"dia chi")) if re.search(words, line)}
    if wanted:
        return wanted
    if re.search(r"muon gui phan anh|gui phan anh (khong|ve viec nay)", line):
        return {"offer_file"}
    if "mo ta" in line or "noi dung can bo sung" in line:
        return {"describe"}
    if "thong tin nao" in line:
        return {"edit_menu"}
    return {"other"}


class Conversation:
    """One citizen talking to the bot; `run()` returns the transcript."""

    def __init__(self, bot: BotUnderTest, citizen: Citizen, sender: str) -> None:
        self.bot = bot
        self.c = citizen
        self.t = Transcript(citizen, sender)
        self.used: set[str] = set()  # asides, wrong values, cancels already played
        self.pending_fix: str | None = None
        self.asked_before: set[str] = set()
        self.others = 0  # replies in a row that asked nothing the citizen can answer

    # -- talking ------------------------------------------------------------------------------------

    def say(self, text: str, role: str, payload: str | None = None) -> list[BotReply]:
        self.t.lines.append(Line("citizen", text, role))
        if self.t.filed is None:
            self.t.turns += 1
        else:
            self.t.after_turns += 1
        replies = self.bot.send(self.t.sender, text, payload)
        self.t.lines += [Line("bot", r.text + "".join(f" [{t}]" for t, _ in r.buttons)) for r in replies]
        return replies

    def tap(self, replies: list[BotReply], wanted: str, fallback: str, role: str) -> list[BotReply]:
        """Choose the button whose payload or title contains `wanted`: tapped, or typed as its
        number or title; without such a button the citizen types `fallback`."""
        buttons = replies[-1].buttons if replies else ()
        for number, (title, payload) in enumerate(buttons, 1):
            if wanted in payload or fold(wanted) in fold(title):
                if self.c.taps:
                    return self.say(title, role, payload)
                typed = str(number) if self.c.variant("number" + wanted, 2) else title
                return self.say(self.c.typed(typed), role)
        return self.say(fallback, role)

    def run(self) -> Transcript:
        try:
            self._intake()
            if self.t.filed is not None or self.c.expect == "redirect":
                self._after()
        except Exception as error:  # the bot raised: a failure of that conversation, reported
            self.t.error = f"{type(error).__name__}: {error}"
        return self.t

    def _check_filed(self) -> bool:
        codes = self.bot.case_codes(self.t.sender)
        if codes and self.t.filed is None:
            self.t.filed = self.bot.case(codes[0])
            self.t.extra_cases = len(codes) - 1
        return bool(codes)

    def _intake(self) -> None:
        replies: list[BotReply] = []
        for text in self.c.before:
            replies = self.say(self.c.typed(text), "before")
            if "offer_file" in asked(replies):
                replies = self.say(phrase(self.c, "want_file"), "chat")
        replies = self._describe()
        while not self._check_filed():
            if self.t.turns >= MAX_TURNS:
                self.t.gave_up = "loop"
                return
            next_replies = self._respond(replies)
            if next_replies is None:
                self.t.gave_up = "stuck"
                return
            replies = next_replies

    def _describe(self) -> list[BotReply]:
        replies: list[BotReply] = []
        for text in self.c.describe:  # several messages in a burst, as people type on Zalo
            replies = self.say(self.c.typed(text), "describe")
        return replies

    # -- answering what is asked ----------------------------------------------------------------------

    def _respond(self, replies: list[BotReply]) -> list[BotReply] | None:
        wants = asked(replies)
        kind = next(iter(wants)) if len(wants) == 1 else "contact"
        first_time = kind not in self.asked_before
        self.asked_before.add(kind)
        if self.c.expect == "redirect" and kind == "other":
            return None  # told where to go: the after phase asks the follow-up
        scripted = self._scripted(kind, wants, first_time, replies)
        if scripted is not None:
            return scripted
        if wants <= set(CONTACT_FIELDS):
            return self._contact(wants)
        handler = {"consent": self._consent, "summary": self._confirm, "verify": self._verify,
                   "procedure_menu": self._choose_group, "confirm_cancel": self._keep_draft,
                   "offer_file": lambda r: self.say(phrase(self.c, "want_file"), "chat"),
                   "describe": self._describe_again, "edit_menu": self._edit_menu}.get(kind)
        if handler is not None:
            self.others = 0
            return handler(replies)
        return self._lost(replies)

    def _scripted(self, kind: str, wants: set[str], first_time: bool,
                  replies: list[BotReply]) -> list[BotReply] | None:
        """A side question, a cancel, a fix or a wrong value the script plays at this question."""
        is_contact = bool(wants & set(CONTACT_FIELDS))
        if self.pending_fix and (self.c.wrong and (self.c.wrong.fix_at == "next" or kind == "summary")):
            fix, self.pending_fix = self.pending_fix, None
            return self.say(self.c.typed(fix), "correction")
        for index, aside in enumerate(self.c.asides):
            key = f"aside{index}"
            if key not in self.used and (aside.at == kind or (aside.at == "contact" and is_contact)
                                         or aside.at in wants):
                self.used.add(key)
                return self.say(self.c.typed(aside.say), aside.kind)
        cancel = self.c.cancel
        if cancel and "cancel" not in self.used and (cancel.at == kind or cancel.at in wants):
            self.used.add("cancel")
            self.say(self.c.typed(cancel.cancel), "cancel")
            return self.say(self.c.typed(cancel.undo), "cancel")
        wrong = self.c.wrong
        if wrong and "wrong" not in self.used and wrong.field in wants:
            self.used.add("wrong")
            self.pending_fix = wrong.fix
            return self.say(self.c.typed(wrong.value), "contact")
        return None

    def _values(self) -> dict[str, str]:
        f = self.c.facts
        return {"name": f.name, "phone": f.phone, "address": f.address}

    def _contact(self, wants: set[str]) -> list[BotReply]:
        self.others = 0
        values = self._values()
        first = "contact" not in self.used
        self.used.add("contact")
        if first and self.c.contact == "all_at_once":
            return self.say(phrase(self.c, "all", **values), "contact")
        if first and self.c.contact == "name_phone" and "name" in wants:
            return self.say(phrase(self.c, "name_phone", **values), "contact")
        if wants == set(CONTACT_FIELDS):
            return self.say(phrase(self.c, "all", **values), "contact")
        parts = [phrase(self.c, f, **values) for f in CONTACT_FIELDS if f in wants]
        return self.say(", ".join(parts), "contact")

    def _consent(self, replies: list[BotReply]) -> list[BotReply]:
        what = "consent_yes" if self.c.consent else "consent_no"
        return self.tap(replies, "/consent:yes" if self.c.consent else "/consent:no",
                        phrase(self.c, what), "consent")

    def _confirm(self, replies: list[BotReply]) -> list[BotReply]:
        """Send it; a citizen who does not want the result published takes the summary's 'Gửi,
        không công khai' where it offers one (the publication choice is part of the summary)."""
        buttons = replies[-1].buttons if replies else ()
        if not self.c.consent and any(p == "/confirm:private" for _, p in buttons):
            return self.tap(replies, "/confirm:private", phrase(self.c, "consent_no"), "confirm")
        return self.tap(replies, "/confirm", phrase(self.c, "confirm"), "confirm")

    def _verify(self, replies: list[BotReply]) -> list[BotReply]:
        """'Tên Ông/Bà là …, đúng không?': yes if it is right, else the right value."""
        line = fold(replies[-1].text.strip().splitlines()[-1])
        f = self.c.facts
        checks = ((fold(f.name), "name"), (digits(f.phone), "phone"), (fold(f.street), "address"))
        for value, name in checks:
            if value and (value in line or (name == "phone" and value in digits(line))):
                return self.say(phrase(self.c, "yes"), "confirm")
        for value, name in checks:
            if re.search({"name": r"\bten\b", "phone": r"dien thoai|\bso\b",
                          "address": r"dia chi|\bo\b"}[name], line):
                return self.say(phrase(self.c, name, **self._values()), "contact")
        return self.say(phrase(self.c, "yes"), "confirm")

    def _choose_group(self, replies: list[BotReply]) -> list[BotReply]:
        return self.tap(replies, "/procedure:" + self.c.facts.procedure,
                        self.c.typed("Lĩnh vực khác"), "choice") if self._offers_group(replies) \
            else self.tap(replies, "/procedure:other", self.c.typed("Lĩnh vực khác"), "choice")

    def _offers_group(self, replies: list[BotReply]) -> bool:
        return any(p.endswith(":" + self.c.facts.procedure) for _, p in replies[-1].buttons)

    def _keep_draft(self, replies: list[BotReply]) -> list[BotReply]:
        return self.say(self.c.typed(self.c.cancel.undo if self.c.cancel else "Không"), "cancel")

    def _describe_again(self, replies: list[BotReply]) -> list[BotReply]:
        if self.c.more and "more" not in self.used:
            self.used.add("more")
            return self.say(self.c.typed(self.c.more), "describe")
        return self.say(self.c.typed(" ".join(self.c.describe)), "describe")

    def _edit_menu(self, replies: list[BotReply]) -> list[BotReply]:
        return self.tap(replies, "/confirm", self.c.typed("Không sửa gì, gửi đi"), "confirm")

    def _lost(self, replies: list[BotReply]) -> list[BotReply] | None:
        """A reply that asks nothing the citizen can answer (a menu, a help text, a lost draft):
        the citizen tells the problem again, then taps "Gửi phản ánh", then gives up."""
        self.others += 1
        if self.others >= 3:
            return None
        buttons = replies[-1].buttons if replies else ()
        if self.others == 2 and any(p.startswith("/file") for _, p in buttons):
            return self.tap(replies, "/file", self.c.typed("Gửi phản ánh"), "chat")
        return self._describe()

    # -- after filing -------------------------------------------------------------------------------

    def _after(self) -> None:
        after = self.c.after
        if after is None:
            return
        if after.kind == "redirect":
            for text in after.say:
                self.say(self.c.typed(text), "after")
            return
        assert self.t.filed is not None
        code = self.t.filed.code
        if after.kind == "dispute":
            self.bot.answer(code, after.staff, self.c.facts.ward)
            self.t.lines.append(Line("staff", f"(trả lời) {after.staff}"))
            if after.between == "survey":
                self.bot.close_and_survey(code)
                self.t.lines.append(Line("staff", "(đóng hồ sơ, bắt đầu khảo sát)"))
        elif after.kind == "ask_info":
            self.bot.ask_info(code, after.staff)
            self.t.lines.append(Line("staff", f"(đề nghị bổ sung) {after.staff}"))
        for text in after.say:
            self.say(self.c.typed(text), "after")
        self.t.final = self.bot.case(code)
        self.t.extra_cases = len(self.bot.case_codes(self.t.sender)) - 1
