"""Open311 API keys (issue 17): listed, made and revoked from the CLI (`python -m bot open311 keys`)
and from the console's admin page; a revoked key is refused from the next request on; a key is
accepted in the X-API-Key header or the POST body, never in the query string (a 400 that says
why, on every endpoint). SQLite and PostgreSQL."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.cli import main
from console import open311
from console import texts as T
from tests.integration.console_support import Console, make_console

REQUEST = {"service_code": "ho_tich", "name": "Võ Minh Khôi", "phone": "0987000111",
           "address_string": "Số 3 ngõ 5 Xuân Thủy, phường Cầu Giấy",
           "description": "Hồ sơ khai sinh nộp 3 tuần chưa có kết quả"}


@pytest.fixture
def site(tmp_path: Path, nlu_models_dir: Path, database_url: str,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    made = make_console(tmp_path, nlu_models_dir, database_url=database_url)
    monkeypatch.setenv("PAKN_DATABASE_URL", database_url)  # the CLI's database
    yield made
    made.pakn.engine.dispose()


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """The exit status and what the command printed on stdout (logs go to stderr)."""
    code = main(["open311", "keys", *args])
    return code, capsys.readouterr().out


def post(site: Console, key: str | None, where: str = "header", fmt: str = "json") -> Any:
    http = site.app.test_client()
    data, headers, url = dict(REQUEST), {}, f"/open311/v2/requests.{fmt}"
    if where == "header" and key is not None:
        headers["X-API-Key"] = key
    elif where == "body" and key is not None:
        data["api_key"] = key
    elif where == "query":
        url += f"?api_key={key}"
    return http.post(url, data=data, headers=headers)


def test_the_cli_lists_makes_and_revokes_keys(site: Console, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = cli(capsys, "create", "--name", "cong-thanh-pho")
    key = out.strip()
    assert code == 0 and len(key) >= 32
    assert cli(capsys, "create", "--name", "cong-thanh-pho")[0] == 2  # names are unique
    assert cli(capsys, "create", "--name", "ung-dung-doi-tac")[0] == 0
    code, listing = cli(capsys, "list")
    assert code == 0 and re.search(r"\tcong-thanh-pho\tcreated \d\d/\d\d/\d{4} \d\d:\d\d\tactive", listing)
    assert key not in listing  # only the hash is kept
    assert post(site, key).status_code == 201
    assert cli(capsys, "revoke", "--name", "cong-thanh-pho")[0] == 0
    refused = post(site, key)  # from the next request on
    assert refused.status_code == 403 and refused.json[0]["description"] == open311.E_API_KEY
    listing = cli(capsys, "list")[1]
    assert re.search(r"cong-thanh-pho\tcreated .*\trevoked \d\d/\d\d/\d{4}", listing)
    assert re.search(r"ung-dung-doi-tac\t.*\tactive", listing)  # the other client is untouched
    assert cli(capsys, "revoke", "--name", "cong-thanh-pho")[0] == 2  # already revoked
    assert cli(capsys, "revoke", "--name", "khong-co")[0] == 2
    actions = [tuple(r) for r in site.query("SELECT action, username FROM audit_log ORDER BY id")]
    assert actions == [("api_key_create", "cli"), ("api_key_create", "cli"), ("api_key_revoke", "cli")]


def test_an_admin_makes_and_revokes_a_key_in_the_console(site: Console) -> None:
    admin = site.client("admin")
    made = admin.post("/console/admin/open311", {"name": "Cổng dịch vụ công"})
    assert made.status_code == 200
    key = re.search(r'<code id="api-key">([^<]+)</code>', made.text).group(1)  # type: ignore[union-attr]
    assert post(site, key, "body").status_code == 201
    listing = admin.get("/console/admin/open311").text
    assert "Cổng dịch vụ công" in listing and "Đang hoạt động" in listing
    assert key not in listing  # shown once, right after it was made
    client_id = site.query("SELECT id FROM api_clients WHERE name = 'Cổng dịch vụ công'")[0][0]
    revoked = admin.post(f"/console/admin/open311/{client_id}/thu-hoi")
    assert T.API_KEY_REVOKED.format(name="Cổng dịch vụ công") in revoked.text
    assert "Đã thu hồi" in revoked.text and "Thu hồi khóa</button>" not in revoked.text
    assert post(site, key, "body").status_code == 403
    again = admin.post("/console/admin/open311", {"name": "Cổng dịch vụ công"})
    assert again.status_code == 409 and T.API_KEY_NAME_TAKEN.format(name="Cổng dịch vụ công") in again.text
    assert admin.post("/console/admin/open311", {"name": " "}).status_code == 400
    # Only admins see or change keys.
    focal = site.client("daumoi")
    assert focal.get("/console/admin/open311").status_code == 403
    assert focal.post(f"/console/admin/open311/{client_id}/thu-hoi").status_code == 403


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_key_in_the_query_string_is_refused_with_the_reason(site: Console, fmt: str) -> None:
    from storage.staff_services import create_api_client
    from datetime import datetime, timezone

    key = site.pakn.uow().run(lambda uow: create_api_client(uow, "cong", datetime.now(timezone.utc)))
    refused = post(site, key, "query", fmt)
    assert refused.status_code == 400
    assert "X-API-Key" in refused.text and "query string" in refused.text
    assert site.query("SELECT count(*) FROM cases")[0][0] == 0
    # On a read too: the key must not travel in URLs at all.
    read = site.app.test_client().get(f"/open311/v2/services.{fmt}?API_KEY={key}")
    assert read.status_code == 400 and "X-API-Key" in read.text
    assert post(site, key, "header", fmt).status_code == 201
    assert post(site, key, "body", fmt).status_code == 201
    assert post(site, None, "none", fmt).status_code == 403
