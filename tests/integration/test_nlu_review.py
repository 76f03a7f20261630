"""The retraining loop from the console: a misclassified message, staff reclassify the case, an
admin accepts it into (a temp copy of) the training data, retrains, compares, activates, and a fresh
conversation is classified correctly, in this worker and in another one, with no restart."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.app import create_app
from tests.conftest import NO_CHANNEL_SECRETS, ROOT, wait_until
from tests.integration.console_support import Console
from tests.integration.nlu_review_support import (
    MISCLASSIFIED,
    MISROUTED,
    MISROUTED_PROBE,
    PROBE,
    data_text,
    file_case,
    replace_data,
    review_console,
    run_job,
    say,
    seed_files_unchanged,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def console(tmp_path: Path, nlu_models_dir: Path) -> Console:
    made = review_console(tmp_path, nlu_models_dir)
    yield made
    made.pakn.engine.dispose()


def _item_id(console: Console, source: str) -> int:
    return int(console.query("SELECT id FROM nlu_review_items WHERE source = :s AND status = 'pending' "
                             "ORDER BY id DESC", s=source)[0][0])


def test_reclassified_message_is_learned_and_served_without_restart(console: Console, tmp_path: Path) -> None:
    settings = console.pakn.settings
    data_dir = Path(settings.nlu.data_dir)
    repo_data_before = sorted(p.name for p in (ROOT / "nlu_data").rglob("*.yml"))
    seed_before = seed_files_unchanged(data_dir)
    # Another web worker on the same database and model store, started before anything changes.
    other = create_app(dict({"database_url": settings.database_url, "secret_key": "x",
                              "background": False, "channels": NO_CHANNEL_SECRETS,
                              "catalogue_dir": settings.catalogue_dir,
                              "nlu": {"data_dir": str(data_dir), "models_dir": settings.nlu.models_dir}}))
    first = say(console, "telegram", "501", MISROUTED, name="Nguyễn Thị Thu Hà")
    assert first["procedure"] != "pccc"  # the model gets it wrong today
    # The message keeps what the model weighed, for the review queue's "two labels close" check.
    best, second = first["ranking"]
    assert best["confidence"] >= second["confidence"]
    assert first["margin"] == round(best["confidence"] - second["confidence"], 4)
    assert other.extensions["pakn"].nlu.parse(MISROUTED_PROBE).procedure != "pccc"
    code = file_case(console, "501", MISROUTED, first["procedure"] or "y_te")

    focal = console.client("daumoi")
    page = focal.post(f"/console/cases/{code}/actions/reclassify", {"procedure_id": "pccc", "note": "PCCC"})
    assert "Đã thực hiện: Phân loại lại lĩnh vực" in page.text

    admin = console.client("admin")
    queue = admin.get("/console/nlu/review?source=reclassification")
    assert queue.status_code == 200 and "Cán bộ phân loại lại" in queue.text and "Bình gas nhà hàng" in queue.text
    item_id = _item_id(console, "reclassification")
    form = admin.get(f"/console/nlu/review/{item_id}")
    assert "Bình gas nhà hàng" in form.text and 'value="pccc" selected' in form.text
    textarea = form.text.split('id="example-text"', 1)[1].split("</textarea>", 1)[0]
    assert "0912 345 678" not in textarea and "Thu Hà" not in textarea  # masked before the admin edits

    done = admin.post(f"/console/nlu/review/{item_id}", {
        "action": "accept", "intent": "phan_anh", "procedure": "pccc", "agency": "cong_an",
        "text": MISROUTED})  # the raw text: the server masks whatever it is given
    assert done.status_code == 200, done.text.split("<main>")[1][:3000]
    assert "Đã đưa câu ví dụ vào dữ liệu huấn luyện" in done.text
    written = data_text(console, "reviewed/reclassification.yml") or ""
    assert "- intent: phan_anh__pccc" in written and "Bình gas nhà hàng đầu ngõ" in written
    assert "channel telegram" in written and "reviewer admin" in written and f"case {code}" in written
    for personal in ("0912 345 678", "Thu Hà", "ngõ 34"):
        assert personal not in written
    assert sorted(p.name for p in (ROOT / "nlu_data").rglob("*.yml")) == repo_data_before
    assert seed_files_unchanged(data_dir) == seed_before  # the database holds it, no file changed
    assert console.query("SELECT status FROM labelled_examples")[0][0] == "accepted"
    accepted = admin.get("/console/nlu/review?status=accepted").text
    assert "Phản ánh, kiến nghị: Phòng cháy chữa cháy (phan_anh__pccc)" in accepted

    job_id = run_job(admin)
    job = admin.get(f"/console/nlu/jobs/{job_id}")
    assert "Hoàn thành" in job.text and "So sánh với mô hình đang dùng" in job.text
    assert 'id="macro-f1"' in job.text and 'id="per-procedure"' in job.text and "Kiểm định chéo" in job.text
    png = admin.get(f"/console/nlu/jobs/{job_id}/confusion/candidate.png")
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    changed = job.text.split('id="changed"', 1)[1].split("</table>", 1)[0]
    assert "Phản ánh, kiến nghị (phan_anh) · " in changed or "Không câu nào đổi kết quả" in changed
    version = console.query("SELECT version FROM training_jobs WHERE id = :j", j=job_id)[0][0]

    # Groups that got worse (any drop) are listed on the job page and confirmed with a tick.
    activated = admin.post(f"/console/nlu/versions/{version}/activate",
                           {"back": f"/console/nlu/jobs/{job_id}", "confirm_groups": "1"})
    assert "Đã kích hoạt mô hình" in activated.text
    assert console.query("SELECT action FROM audit_log WHERE target_id = :v", v=version)[0][0] == "nlu_activate"

    fresh = say(console, "zalo", "777", MISROUTED_PROBE)
    assert fresh["intent"] == "phan_anh" and fresh["procedure"] == "pccc"
    wait_until(lambda: other.extensions["pakn"].nlu.parse(MISROUTED_PROBE).procedure == "pccc", timeout=5,
               message="the other worker follows the ACTIVE pointer")
    other.extensions["pakn"].engine.dispose()


def test_conflicts_and_duplicates_are_shown_not_added(console: Console) -> None:
    existing = "mn oi trich luc khai sinh ban sao lam o dau nhanh nhat, minh nop online 10 ngay chua thay tra"
    say(console, "telegram", "601", "xin chào ad ơi " + existing)  # collected: low confidence or not
    console.pakn.pipeline  # noqa: B018
    code = file_case(console, "601", existing, "ho_tich")
    focal = console.client("daumoi")
    focal.post(f"/console/cases/{code}/actions/reclassify", {"procedure_id": "chung_thuc"})
    admin = console.client("admin")
    admin.get("/console/nlu/review")
    item_id = _item_id(console, "reclassification")
    before = data_text(console, "procedures/ho_tich.yml") or ""

    refused = admin.post(f"/console/nlu/review/{item_id}", {
        "action": "accept", "intent": "phan_anh", "procedure": "chung_thuc", "text": existing})
    assert refused.status_code == 409
    assert "Mâu thuẫn" in refused.text and "procedures/ho_tich.yml" in refused.text
    assert data_text(console, "reviewed/reclassification.yml") is None

    same = admin.post(f"/console/nlu/review/{item_id}", {
        "action": "accept", "intent": "phan_anh", "procedure": "ho_tich", "text": existing})
    assert same.status_code == 409 and "Trùng với câu đã có" in same.text

    moved = admin.post(f"/console/nlu/review/{item_id}", {
        "action": "accept", "intent": "phan_anh", "procedure": "chung_thuc", "text": existing,
        "replace_conflicts": "1"})
    assert "Đã đưa câu ví dụ vào dữ liệu huấn luyện" in moved.text
    assert existing not in (data_text(console, "procedures/ho_tich.yml") or "")
    assert len(before.splitlines()) - 1 == len((data_text(console, "procedures/ho_tich.yml") or "")
                                               .splitlines())
    assert existing in (data_text(console, "reviewed/reclassification.yml") or "")


def test_validator_errors_are_shown_in_place(console: Console) -> None:
    code = file_case(console, "701", "Hồ sơ thẩm duyệt PCCC cho nhà xưởng nộp 2 tháng chưa có kết quả",
                     "xay_dung")
    console.client("daumoi").post(f"/console/cases/{code}/actions/reclassify", {"procedure_id": "pccc"})
    admin = console.client("admin")
    admin.get("/console/nlu/review")
    item_id = _item_id(console, "reclassification")
    page = admin.post(f"/console/nlu/review/{item_id}", {
        "action": "accept", "intent": "phan_anh", "procedure": "pccc",
        "text": "Hồ sơ thẩm duyệt [PCCC](thu_tuc) cho nhà xưởng nộp 2 tháng chưa có kết quả"})
    assert page.status_code == 409 and 'id="problems"' in page.text and "thu_tuc" in page.text
    assert data_text(console, "reviewed/reclassification.yml") is None

    edit = admin.post("/console/nlu/data/file", {"file": "procedures/pccc.yml",
                                                 "content": "version: \"3.1\"\nnlu:\n- intent: phan_anh__khong_co\n"
                                                            "  examples: |\n    - một câu\n"})
    assert edit.status_code == 422 and "khong_co" in edit.text and 'id="file-problems"' in edit.text
    assert "phan_anh__pccc" in (data_text(console, "procedures/pccc.yml") or "")


def test_activation_refused_when_worse_unless_note_and_rollback(console: Console) -> None:
    """A data edit that swaps two procedures' labels is refused; a note overrides; rollback is one
    click."""
    from nlu.models import ModelStore

    store = ModelStore(Path(console.pakn.settings.nlu.models_dir))
    active = store.active_version()
    admin = console.client("admin")
    civil, copies = "procedures/ho_tich.yml", "procedures/chung_thuc.yml"
    civil_text, copies_text = data_text(console, civil) or "", data_text(console, copies) or ""
    replace_data(console, {civil: civil_text.replace("phan_anh__ho_tich", "phan_anh__chung_thuc"),
                           copies: copies_text.replace("phan_anh__chung_thuc", "phan_anh__ho_tich")})
    job_id = run_job(admin)
    version = console.query("SELECT version FROM training_jobs WHERE id = :j", j=job_id)[0][0]
    page = admin.get(f"/console/nlu/jobs/{job_id}")
    assert 'id="activation-problems"' in page.text and "Vẫn kích hoạt" in page.text
    assert int(page.text.split('id="broken-count">')[1].split("<")[0]) > 10
    refused = admin.post(f"/console/nlu/versions/{version}/activate", {})
    assert "Không kích hoạt" in refused.text and store.active_version() == active
    unconfirmed = admin.post(f"/console/nlu/versions/{version}/activate", {"note": "thử nghiệm"})
    assert "kém hơn ở" in unconfirmed.text and store.active_version() == active  # groups worse
    assert 'id="worse-groups"' in page.text and 'id="confirm-groups"' in page.text
    forced = admin.post(f"/console/nlu/versions/{version}/activate",
                        {"note": "thử nghiệm", "confirm_groups": "1"})
    assert "Đã kích hoạt" in forced.text and store.active_version() == version
    audit = console.query("SELECT action, details FROM audit_log WHERE target_id = :v", v=version)
    details = audit[0][1] if isinstance(audit[0][1], dict) else json.loads(audit[0][1])
    assert audit[0][0] == "nlu_activate_override" and details["note"] == "thử nghiệm"
    versions = admin.get("/console/nlu/versions")
    assert "Quay lại phiên bản này" in versions.text
    back = admin.post(f"/console/nlu/versions/{active}/rollback")
    assert "Đã quay lại mô hình" in back.text and store.active_version() == active


def test_review_pages_are_for_admins_only(console: Console) -> None:
    for username in ("daumoi", "caugiay"):
        client = console.client(username)
        for url in ("/console/nlu/review", "/console/nlu/train", "/console/nlu/versions", "/console/nlu/data"):
            assert client.get(url).status_code == 403


def test_new_procedure_and_agency_from_the_console(console: Console) -> None:
    from storage.catalogue_files import load_catalogue

    catalogue_dir = Path(console.pakn.settings.catalogue_dir)
    seed_before = seed_files_unchanged(catalogue_dir)
    repo_procedures = (ROOT / "catalogue" / "procedures.yaml").read_text(encoding="utf-8")
    admin = console.client("admin")
    page = admin.post("/console/nlu/catalogue/procedure", {
        "id": "tram_sac_xe_dien", "name": "Trạm sạc xe điện", "covers": "lắp đặt, an toàn trạm sạc",
        "default_agency": "cong_an", "agencies": ["so_xay_dung"],
        "examples": "trạm sạc xe điện ở hầm chung cư bốc khói\nxin phép lắp trạm sạc xe điện cho tòa nhà\n"
                    "tram sac xe dien o ham de xe khong an toan"})
    assert "Đã thêm lĩnh vực tram_sac_xe_dien" in page.text
    assert "phan_anh__tram_sac_xe_dien has 3 distinct examples, fewer than 40" in page.text  # in place
    catalogue = load_catalogue(console.pakn.live_catalogue.directory)  # the database's, as files
    assert catalogue.procedures["tram_sac_xe_dien"].name == "Trạm sạc xe điện"
    assert catalogue.can_handle("cong_an", "tram_sac_xe_dien") and catalogue.can_handle("so_xay_dung", "tram_sac_xe_dien")
    assert len(catalogue.procedures) == 22 and "ho_tich" in catalogue.procedures  # ids kept
    assert "trạm sạc xe điện ở hầm" in (data_text(console, "procedures/tram_sac_xe_dien.yml") or "")
    assert (ROOT / "catalogue" / "procedures.yaml").read_text(encoding="utf-8") == repo_procedures
    assert seed_files_unchanged(catalogue_dir) == seed_before
    assert console.query("SELECT name FROM procedures WHERE id = 'tram_sac_xe_dien'") == [("Trạm sạc xe điện",)]

    again = admin.post("/console/nlu/catalogue/procedure", {"id": "ho_tich", "name": "x", "default_agency": "cong_an"})
    assert again.status_code == 422 and "đã có" in again.text.lower() and "ho_tich" in again.text

    job_id = run_job(admin)  # too few examples: training refuses, the problems are listed
    job = admin.get(f"/console/nlu/jobs/{job_id}")
    assert "Không thành công" in job.text and 'id="job-problems"' in job.text
    assert "tram_sac_xe_dien has 3 distinct examples" in job.text

    agency = admin.post("/console/nlu/catalogue/agency", {
        "id": "so_van_hoa", "name": "Sở Văn hóa và Thể thao", "level": "city",
        "mentions": "sở văn hóa, sở vh", "procedures": ["dang_ky_kinh_doanh"]})
    assert "Đã thêm cơ quan so_van_hoa" in agency.text
    catalogue = load_catalogue(console.pakn.live_catalogue.directory)
    assert catalogue.agencies["so_van_hoa"].mentions == ("sở văn hóa", "sở vh")
    assert catalogue.can_handle("so_van_hoa", "dang_ky_kinh_doanh")

    # The running app knows both at once, without a restart: names, routing, entity mentions.
    live = console.pakn.ctx.catalogue
    assert live.procedure_name("tram_sac_xe_dien") == "Trạm sạc xe điện"
    assert live.can_handle("so_van_hoa", "dang_ky_kinh_doanh")
    parsed = console.pakn.nlu.parse("đăng ký hộ kinh doanh bị sở vh trả hồ sơ 2 lần")
    assert "so_van_hoa" in parsed.entity_values("agency")


def test_intents_are_named_in_vietnamese_with_their_ids(console: Console) -> None:
    say(console, "telegram", "801", MISCLASSIFIED)
    code = file_case(console, "801", MISCLASSIFIED, "y_te")
    console.client("daumoi").post(f"/console/cases/{code}/actions/reclassify", {"procedure_id": "pccc"})
    admin = console.client("admin")
    queue = admin.get("/console/nlu/review").text
    row = queue.split('id="review-queue"', 1)[1].split("<tbody>", 1)[1].split("</tr>", 1)[0]
    predicted = re.sub(r"<[^>]+>", "", row.split("</td>")[3])
    assert re.search(r"[^\W\d_][\w ,:…]* \((phan_anh|tra_cuu|gap_can_bo|chao_hoi|cam_on|huy_bo|"
                     r"ngoai_pham_vi|nlu_fallback)\)", predicted), predicted  # "Tên (mã)"
    item_id = _item_id(console, "reclassification")
    item = admin.get(f"/console/nlu/review/{item_id}").text
    options = re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]+)</option>',
                         item.split('id="intent"', 1)[1].split("</select>", 1)[0])
    assert ("phan_anh", "Phản ánh, kiến nghị (phan_anh)") in options
    assert ("tra_cuu", "Tra cứu tình trạng (tra_cuu)") in options
    assert ("hoi_thu_tuc", "Hỏi về thủ tục (giấy tờ, nơi nộp, thời hạn, lệ phí) (hoi_thu_tuc)") in options
    assert len(options) == 8  # the seven intents before, and the question intent (issue 13)
    assert "Phản ánh, kiến nghị (phan_anh) · Y tế" in item.split("Mô hình dự đoán", 1)[1]

    data = admin.get("/console/nlu/data").text
    civil = data.split('data-intent="phan_anh__ho_tich"', 1)[1].split("</tr>", 1)[0]
    assert "Phản ánh, kiến nghị: Hộ tịch (phan_anh__ho_tich)" in civil
    greeting = data.split('data-intent="chao_hoi"', 1)[1].split("</tr>", 1)[0]
    assert "Chào hỏi (chao_hoi)" in greeting


def test_versions_show_hanoi_time_and_compare_before_activating(console: Console) -> None:
    from datetime import datetime

    from nlu.models import ModelStore
    from routing.calendar import VIETNAM

    store = ModelStore(Path(console.pakn.settings.nlu.models_dir))
    active = store.active_version()
    version, _ = store.train_builtin(console.pakn.nlu_data.directory, force=True)
    figures = {"intent": 0.9, "procedure": 0.8, "agency": 0.85}
    store.set_metrics(active, {"heldout": {"accented": figures, "folded": figures}})
    worse = {"intent": 0.9, "procedure": 0.7, "agency": 0.85}
    store.set_metrics(version, {"heldout": {"accented": worse, "folded": figures}})
    admin = console.client("admin")
    page = admin.get("/console/nlu/versions").text
    trained = datetime.fromisoformat(store.metadata(version)["trained_at"])
    row = page.split(f'data-version="{version}"', 1)[1].split("</tr>", 1)[0]
    assert trained.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M") in row
    assert trained.isoformat()[:16].replace("T", " ") not in row  # not UTC, not ISO
    assert "Mô hình tích hợp" in row and "Kích hoạt (so sánh trước)" not in page
    assert "So sánh với mô hình đang dùng rồi kích hoạt" in row

    compare = admin.get(f"/console/nlu/versions/{version}/compare").text
    assert "So sánh trước khi kích hoạt" in compare and active in compare
    procedure = compare.split('data-label-set="procedure"', 1)[1].split("</tr>", 1)[0]
    assert "0,800" in procedure and "0,700" in procedure and "-0,100" in procedure
    assert 'id="activation-problems"' in compare and "Vẫn kích hoạt" in compare
    assert store.active_version() == active  # looking at the comparison activates nothing
    refused = admin.post(f"/console/nlu/versions/{version}/activate", {})
    assert "Không kích hoạt" in refused.text and store.active_version() == active
    done = admin.post(f"/console/nlu/versions/{version}/activate", {"note": "đã xem so sánh"})
    assert "Đã kích hoạt mô hình" in done.text and store.active_version() == version
