"""Was the right case filed? Each conversation is scored on the case a person would check: name,
phone, address, procedure group, agency, and a description holding the citizen's problem and
nothing foreign (no name, phone, side question or chit-chat appended); then the suite's figures."""
from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

from tests.roleplay.driver import Transcript
from tests.roleplay.script import Citizen, digits, fold, tokens

MAX_LINES = 24  # of a transcript in the report
COVERAGE = 0.85  # share of the problem's words the description must keep
# Words people use around contact details in a mixed message; not part of the problem.
CONTACT_CUES = set("e em toi minh mik ten la sdt sđt dt so dien thoai nha o dia chi dc lien he "
                   "ho va ho ten nha a so".split())
# Failure categories, in the order a conversation is judged.
CATEGORIES = ("error", "loop", "stuck", "no_case", "case_for_complaint", "redirect_incomplete",
              "extra_case", "wrong_group", "wrong_agency", "wrong_name", "wrong_phone", "wrong_address",
              "description_missing", "description_polluted", "english_not_answered",
              "dispute_not_reopened", "info_not_on_case")


@dataclass
class Score:
    citizen: Citizen
    transcript: Transcript
    failures: list[str]

    @property
    def right(self) -> bool:
        return not self.failures

    @property
    def category(self) -> str:
        return min(self.failures, key=CATEGORIES.index) if self.failures else ""


def tags(citizen: Citizen) -> list[str]:
    """The habits this citizen shows, for the per-habit figures."""
    found = {citizen.typing, citizen.style, f"contact:{citizen.contact}", *citizen.habits}
    found |= {a.kind for a in citizen.asides}
    for flag, tag in ((citizen.wrong, "correction"), (citizen.cancel, "cancel_undo"),
                      (citizen.english, "english"), (len(citizen.describe) > 1, "multi_message"),
                      (citizen.taps, "taps_buttons")):
        if flag:
            found.add(tag)
    if citizen.after is not None:
        found.add({"dispute": "dispute", "ask_info": "staff_asks_more", "redirect": "khieu_nai"}
                  [citizen.after.kind])
    return sorted(found)


