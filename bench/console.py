"""Staff console benchmark: 10,000 cases in a temporary SQLite file, then the render time of the
pages staff use most (case list with and without filters/search, a case page, the dashboard).

Rows are bulk-inserted through Core (with the same folded search column the ORM keeps), so the
seeding is quick; the pages are then requested through Flask's test client, logged in as the
focal point (who sees every case) and as a ward officer (scoped list). Figures are p50/p90 over
REPEAT requests after one warm-up request.
"""
from __future__ import annotations

import random
import re
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

CASES = 10_000
REPEAT = 15
PASSWORD = "bench-password"


def _seed(engine: Any, catalogue: Any, now: datetime, count: int = CASES) -> None:
    from storage.orm import case_deadlines, case_events, case_search_text, cases, survey_answers

    rng = random.Random(10_000)
    procedures = [p for p in catalogue.procedures.values() if p.default_agency]
    wards = [w.label for w in catalogue.wards]
    statuses = ["received", "classified", "forwarded", "in_progress", "answered", "published",
                "closed", "rejected"]
    channels = ["telegram", "facebook", "zalo", "webchat", "hotline"]
    names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Đỗ Văn Minh"]
    case_rows, deadline_rows, event_rows, survey_rows = [], [], [], []
    for number in range(1, count + 1):
        procedure = rng.choice(procedures)
        received = now - timedelta(days=rng.uniform(0, 365))
        status = rng.choice(statuses)
        due = received + timedelta(days=rng.choice([14, 21, 28]))
        row = {"id": number, "code": f"PAKN-{received.year}-{number:06d}", "status": status,
               "channel": rng.choice(channels), "sender_id": str(number),
               "text": f"Phản ánh số {number}: hồ sơ {procedure.name.lower()} chậm giải quyết",
               "procedure_id": procedure.id, "agency_id": procedure.default_agency,
               "ward": rng.choice(wards), "citizen_name": rng.choice(names),
               "citizen_phone": "0912345678", "citizen_address": f"Số {number} phố Trần Thái Tông",
               "received_at": received, "due_at": due}
        row["search_text"] = case_search_text(type("C", (), row)())
        case_rows.append(row)
        met = received + timedelta(days=rng.uniform(2, 35)) if status in (
            "answered", "published", "closed") else None
        running = met is None and status not in ("closed", "rejected")  # as the ORM's flush hook
        row.update(queue_due_at=due if running else None, queue_step="answer" if running else None,
                   public_order_at=received)
        deadline_rows += [
            {"case_id": number, "step": "classify_and_forward", "starts_at": received, "working_days": 3,
             "due_at": received + timedelta(days=4), "source": "NĐ 20/2008", "met_at": received},
            {"case_id": number, "step": "answer", "starts_at": received, "working_days": 13,
             "due_at": due, "source": "NĐ 20/2008", "met_at": met}]
        event_rows.append({"case_id": number, "at": received, "actor": "bot", "kind": "status",
                           "from_status": None, "to_status": "received", "note": "", "data": {}})
        if status == "closed":
            survey_rows += [{"case_code": row["code"], "agency_id": row["agency_id"], "criterion": c,
                             "score": rng.randint(2, 5), "answered_at": received}
                            for c in ("hinh_thuc_tiep_nhan", "de_dang_phan_anh", "xu_ly_tich_cuc",
                                      "thong_bao_kip_thoi")]
    with engine.begin() as connection:
        for table, rows in ((cases, case_rows), (case_deadlines, deadline_rows),
                            (case_events, event_rows), (survey_answers, survey_rows)):
            for start in range(0, len(rows), 2000):
                connection.execute(table.insert(), rows[start:start + 2000])


def _timed(client: Any, url: str) -> tuple[float, float, int]:
    client.get(url)  # warm-up (templates compiled, caches filled)
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1], len(response.data)


def _login(app: Any, username: str) -> Any:
    client = app.test_client()
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/console/login").text)
    response = client.post("/console/login", data={"username": username, "password": PASSWORD,
                                                   "csrf_token": token.group(1)})  # type: ignore[union-attr]
    assert response.status_code == 302
    return client


def run() -> None:
    from bot.app import create_app
    from bot.config import ROOT
    from storage.catalogue_files import calendar_entries, load_catalogue
    from storage.db import make_engine, seed_calendar, seed_catalogue, upgrade
    from storage.staff_services import create_user

    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        catalogue = load_catalogue(ROOT / "catalogue")
        seed_catalogue(engine, catalogue)
        seed_calendar(engine, calendar_entries(ROOT / "catalogue"))
        now = datetime.now(timezone.utc)
        start = time.perf_counter()
        _seed(engine, catalogue, now)
        print(f"seeded {CASES} cases in {time.perf_counter() - start:.1f}s ({url})")
        engine.dispose()
        app = create_app({"database_url": url, "secret_key": "bench", "background": False,
                          "nlu": {"models_dir": directory}})
        pakn = app.extensions["pakn"]
        with pakn.uow() as uow:
            create_user(uow, pakn.ctx.catalogue, "vp", PASSWORD, "focal_point")
            create_user(uow, pakn.ctx.catalogue, "caugiay", PASSWORD, "agency_staff", "ubnd_xa",
                        "phường Cầu Giấy")
            uow.commit()
        focal, ward = _login(app, "vp"), _login(app, "caugiay")
        pages = [
            ("case list, page 1 (focal point)", focal, "/console/cases"),
            ("case list, page 100", focal, "/console/cases?page=100"),
            ("case list, search 'cau giay' (no diacritics)", focal, "/console/cases?q=cau+giay"),
            ("case list, search 'Hộ tịch chậm'", focal, "/console/cases?q=H%E1%BB%99+t%E1%BB%8Bch+ch%E1%BA%ADm"),
            ("case list, overdue + agency + channel", focal,
             "/console/cases?overdue=1&agency_id=ubnd_xa&channel=zalo"),
            ("case list, ward officer (scoped)", ward, "/console/cases"),
            ("case page", focal, "/console/cases/" + f"PAKN-{now.year}-000042"),
            ("dashboard (12 months)", focal, "/console/dashboard"),
            ("dashboard (24 months)", focal, "/console/dashboard?months=24"),
        ]
        print(f"{'page':48s} {'p50 ms':>8s} {'p90 ms':>8s} {'KiB':>6s}")
        for label, client, path in pages:
            if path.startswith("/console/cases/PAKN") and client.get(path).status_code == 404:
                with engine.connect() as connection:
                    code = connection.exec_driver_sql("SELECT code FROM cases LIMIT 1").scalar()
                path = f"/console/cases/{code}"
            p50, p90, size = _timed(client, path)
            print(f"{label:48s} {p50:8.1f} {p90:8.1f} {size / 1024:6.0f}")
        pakn.engine.dispose()
