"""Webhook bodies as the platforms send them: compact JSON bytes and their signature headers
(channels.md §1.1, §2.1, §3 and the test vectors in §4)."""
from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any


def compact(document: Any) -> bytes:
    """Compact UTF-8 JSON, the byte form the §4 test vectors were computed over."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def telegram_headers(secret: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return headers


def messenger_signature(app_secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def messenger_sha1_signature(app_secret: str, body: bytes) -> str:
    return "sha1=" + hmac.new(app_secret.encode(), body, hashlib.sha1).hexdigest()


def messenger_headers(app_secret: str | None, body: bytes) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if app_secret is not None:
        headers["X-Hub-Signature-256"] = messenger_signature(app_secret, body)
        headers["X-Hub-Signature"] = messenger_sha1_signature(app_secret, body)
    return headers


def zalo_signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """mac=sha256(app_id + raw body + timestamp + OA secret key): a plain hash, not an HMAC."""
    material = app_id.encode() + body + timestamp.encode() + oa_secret_key.encode()
    return "mac=" + hashlib.sha256(material).hexdigest()


def zalo_headers(oa_secret_key: str | None, body: bytes) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if oa_secret_key is not None:
        document = json.loads(body)
        headers["X-ZEvent-Signature"] = zalo_signature(str(document.get("app_id", "")), body,
                                                       str(document.get("timestamp", "")), oa_secret_key)
    return headers