def contains_run(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def _description_failures(c: Citizen, t: Transcript, text: str) -> list[str]:
    described = t.citizen_says("describe")
    words = tokens(text)
    contact = set(tokens(c.facts.name)) | set(tokens(c.facts.address)) | CONTACT_CUES
    problem = [w for m in described for w in tokens(m) if w not in contact and w not in digits(c.facts.phone)]
    kept = sum(1 for w in problem if w in set(words))
    failures = []
    if problem and kept / len(problem) < COVERAGE:
        failures.append("description_missing")
    described_words = [w for m in described for w in tokens(m)]
    for role in ("before", "side_question", "chit_chat", "contact", "correction", "cancel", "confirm",
                 "consent", "chat", "choice"):
        for message in t.citizen_says(role):
            run = tokens(message)
            if len(run) >= 2 and contains_run(words, run) and not contains_run(described_words, run):
                return failures + ["description_polluted"]
    phone = digits(c.facts.phone)
    if phone in digits(text) and phone not in "".join(digits(m) for m in described):
        failures.append("description_polluted")
    elif fold(c.facts.name) in fold(text) and fold(c.facts.name) not in fold(" ".join(described)):
        failures.append("description_polluted")
    return failures


def _case_failures(c: Citizen, t: Transcript) -> list[str]:
    case, f = t.filed, c.facts
    assert case is not None
    failures = []
    if case.procedure != f.procedure:
        failures.append("wrong_group")
    if case.agency != f.agency:
        failures.append("wrong_agency")
    if " ".join(tokens(case.name)) != " ".join(tokens(f.name)):
        failures.append("wrong_name")
    if digits(case.phone) != digits(f.phone):
        failures.append("wrong_phone")
    numbers = [w for w in tokens(f.address) if w.isdigit()]
    got = tokens(case.address)
    if not contains_run(got, tokens(f.street)) or any(n not in got for n in numbers) \
            or digits(f.phone) in digits(case.address):
        failures.append("wrong_address")
    return failures + _description_failures(c, t, case.text)


def _where_and_how(text: str) -> bool:
    """A phone number (8+ digits), a street address ('số 1 …') or a link, not just a decree's number."""
    folded = fold(text)
    return bool(re.search(r"(\d[\s.]?){8,}", text) or re.search(r"\bso \d+[a-z]?\b", folded)
                or "http" in folded or ".gov.vn" in folded)


def _redirected(t: Transcript) -> bool:
    """Told where and how: Ban Tiếp công dân with its address, phone or link, both when the
    complaint is read and when the citizen asks 'gửi ở đâu?' afterwards."""
    asked = next((i for i, line in enumerate(t.lines) if line.who == "citizen" and line.role == "after"),
                 None)
    parts = [t.lines] if asked is None else [t.lines[:asked], t.lines[asked:]]
    return all(any(line.who == "bot" and "tiep cong dan" in fold(line.text) and _where_and_how(line.text)
                   for line in part) for part in parts)


def score(t: Transcript) -> Score:
    c = t.citizen
    failures: list[str] = []
    if t.error:
        failures.append("error")
    if c.expect == "redirect":
        if t.filed is not None:
            failures.append("case_for_complaint")
        elif not _redirected(t):
            failures.append("redirect_incomplete")
        return Score(c, t, failures)
    if t.filed is None:
        failures.append(t.gave_up or "no_case")
        return Score(c, t, failures)
    failures += _case_failures(c, t)
    if t.extra_cases:
        failures.append("extra_case")
    if c.english and not _answered_in_english(t):
        failures.append("english_not_answered")
    after, final = c.after, t.final
    if after is not None and after.kind == "dispute" and (final is None or final.status != "reopened"):
        failures.append("dispute_not_reopened")
    if after is not None and after.kind == "ask_info" and (
            final is None or not any(fold(after.key) in fold(line) for line in final.timeline)):
        failures.append("info_not_on_case")
    return Score(c, t, failures)


def _answered_in_english(t: Transcript) -> bool:
    """The bot's first reply after the English message is in English."""
    lines = t.lines
    first = next((i for i, line in enumerate(lines) if line.who == "citizen"), None)
    reply = next((line.text for line in lines[(first or 0) + 1:] if line.who == "bot"), "")
    english = {"the", "you", "please", "hotline", "staff", "english", "sorry", "we", "can", "call"}
    return reply.isascii() or len(english & set(tokens(reply))) >= 3


# -- figures ---------------------------------------------------------------------------------------

def percentile(values: list[int], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return float(ordered[index])


@dataclass
class Figures:
    total: int
    right: int
    median_turns: float
    p90_turns: float
    by_habit: dict[str, tuple[int, int]]  # habit -> (right, total)
    by_category: dict[str, int]

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 0.0


def figures(scores: list[Score]) -> Figures:
    turns = [s.transcript.turns for s in scores if s.citizen.expect == "case"]
    by_habit: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for s in scores:
        for tag in tags(s.citizen):
            by_habit[tag][0] += int(s.right)
            by_habit[tag][1] += 1
    return Figures(len(scores), sum(s.right for s in scores), statistics.median(turns) if turns else 0.0,
                   percentile(turns, 0.9), {k: (v[0], v[1]) for k, v in sorted(by_habit.items())},
                   dict(Counter(s.category for s in scores if not s.right).most_common()))


def transcript_text(s: Score, width: int = 160) -> str:
    """A short transcript: each line cut to `width` characters."""
    out = [f"--- {s.citizen.id} [{', '.join(tags(s.citizen))}] -> {', '.join(s.failures)}"]
    lines = s.transcript.lines
    if len(lines) > MAX_LINES:  # a loop: its start and its end tell the story
        lines = lines[: MAX_LINES - 4] + [type(lines[0])("...", f"({len(lines) - MAX_LINES} lines)")] \
            + lines[-3:]
    for line in lines:
        text = " ".join(line.text.split())
        text = text if len(text) <= width else text[: width - 1] + "…"
        out.append(f"  {line.who:7s}> {text}")
    case = s.transcript.filed
    if case is not None:
        out.append(f"  case   : {case.procedure}/{case.agency} name={case.name!r} phone={case.phone!r} "
                   f"address={case.address!r}")
        out.append(f"           text={' '.join(case.text.split())[:width]!r}")
    if s.transcript.final is not None and s.citizen.after is not None:
        out.append(f"  after  : status={s.transcript.final.status}")
    if s.transcript.error:
        out.append(f"  error  : {s.transcript.error}")
    return "\n".join(out)


def report(scores: list[Score], seconds: float) -> str:
    fig = figures(scores)
    lines = [f"Role-play suite: {fig.right}/{fig.total} conversations end with the right case "
             f"({fig.share:.1%}; target 97 %), citizen turns median {fig.median_turns:g} "
             f"(target <= 5), p90 {fig.p90_turns:g}; {seconds:.1f} s",
             "", f"{'habit':28s}{'right':>8s}{'total':>7s}{'share':>8s}"]
    for habit, (right, total) in fig.by_habit.items():
        lines.append(f"{habit:28s}{right:8d}{total:7d}{right / total:8.0%}")
    lines += ["", "failures by cause: " + ", ".join(f"{k} {v}" for k, v in fig.by_category.items())]
    for s in sorted((s for s in scores if not s.right), key=lambda s: (s.category, s.citizen.id)):
        lines += ["", transcript_text(s)]
    return "\n".join(lines)
