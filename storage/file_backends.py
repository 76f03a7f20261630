"""Where stored files (web chat uploads, attachments downloaded from the platforms) live.

Two backends behind one small interface: the local filesystem under the data directory (the
default), or an S3-compatible object store (MinIO, Ceph, a cloud bucket) through boto3, chosen with
`uploads.backend`. Keys are the random tokens storage.uploads issues (`<32 hex>.<ext>`); both
backends spread them over 256 prefixes (`ab/ab….jpg`).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Protocol

from settings import UploadSettings

logger = logging.getLogger(__name__)


class FileBackend(Protocol):
    def put(self, key: str, data: bytes, mime: str) -> None: ...

    def get(self, key: str) -> bytes | None:
        """The file's bytes, or None when there is no such file."""

    def delete(self, key: str) -> None:
        """Remove the file; nothing happens when it is already gone."""


def _path_key(key: str) -> str:
    return f"{key[:2]}/{key}"


class LocalBackend:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / _path_key(key)

    def put(self, key: str, data: bytes, mime: str) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        os.replace(partial, target)  # atomic: a reader never sees half a file

    def get(self, key: str) -> bytes | None:
        path = self.path(key)
        return path.read_bytes() if path.is_file() else None

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


class S3Backend:
    """An S3-compatible bucket. Credentials come from boto3's usual sources (AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY in the environment, or the instance's role), never from config.yaml."""

    def __init__(self, bucket: str, endpoint_url: str | None = None, region: str | None = None,
                 prefix: str = "", client: Any = None) -> None:
        import boto3  # type: ignore[import-untyped]  # only where the S3 backend is chosen

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url or None,
                                             region_name=region or None)

    def object_key(self, key: str) -> str:
        return f"{self.prefix}/{_path_key(key)}" if self.prefix else _path_key(key)

    def put(self, key: str, data: bytes, mime: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.object_key(key), Body=data,
                               ContentType=mime)

    def get(self, key: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))
        except self.client.exceptions.NoSuchKey:
            return None
        return answer["Body"].read()  # type: ignore[no-any-return]

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.object_key(key))


def backend_from_settings(section: UploadSettings) -> FileBackend:
    """`uploads.backend`: "local" (files under `uploads.dir`) or "s3" (`uploads.s3.*`)."""
    if section.backend == "local":
        return LocalBackend(Path(section.dir))
    if section.backend == "s3":
        s3 = section.s3
        if not s3.bucket:
            raise ValueError("uploads.backend is s3 but uploads.s3.bucket is empty")
        return S3Backend(s3.bucket, s3.endpoint_url, s3.region, s3.prefix)
    raise ValueError(f"uploads.backend: {section.backend!r} is neither 'local' nor 's3'")
