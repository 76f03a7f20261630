"""Hypothesis strategies for webhook bodies: arbitrary bytes, arbitrary JSON, and real sample
payloads with one part replaced by arbitrary JSON (the likeliest way to reach deep parsing code).

Shared by the parser-level property tests (tests/unit) and the over-HTTP ones (tests/e2e).
"""
from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import strategies as st

from tests.conftest import ROOT, ZALO_APP_ID, load_payload


def examples(count: int) -> int:
    """A property test's example count, times PAKN_FUZZ_SCALE (`make fuzz` sets it)."""
    return count * max(1, int(os.environ.get("PAKN_FUZZ_SCALE", "1")))


FOLDER = {"telegram": "telegram", "facebook": "messenger", "zalo": "zalo"}
# Every webhook sample (api-* files are send-API bodies, not webhooks).
SAMPLES = {platform: sorted(p.name for p in (ROOT / "tests" / "payloads" / folder).glob("*.json")
                            if not p.name.startswith("api-"))
           for platform, folder in FOLDER.items()}

# Text with every kind of character, lone surrogates included (JSON can carry them as \\udXXX;
# hypothesis's characters() never draws them on its own).
any_text = st.text(st.one_of(st.characters(), st.integers(0xD800, 0xDFFF).map(chr)), max_size=30)
json_scalars = (st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30)
                | st.floats(allow_nan=True, allow_infinity=True) | any_text)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(any_text, inner, max_size=4), max_leaves=12)


def paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += paths(value, prefix + (key,))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += paths(value, prefix + (index,))
    return found


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(document))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


@st.composite
def mutated_samples(draw: st.DrawFn, platform: str) -> bytes:
    document = load_payload(FOLDER[platform], draw(st.sampled_from(SAMPLES[platform])))
    if platform == "zalo":
        document["app_id"] = ZALO_APP_ID  # so that the signature can be right
    path = draw(st.sampled_from(paths(document)))
    value = draw(json_values)
    body = json.dumps(replaced(document, path, value), ensure_ascii=draw(st.booleans()))
    return body.encode("utf-8", errors="surrogatepass")


def bodies(platform: str) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=300),
        json_values.map(lambda v: json.dumps(v).encode()),
        mutated_samples(platform),
    )




# -- well-formed, correctly signable messages with hostile values ---------------------------------
# Each platform's real message shape, with the text, name and ids drawn from what a hostile or
# broken client could put there: NUL and other control characters, decomposed diacritics, ids and
# names around the lengths the database keeps (channels.base: 255 / 512 / 255).

HOSTILE_CHARS = st.sampled_from(["\x00", "\x07", "\x1b", "\x7f", "\x85", "\t", "\n", "\r", "\u200b",
                                 "\u202e", "\ufeff", "e\u0301", "o\u031b\u0300", "\U0001f600"])
hostile_text = st.lists(st.one_of(HOSTILE_CHARS, st.text(max_size=8)), max_size=12).map("".join)


def _id(limit: int) -> st.SearchStrategy[str]:
    """An id whose length is drawn near the limit (and past it), or a plain short one."""
    lengths = st.sampled_from([1, 20, limit - 1, limit, limit + 1, limit * 2])
    return st.one_of(st.integers(1, 10**15).map(str),
                     lengths.flatmap(lambda n: st.text("0123456789abcdefABCDEF_-", min_size=n,
                                                       max_size=n)),
                     st.text(min_size=1, max_size=20))


@st.composite
def hostile_messages(draw: st.DrawFn, platform: str) -> tuple[bytes, str, str, str]:
    """(body, sender id, message id, text) of one incoming text message."""
    sender, text = draw(_id(255)), draw(hostile_text.filter(lambda t: t.strip()))
    if platform == "telegram":
        update_id = draw(st.integers(1, 2**31))
        document: dict[str, Any] = {"update_id": update_id, "message": {
            "message_id": 1, "date": 1764000000, "chat": {"id": sender, "type": "private"},
            "from": {"id": 1, "is_bot": False, "first_name": draw(hostile_text | _id(255))},
            "text": text}}
        message_id = str(update_id)
    elif platform == "facebook":
        message_id = draw(_id(512))
        document = {"object": "page", "entry": [{"id": "1", "time": 1764000000000, "messaging": [{
            "sender": {"id": sender}, "recipient": {"id": "1"}, "timestamp": 1764000000000,
            "message": {"mid": message_id, "text": text}}]}]}
    else:
        message_id = draw(_id(512))
        document = {"app_id": ZALO_APP_ID, "event_name": "user_send_text",
                    "timestamp": "1764000000000", "sender": {"id": sender},
                    "recipient": {"id": "579745863508352884"},
                    "message": {"msg_id": message_id, "text": text}}
    body = json.dumps(document, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    return body, sender, message_id, text


def signable(platform: str, body: bytes) -> bytes:
    """A Zalo body carries the app id its signature covers (any other is a stranger's: 403)."""
    if platform != "zalo":
        return body
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if not isinstance(document, dict):
        return body
    document["app_id"] = ZALO_APP_ID
    return json.dumps(document).encode("utf-8", "surrogatepass")


def signed_bodies(platform: str) -> st.SearchStrategy[bytes]:
    """bodies(), every one of which a correct signature can be made for."""
    return bodies(platform).map(lambda body: signable(platform, body))
