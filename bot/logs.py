"""Log output: one line per record as text, or one JSON object per line (`logging.format: json`)
for a log collector. Either way the records carry no personal data above DEBUG (CONVENTIONS 10;
tests/integration/test_logs_without_personal_data.py drives a whole conversation to check it)."""
from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import Any

from settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """{"time", "level", "logger", "message"[, "exception"]}: the fields a collector indexes."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
            "process": record.process, "thread": record.threadName}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(settings: Settings, verbose: bool = False) -> None:
    """Root logging for a command (serve, worker, scheduler, …) from the settings' `logging`."""
    options = settings.logging
    level = logging.DEBUG if verbose else getattr(logging, options.level.upper(), logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    if options.format.lower() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.DEBUG if verbose else logging.WARNING)
