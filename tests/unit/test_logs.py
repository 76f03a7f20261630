"""`logging.format: json` (or PAKN_LOG_FORMAT=json): one JSON object per line with time, level,
logger and message, Vietnamese kept readable; text stays the default."""
from __future__ import annotations

import json
import logging
from typing import Iterator

import pytest

from bot.config import load_settings
from bot.logs import configure


@pytest.fixture
def root_handlers() -> Iterator[None]:
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = saved, level


def test_json_lines_from_the_environment(root_handlers: None, tmp_path: object,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(environ={"PAKN_LOG_FORMAT": "json"})
    configure(settings)
    logging.getLogger("outbox.dispatcher").info("outbox row %s sent on %s", 12, "zalo")
    logging.getLogger("x").debug("not at INFO")
    try:
        raise ValueError("mất kết nối")
    except ValueError:
        logging.getLogger("bot").exception("send failed")
    lines = capsys.readouterr().err.strip().splitlines()
    first, second = (json.loads(line) for line in lines[:1] + ["\n".join(lines[1:])])
    assert first["level"] == "INFO" and first["logger"] == "outbox.dispatcher"
    assert first["message"] == "outbox row 12 sent on zalo" and first["time"].endswith("+00:00")
    assert second["level"] == "ERROR" and "ValueError: mất kết nối" in second["exception"]


def test_text_is_the_default(root_handlers: None, capsys: pytest.CaptureFixture[str]) -> None:
    configure(load_settings(environ={}))
    logging.getLogger("bot").warning("plain line")
    assert capsys.readouterr().err.strip().endswith("WARNING bot: plain line")
