"""Attachments downloaded into the file store, on SQLite and PostgreSQL, with the local directory
and an S3-compatible bucket (moto's server on 127.0.0.1: no traffic leaves the machine).

The downloader is run by hand with a controlled clock: a photo is kept in the bucket and opens
after its link expired; a CDN that keeps failing is retried with doubling waits, then the row is
`failed` for good; files larger than the limit or of another type are refused from their content.
"""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
from PIL import Image

from channels.base import Attachment, IncomingMessage
from channels.facebook import FacebookChannel
from intake.attachments import AttachmentDownloader, DownloadPolicy
from storage.file_backends import S3Backend
from storage.orm import attachment_downloads
from storage.uploads import FileStore, UploadLimits, UploadRefused
from tests.fakes import FakeGraph
from tests.fakes.server import CannedResponse
from tests.integration.console_support import Console, make_console

BUCKET = "pakn-tep"
START = datetime(2027, 3, 1, 2, 0, tzinfo=timezone.utc)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (1, 2, 3)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh bucket; credentials from the environment, as in production."""
    import boto3

    for name, value in {"AWS_ACCESS_KEY_ID": "kiemthu", "AWS_SECRET_ACCESS_KEY": "kiemthu",
                        "AWS_DEFAULT_REGION": "ap-southeast-1",
                        "AWS_EC2_METADATA_DISABLED": "true"}.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    if BUCKET not in [b["Name"] for b in client.list_buckets()["Buckets"]]:
        client.create_bucket(Bucket=BUCKET,
                             CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
    return s3_endpoint


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    with FakeGraph("page-token") as fake:
        yield fake  # type: ignore[misc]


def s3_settings(endpoint: str) -> dict[str, Any]:
    return {"uploads": {"backend": "s3", "s3": {"bucket": BUCKET, "endpoint_url": endpoint,
                                                "prefix": "pakn"}}}


def test_the_s3_backend_keeps_checks_and_deletes_files(s3: str) -> None:
    store = FileStore(S3Backend(BUCKET, s3, prefix="pakn"),
                      UploadLimits(1000, ("image/jpeg", "application/pdf")))
    stored = store.save_bytes(b"%PDF-1.4 giay hen", "giấy hẹn.pdf")
    assert (stored.mime, stored.name) == ("application/pdf", "giấy hẹn.pdf")
    assert store.read(stored.token) == b"%PDF-1.4 giay hen"
    import boto3
    keys = [o["Key"] for o in boto3.client("s3", endpoint_url=s3).list_objects_v2(
        Bucket=BUCKET, Prefix="pakn/")["Contents"]]
    assert f"pakn/{stored.token[:2]}/{stored.token}" in keys
    for data, reason in ((b"MZ\x90\x00", "type"), (b"%PDF" + b"x" * 1000, "too_large"),
                         (b"", "empty")):
        with pytest.raises(UploadRefused) as refused:
            store.save_bytes(data, "anh.jpg")
        assert refused.value.reason == reason
    store.delete(stored.token)
    assert store.read(stored.token) is None
    assert store.read("../../etc/passwd") is None


def _app(tmp_path: Path, models: Path, database_url: str, extra: dict[str, Any]) -> Console:
    return make_console(tmp_path, models, extra, database_url=database_url)


def _downloader(console: Console, graph: FakeGraph, clock: list[datetime]) -> AttachmentDownloader:
    pakn = console.pakn
    channel = FacebookChannel("app-secret", "verify", "page-token", graph.url)
    return AttachmentDownloader(pakn.uow, {"facebook": channel},
                                FileStore.from_settings(pakn.settings.uploads),
                                DownloadPolicy(attempts=3, backoff_seconds=60, hosts=("127.0.0.1",)),
                                clock=lambda: clock[0])


def _row(console: Console) -> Any:
    with console.pakn.read() as db:
        return db.execute(attachment_downloads.select()).one()


def _photo_message(console: Console, url: str) -> int:
    message_id = console.pakn.pipeline.record(IncomingMessage(
        "facebook", "2400", f"m_{url[-12:]}", "", START, attachments=(Attachment("image", url),)))
    assert message_id is not None
    return int(message_id)


@pytest.mark.parametrize("backend", ["local", "s3"])
def test_a_photo_is_kept_in_the_store_and_opens_after_its_link_expired(
        backend: str, database_url: str, tmp_path: Path, nlu_models_dir: Path, graph: FakeGraph,
        request: pytest.FixtureRequest) -> None:
    extra = s3_settings(request.getfixturevalue("s3")) if backend == "s3" else \
        {"uploads": {"dir": str(tmp_path / "uploads")}}
    console = _app(tmp_path, nlu_models_dir, database_url, extra)
    photo = jpeg()
    url = graph.serve_file(photo)
    clock = [START]
    downloader = _downloader(console, graph, clock)
    message_id = _photo_message(console, url)
    assert downloader.register(message_id) == 1
    assert downloader.register(message_id) == 0  # recover() after a crash: not twice
    assert downloader.run_due() == {"stored": 1, "retry": 0, "failed": 0}
    graph.expire_files()
    (row,) = console.query("SELECT * FROM attachment_downloads")
    assert (row.status, row.mime, row.size) == ("stored", "image/jpeg", len(photo))
    assert FileStore.from_settings(console.pakn.settings.uploads).read(row.token) == photo
    assert len(graph.file_requests()) == 1


def test_a_link_outside_the_platforms_cdns_is_never_fetched(
        database_url: str, tmp_path: Path, nlu_models_dir: Path, graph: FakeGraph) -> None:
    console = _app(tmp_path, nlu_models_dir, database_url, {"uploads": {"dir": str(tmp_path)}})
    url = graph.serve_file(jpeg()).replace("127.0.0.1", "localhost")  # an internal address
    downloader = _downloader(console, graph, [START])
    downloader.register(_photo_message(console, url))
    assert downloader.run_due() == {"stored": 0, "retry": 0, "failed": 1}
    assert (_row(console).last_error, graph.file_requests()) == ("host not allowed", [])
    assert DownloadPolicy().allows("https://scontent.xx.fbcdn.net/v/t1.15752-9/anh.jpg?oh=1")
    assert DownloadPolicy().allows("https://dlfl.zdn.vn/tep.pdf")
    assert not DownloadPolicy().allows("https://fbcdn.net.evil.example/anh.jpg")


def test_a_cdn_that_keeps_failing_is_retried_with_doubling_waits_then_given_up(
        database_url: str, tmp_path: Path, nlu_models_dir: Path, graph: FakeGraph) -> None:
    console = _app(tmp_path, nlu_models_dir, database_url, {"uploads": {"dir": str(tmp_path)}})
    url = graph.serve_file(jpeg())
    graph.enqueue(*[CannedResponse(502, "Bad Gateway", path_suffix="/photo.jpg")] * 3)
    clock = [START]
    downloader = _downloader(console, graph, clock)
    downloader.register(_photo_message(console, url))
    waits = []
    for _ in range(3):
        assert downloader.run_due()["stored"] == 0
        row = _row(console)
        if row.next_attempt_at is None:
            break
        due = row.next_attempt_at
        waits.append(due - clock[0])
        assert downloader.run_due() == {"stored": 0, "retry": 0, "failed": 0}  # not due yet
        clock[0] = due
    assert waits == [timedelta(seconds=60), timedelta(seconds=120)]
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "HTTP 502")
    assert len(graph.file_requests()) == 3
