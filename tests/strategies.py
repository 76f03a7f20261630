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


