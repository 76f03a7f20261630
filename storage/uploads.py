"""Files citizens send: uploads in the web chat and attachments downloaded from the platforms.

They are kept in a storage backend (storage.file_backends): the data directory (var/uploads) by
default, or an S3-compatible bucket.

A file is accepted by what its first bytes are, not by the name or type the browser declares:
a renamed executable is refused even when it is called `anh.jpg`. Each stored file gets a random
token (`<32 hex>.<ext>`) that names it on disk and in the message's attachment; the original
name is kept only as the label staff and the citizen see.
"""
from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from typing import IO

from settings import UploadSettings

from storage.file_backends import FileBackend, backend_from_settings

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
    def __init__(self, backend: FileBackend, limits: UploadLimits) -> None:
        self.backend = backend
        self.limits = limits

    @classmethod
    def from_settings(cls, section: UploadSettings) -> "FileStore":
        return cls(_backend(section), UploadLimits.from_settings(section))

    def save(self, stream: IO[bytes], filename: str) -> StoredFile:
        """Read at most the size limit, check the type from the content, store it.

        Raises:
            UploadRefused: too large, of a type not allowed, or empty.
        """
        return self.save_bytes(_read_limited(stream, self.limits.max_bytes), filename)

    def save_bytes(self, data: bytes, filename: str) -> StoredFile:
        """Check the size and the type from the content, store it under a new token.

        Raises:
            UploadRefused: too large, of a type not allowed, or empty.
        """
        if not data:
            raise UploadRefused("empty")
        if len(data) > self.limits.max_bytes:
            raise UploadRefused("too_large")
        mime = sniff(data, self.limits.types)
        if mime is None:
            raise UploadRefused("type")
        extension, kind, _ = KNOWN_TYPES[mime]
        token = f"{secrets.token_hex(16)}.{extension}"
        self.backend.put(token, data, mime)
        logger.info("stored file %s (%s, %d bytes)", token, mime, len(data))
        return StoredFile(token, clean_name(filename, extension), mime, len(data), kind)

    def read(self, token: str) -> bytes | None:
        """A stored file's bytes; None for anything that is not a token we issued, or is gone."""
        if not TOKEN.match(token):
            return None
        return self.backend.get(token)

    def delete(self, token: str) -> None:
        if TOKEN.match(token):
            self.backend.delete(token)

    def delete_all(self, tokens: list[str]) -> int:
        """Delete each file; how many could not be deleted (logged, the rest go on)."""
        missed = 0
        for token in tokens:
            try:
                self.delete(token)
            except Exception as error:  # an unreachable bucket must not stop the others
                missed += 1
                logger.warning("stored file %s not deleted: %s", token, type(error).__name__)
        return missed


_BACKENDS: dict[str, FileBackend] = {}


def _backend(section: UploadSettings) -> FileBackend:
    """One backend per configuration and process (an S3 client is costly to build per request)."""
    key = repr((section.backend, section.dir, section.s3))
    if key not in _BACKENDS:
        _BACKENDS[key] = backend_from_settings(section)
    return _BACKENDS[key]


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
