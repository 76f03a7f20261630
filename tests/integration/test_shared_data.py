"""The catalogue and the training data staff edit live in the database: two app instances (two
processes, or two machines) on one database see each other's edits; the repository's files are
only the seed (copied in once, never overwritten) and an export (`catalogue export`, `nlu export`)."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from bot.app import create_app
from bot.config import merge
from tests.conftest import NO_CHANNEL_SECRETS
from tests.integration.console_support import Console, make_console
from tests.integration.nlu_review_support import private_copies, seed_files_unchanged

EXAMPLE = "bình cứu hỏa ở hành lang chung cư hết hạn từ lâu không ai thay"


@pytest.fixture
def pair(tmp_path: Path, nlu_models_dir: Path, database_url: str) -> Iterator[tuple[Console, Console, dict[str, Any]]]:
    """Two app instances on one database, each with its own files (as on two machines)."""
    extra = merge(private_copies(tmp_path, nlu_models_dir), {"catalogue_check_seconds": 0})
    first = make_console(tmp_path, nlu_models_dir, extra, database_url=database_url)
    config = merge({"database_url": database_url, "secret_key": "test-secret", "background": False,
                    "channels": NO_CHANNEL_SECRETS}, extra)
    second = Console(create_app(config))
    second.app.config["TESTING"] = True
    yield first, second, config
    for console in (first, second):
        console.pakn.engine.dispose()


def test_an_agency_added_on_one_instance_is_known_to_the_other(pair: Any) -> None:
    first, second, config = pair
    seed = Path(config["catalogue_dir"])
    seed_before = seed_files_unchanged(seed)
    assert "so_van_hoa" not in second.pakn.ctx.catalogue.agencies
    added = first.client("admin").post("/console/nlu/catalogue/agency", {
        "id": "so_van_hoa", "name": "Sở Văn hóa và Thể thao", "level": "city",
        "mentions": "sở văn hóa, sở vh", "procedures": ["dang_ky_kinh_doanh"]})
    assert "Đã thêm cơ quan so_van_hoa" in added.text

    page = second.client("admin").get("/console/nlu/catalogue/procedure")  # any request of the other
    assert "Sở Văn hóa và Thể thao" in page.text  # offered as a competent agency there
    other = second.pakn.ctx.catalogue
    assert other.agency_name("so_van_hoa") == "Sở Văn hóa và Thể thao"
    assert other.can_handle("so_van_hoa", "dang_ky_kinh_doanh")
    assert "so_van_hoa" in second.pakn.nlu.parse("sở vh trả hồ sơ đăng ký hộ kinh doanh").entity_values("agency")
    assert seed_files_unchanged(seed) == seed_before  # neither instance wrote a file


def test_a_training_data_edit_on_one_instance_is_seen_by_the_other(pair: Any) -> None:
    first, second, config = pair
    seed = Path(config["nlu"]["data_dir"])
    seed_before = seed_files_unchanged(seed)
    reader = second.client("admin")
    current = reader.get("/console/nlu/data/file?file=procedures/pccc.yml").text
    assert EXAMPLE not in current
    content = (seed / "procedures" / "pccc.yml").read_text(encoding="utf-8")
    saved = first.client("admin").post("/console/nlu/data/file", {
        "file": "procedures/pccc.yml", "content": content.rstrip("\n") + f"\n    - {EXAMPLE}\n"})
    assert saved.status_code == 200 and "procedures/pccc.yml" in saved.text

    assert EXAMPLE in reader.get("/console/nlu/data/file?file=procedures/pccc.yml").text
    second.pakn.nlu_data.refresh()
    assert EXAMPLE in (second.pakn.nlu_data.directory / "procedures" / "pccc.yml").read_text(encoding="utf-8")
    assert seed_files_unchanged(seed) == seed_before


def test_the_seed_is_copied_once_and_the_export_writes_what_staff_changed(
        pair: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import main
    from bot.setup import prepare_database

    first, _, config = pair
    first.client("admin").post("/console/nlu/catalogue/agency", {
        "id": "so_van_hoa", "name": "Sở Văn hóa và Thể thao", "level": "city", "mentions": "sở vh",
        "procedures": ["dang_ky_kinh_doanh"]})
    # `bot setup` again (or a process starting): the database has documents, the seed is not re-read.
    prepare_database(config["database_url"], Path(config["catalogue_dir"]), Path(config["nlu"]["data_dir"]))
    assert first.query("SELECT name FROM agencies WHERE id = 'so_van_hoa'") == [("Sở Văn hóa và Thể thao",)]

    settings_file = tmp_path / "export.yaml"
    settings_file.write_text(yaml.safe_dump({"database_url": config["database_url"]}), encoding="utf-8")
    monkeypatch.setenv("PAKN_CONFIG", str(settings_file))
    assert main(["catalogue", "export", str(tmp_path / "exported")]) == 0
    agencies = yaml.safe_load((tmp_path / "exported" / "agencies.yaml").read_text(encoding="utf-8"))
    assert "so_van_hoa" in {agency["id"] for agency in agencies["agencies"]}
    assert main(["nlu", "export", str(tmp_path / "nlu_export")]) == 0
    assert (tmp_path / "nlu_export" / "procedures" / "pccc.yml").read_text(encoding="utf-8") == \
        (Path(config["nlu"]["data_dir"]) / "procedures" / "pccc.yml").read_text(encoding="utf-8")


def test_the_seed_is_copied_only_into_an_empty_database(tmp_path: Path, database_url: str) -> None:
    from storage import data_documents as dd
    from storage.db import make_engine, make_session_factory, upgrade
    from tests.conftest import ROOT

    upgrade(database_url)
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    now = datetime.now(timezone.utc)
    try:
        first = dd.seed(factory, dd.CATALOGUE, ROOT / "catalogue", now)
        again = dd.seed(factory, dd.CATALOGUE, ROOT / "catalogue", now)
        with factory() as session:
            stored = dd.documents(session, dd.CATALOGUE)
            revision = dd.revision(session, dd.CATALOGUE)
    finally:
        engine.dispose()
    assert first == len(stored) >= 9 and again == 0 and revision == 1
    assert stored["procedures.yaml"] == (ROOT / "catalogue" / "procedures.yaml").read_text(encoding="utf-8")
