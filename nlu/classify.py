"""Batch classification: JSON lines with `text` in, one JSON line of labels out per input line.

Every input line gets exactly one output line, in order (blank and invalid lines get an error
object), so outputs can be zipped with inputs. Only the NLU is built, not the database or the
channels, and output is written in chunks: thousands of lines take a few seconds.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from nlu.factory import build_nlu_service
from nlu.service import NluService
from settings import Settings

logger = logging.getLogger(__name__)
PRIMARY_WAIT_SECONDS = 300.0
ENTITY_KEYS = ("entity", "value", "start", "end", "extractor")
FLUSH_EVERY = 256


def service_from_settings(settings: Settings) -> NluService:
    from nlu.entities import EntityExtractor
    from storage.catalogue_files import load_catalogue, load_ward_aliases

    catalogue_dir = Path(settings.catalogue_dir)
    catalogue = load_catalogue(catalogue_dir)
    service = build_nlu_service(settings.nlu, catalogue,
                                EntityExtractor(catalogue, load_ward_aliases(catalogue_dir)))
    service.reload_if_changed(force=True)
    if service.primary is not None and not service.wait_for_primary(PRIMARY_WAIT_SECONDS):
        logger.warning("classifying with the built-in model: %s", service.degraded_reason)
    return service


def classify_line(service: NluService, number: int, line: str) -> dict[str, Any]:
    try:
        item = json.loads(line)
        if not isinstance(item, dict) or "text" not in item:
            raise ValueError("expected an object with a \"text\" field")
        text = item["text"]
        if not isinstance(text, str):
            raise ValueError("\"text\" is not a string")
    except ValueError as error:
        return {"line": number, "error": f"invalid input: {error}"}
    result = service.parse(text)
    return {"line": number, "text": text, "intent": result.intent, "procedure": result.procedure,
            "agency": result.agency, "confidence": round(result.confidence, 4),
            "backend": result.backend,
            "entities": [{k: e[k] for k in ENTITY_KEYS} for e in result.entities]}


def classify_stream(service: NluService, lines: Iterable[str], out: TextIO) -> int:
    """Classify every line; returns the number of lines that were errors."""
    failures = 0
    buffer: list[str] = []
    for number, line in enumerate(lines, 1):
        answer = classify_line(service, number, line)
        failures += "error" in answer
        buffer.append(json.dumps(answer, ensure_ascii=False))
        if len(buffer) >= FLUSH_EVERY:
            out.write("\n".join(buffer) + "\n")
            buffer.clear()
    if buffer:
        out.write("\n".join(buffer) + "\n")
    out.flush()
    return failures
