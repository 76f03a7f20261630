"""Files citizens upload through the web chat, kept under the data directory (var/uploads).

A file is accepted by what its first bytes are, not by the name or type the browser declares:
a renamed executable is refused even when it is called `anh.jpg`. Each stored file gets a random
token (`<32 hex>.<ext>`) that names it on disk and in the message's attachment; the original
name is kept only as the label staff and the citizen see.
"""
from __future__ import annotations

import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from settings import UploadSettings

logger = logging.getLogger(__name__)

# type -> (extension, attachment kind, how the file starts)
KNOWN_TYPES: dict[str, tuple[str, str, tuple[bytes, ...]]] = {
    "image/jpeg": ("jpg", "image", (b"\xff\xd8\xff",)),
    "image/png": ("png", "image", (b"\x89PNG\r\n\x1a\n",)),
    "application/pdf": ("pdf", "file", (b"%PDF-",)),
}
TOKEN = re.compile(r"^[0-9a-f]{32}\.(jpg|png|pdf)$")
CHUNK = 64 * 1024
NAME_LIMIT = 120


class UploadRefused(ValueError):
    """The file cannot be kept: `reason` is "too_large", "type" or "empty"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    types: tuple[str, ...]

    @classmethod
    def from_settings(cls, section: UploadSettings) -> "UploadLimits":
        unknown = [t for t in section.types if t not in KNOWN_TYPES]
        if unknown:
            raise ValueError(f"uploads.types: no signature known for {unknown}")
        return cls(section.max_bytes, section.types)

    @property
    def extensions(self) -> tuple[str, ...]:
        return tuple(KNOWN_TYPES[t][0] for t in self.types)


@dataclass(frozen=True)
class StoredFile:
    token: str
    name: str  # as the citizen's device named it (cleaned), for display only
    mime: str
    size: int
    kind: str  # "image" or "file", the attachment type every channel uses


class FileStore:
    def __init__(self, root: Path, limits: UploadLimits) -> None:
        self.root = root
        self.limits = limits

    @classmethod
    def from_settings(cls, section: UploadSettings) -> "FileStore":
        return cls(Path(section.dir), UploadLimits.from_settings(section))

    def save(self, stream: IO[bytes], filename: str) -> StoredFile:
        """Read at most the size limit, check the type from the content, write atomically.

        Raises:
            UploadRefused: too large, of a type not allowed, or empty.
        """
        data = _read_limited(stream, self.limits.max_bytes)
        if not data:
            raise UploadRefused("empty")
        mime = sniff(data, self.limits.types)
        if mime is None:
            raise UploadRefused("type")
        extension, kind, _ = KNOWN_TYPES[mime]
        token = f"{secrets.token_hex(16)}.{extension}"
        target = self.path(token)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        os.replace(partial, target)
        logger.info("stored upload %s (%s, %d bytes)", token, mime, len(data))
        return StoredFile(token, clean_name(filename, extension), mime, len(data), kind)

    def path(self, token: str) -> Path:
        """Where a token's file lives; ValueError for anything that is not a token we issue."""
        if not TOKEN.match(token):
            raise ValueError("not an upload token")
        return self.root / token[:2] / token

    def find(self, token: str) -> Path | None:
        try:
            path = self.path(token)
        except ValueError:
            return None
        return path if path.is_file() else None


def mime_of(token: str) -> str:
    extension = token.rsplit(".", 1)[-1]
    return next(t for t, (ext, _, _) in KNOWN_TYPES.items() if ext == extension)


def sniff(data: bytes, allowed: tuple[str, ...]) -> str | None:
    for mime in allowed:
        if any(data.startswith(magic) for magic in KNOWN_TYPES[mime][2]):
            return mime
    return None


def clean_name(filename: str, extension: str) -> str:
    """The last path part, without control characters, within NAME_LIMIT; a default when empty."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(c for c in name if c.isprintable()).strip()[:NAME_LIMIT]
    return name or f"tep-dinh-kem.{extension}"


def _read_limited(stream: IO[bytes], limit: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            return b"".join(parts)
        size += len(chunk)
        if size > limit:
            raise UploadRefused("too_large")
        parts.append(chunk)
