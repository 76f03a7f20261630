"""Fill a PostgreSQL database with a city's worth of PAKN (issue 18): realistic cases across the
126 wards and communes, every agency and procedure group, statuses that follow a case's age,
working-day deadlines from the real calendar, timelines, conversations and their messages.

    python -m bench.generate --url postgresql+psycopg://postgres@127.0.0.1:5432/pakn_big \
        --cases 1000000 --messages 20000000 [--minutes 10] [--seed 18]

Cases, deadlines and their search columns are computed in Python (the same fold and the same
current-step rule as the ORM's flush hooks) and sent with COPY; conversations, timelines and
messages are made by PostgreSQL itself (INSERT … SELECT over generate_series), in chunks, so
20 million messages cost minutes, not hours. `--minutes` stops the messages when the time is up
and says how many were written. The database must be empty and migrated (this module migrates it).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

CHANNELS = ("zalo", "facebook", "telegram", "webchat", "hotline")
CHANNEL_WEIGHTS = (40, 25, 10, 15, 10)
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương")
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Ngọc", "Hữu", "Thanh", "Xuân")
GIVEN = ("An", "Bình", "Cường", "Dung", "Hà", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phương",
         "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vân", "Yến", "Khánh")
STREETS = ("Trần Duy Hưng", "Nguyễn Trãi", "Láng Hạ", "Kim Mã", "Giải Phóng", "Xuân Thủy",
           "Hoàng Quốc Việt", "Phạm Văn Đồng", "Minh Khai", "Tây Sơn", "Lê Văn Lương", "Đội Cấn")
PROBLEMS = (
    "Tôi nộp hồ sơ {p} đã quá hẹn mà chưa có kết quả, cán bộ một cửa không giải thích lý do",
    "Hồ sơ {p} bị trả lại nhiều lần, mỗi lần yêu cầu bổ sung một loại giấy tờ khác nhau",
    "Cán bộ tiếp nhận hồ sơ {p} yêu cầu nộp thêm giấy tờ không có trong quy định",
    "Đề nghị hướng dẫn rõ thủ tục {p}, trên cổng dịch vụ công ghi khác với bộ phận một cửa",
    "Phản ánh việc giải quyết {p} chậm, gọi điện đường dây nóng không ai nghe máy",
    "Kiến nghị cho phép nộp hồ sơ {p} trực tuyến toàn trình, hiện vẫn phải đến nộp bản giấy",
    "Hẹn trả kết quả {p} nhưng đến ngày hẹn vẫn chưa có, phải đi lại nhiều lần",
    "Phí, lệ phí thu khi làm {p} cao hơn mức niêm yết, không có biên lai",
)
ANSWERS = ("Đã giải quyết xong hồ sơ và trả kết quả cho công dân.",
           "Đã hướng dẫn công dân bổ sung hồ sơ theo đúng quy định, nhắc nhở cán bộ tiếp nhận.",
           "Đã kiểm tra, chấn chỉnh việc tiếp nhận hồ sơ tại bộ phận một cửa.")
REPLIES = ("Dạ, Ông/Bà cho biết họ tên để hoàn tất phản ánh.", "Cảm ơn Ông/Bà, phản ánh đã được ghi nhận.",
           "Ông/Bà vui lòng cho biết số điện thoại liên hệ.", "Dạ vâng ạ", "ok gửi đi",
           "hồ sơ của tôi nộp từ tháng trước rồi", "tôi ở phường Cầu Giấy", "xác nhận gửi")
FINISHED = {"closed", "rejected", "redirected"}
CASE_COLUMNS = ("id", "code", "status", "channel", "sender_id", "conversation_id", "text",
                "procedure_id", "agency_id", "ward", "citizen_name", "citizen_phone",
                "citizen_address", "received_at", "due_at", "answer", "closed_at", "search_text",
                "publish_consent", "public_text", "public_answer", "public_search",
                "masking_reviewed_by", "masking_reviewed_at", "published_at", "queue_due_at",
                "queue_step", "public_order_at")
DEADLINE_COLUMNS = ("case_id", "step", "starts_at", "working_days", "due_at", "source", "met_at")


def _status(rng: random.Random, age_days: float) -> str:
    if age_days < 3:
        return rng.choices(("received", "classified", "forwarded"), (3, 4, 3))[0]
    if age_days < 20:
        return rng.choices(("classified", "forwarded", "in_progress", "answered", "rejected",
                            "redirected"), (7, 25, 45, 15, 5, 3))[0]
    return rng.choices(("closed", "published", "answered", "in_progress", "rejected", "redirected",
                        "reopened"), (65, 10, 5, 8, 7, 3, 2))[0]


class Generator:
    def __init__(self, catalogue: Any, calendar: Any, now: datetime, seed: int) -> None:
        from routing.calendar import VIETNAM
        from routing.text import fold

        self.fold, self.now, self.rng, self.zone = fold, now, random.Random(seed), VIETNAM
        self.calendar = calendar
        self._due: dict[tuple[Any, int], datetime] = {}
        self.procedures = [p for p in catalogue.procedures.values() if p.default_agency]
        self.wards = [w.label for w in catalogue.wards]
        limits = {s.id: s.working_days for s in catalogue.steps.values()}
        self.forward_days = int(limits.get("classify_and_forward") or 5)
        self.answer_days = self.forward_days + int(limits.get("handle_conduct") or 10)
        self.sequence: dict[int, int] = {}
        self.conversations = 0
        self._folds: dict[str, str] = {}

    def folded(self, text: str) -> str:
        """fold() of a repeated piece (name, street, ward, complaint), computed once."""
        if text not in self._folds:
            self._folds[text] = self.fold(text)
        return self._folds[text]

    def due(self, received: datetime, days: int) -> datetime:
        key = (received.astimezone(self.zone).date(), days)  # due dates end a working day: one per local day and limit
        if key not in self._due:
            self._due[key] = self.calendar.due_at(received, days)
        return self._due[key]

    def case(self, number: int, span_days: int) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
        rng = self.rng
        received = self.now - timedelta(seconds=rng.uniform(0, span_days * 86400))
        age = (self.now - received).total_seconds() / 86400
        procedure = rng.choice(self.procedures)
        status, channel = _status(rng, age), rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        self.sequence[received.year] = self.sequence.get(received.year, 0) + 1
        code = f"PAKN-{received.year}-{self.sequence[received.year]:06d}"
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        phone = f"09{rng.randrange(10**8):08d}"
        ward, street = rng.choice(self.wards), rng.choice(STREETS)
        house, alley = rng.randint(1, 300), rng.randint(1, 200)
        address = f"Số {house} ngõ {alley} phố {street}, {ward}"
        text = rng.choice(PROBLEMS).format(p=procedure.name.lower())
        folded_address = f"so {house} ngo {alley} pho {self.folded(street)}, {self.folded(ward)}"
        conversation = None
        if channel != "hotline":
            self.conversations += 1
            conversation = self.conversations
        forward_due, answer_due = self.due(received, self.forward_days), self.due(received, self.answer_days)
        forwarded = status not in ("received", "classified")
        answered = status in ("answered", "published", "closed")
        forward_met = received + timedelta(hours=rng.uniform(1, 96)) if forwarded else None
        answer_met = received + timedelta(days=rng.uniform(3, min(25, max(age, 3.1)))) if answered else None
        deadlines = [(number, "classify_and_forward", received, self.forward_days, forward_due,
                      "Nghị định 20/2008/NĐ-CP Điều 9.1.d", forward_met),
                     (number, "answer", received, self.answer_days, answer_due,
                      "Nghị định 20/2008/NĐ-CP", answer_met)]
        running = sorted((d[4], d[1]) for d in deadlines if d[6] is None)
        queue_due, queue_step = running[0] if running and status not in FINISHED else (None, None)
        closed_at = answer_met + timedelta(days=5) if status == "closed" and answer_met else None
        published_at = answer_met + timedelta(days=2) if status == "published" and answer_met else None
        consent = rng.random() < 0.6
        public = status in ("published", "closed") and (consent or rng.random() < 0.3)
        answer = rng.choice(ANSWERS) if answered else None
        public_text, public_answer = (text, answer) if public else (None, None)
        public_search = f"{self.folded(text)} {self.folded(answer or '')}" if public else None
        reviewed_at = (published_at or closed_at) if public and not consent else None
        search = " ".join((code.lower(), self.folded(name), phone, folded_address, self.folded(ward),
                           self.folded(text)))
        row = (number, code, status, channel, f"{channel}-{number}", conversation, text,
               procedure.id, procedure.default_agency, ward, name, phone, address, received,
               answer_due, answer, closed_at, search, consent, public_text, public_answer,
               public_search, "daumoi" if reviewed_at else None, reviewed_at, published_at,
               queue_due, queue_step, published_at or closed_at or received)
        return row, deadlines


def _cell(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)  # the generated texts hold no tab, newline or backslash


def _copy(connection: Any, table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> None:
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            lines: list[str] = []
            for row in rows:
                lines.append("\t".join(map(_cell, row)))
                if len(lines) == 20_000:
                    copy.write("\n".join(lines) + "\n")
                    lines = []
            if lines:
                copy.write("\n".join(lines) + "\n")


def _secondary_indexes(connection: Any, tables: tuple[str, ...]) -> list[str]:
    """CREATE INDEX statements of the plain indexes of `tables` (constraints stay): they are
    dropped before the bulk load and built again after it, which is several times faster."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) "
                       "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                       (list(tables),))
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


def _sql_rows(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def generate(url: str, cases: int, messages: int, seed: int = 18, minutes: float = 10.0,
             span_days: int = 730, log: Any = print) -> dict[str, Any]:
    """Migrate `url`, fill it, and return what was written and how long each part took."""
    import psycopg

    from bot.config import ROOT
    from storage.catalogue_files import calendar_entries, load_calendar, load_catalogue
    from storage.db import make_engine, seed_calendar, seed_catalogue, upgrade

    started = time.perf_counter()
    upgrade(url)
    engine = make_engine(url)
    catalogue = load_catalogue(ROOT / "catalogue")
    seed_catalogue(engine, catalogue)
    entries = calendar_entries(ROOT / "catalogue")
    seed_calendar(engine, entries)
    engine.dispose()
    gen = Generator(catalogue, load_calendar(ROOT / "catalogue"), datetime.now(timezone.utc), seed)
    figures: dict[str, Any] = {"cases": cases}
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=False) as connection:
        _sql_rows(connection, ["SET session_replication_role = replica",  # FKs hold by design
                               "SET synchronous_commit = off", "SET maintenance_work_mem = '512MB'"])
        indexes = _secondary_indexes(connection, ("cases", "case_deadlines", "case_events",
                                                  "conversations", "messages"))
        deadlines: list[tuple[Any, ...]] = []

        def case_rows() -> Iterator[tuple[Any, ...]]:
            for number in range(1, cases + 1):
                row, steps = gen.case(number, span_days)
                deadlines.extend(steps)
                yield row

        step = time.perf_counter()
        _copy(connection, "cases", CASE_COLUMNS, case_rows())
        _copy(connection, "case_deadlines", DEADLINE_COLUMNS, iter(deadlines))
        figures["cases_seconds"] = round(time.perf_counter() - step, 1)
        log(f"cases and deadlines: {cases:,} and {len(deadlines):,} in {figures['cases_seconds']} s")
        step = time.perf_counter()
        _sql_rows(connection, [
            "INSERT INTO conversations (id, channel, sender_id, state, display_name, escalated, "
            "last_inbound_at) SELECT conversation_id, channel, sender_id, 'idle', '', false, "
            "received_at FROM cases WHERE conversation_id IS NOT NULL",
            "INSERT INTO case_events (case_id, at, actor, kind, from_status, to_status, note, "
            "citizen_message) SELECT id, received_at, 'bot', 'status', NULL, 'received', '', '' "
            "FROM cases",
            "INSERT INTO case_events (case_id, at, actor, kind, from_status, to_status, note, "
            "citizen_message) SELECT id, coalesce(published_at, closed_at, received_at + interval "
            "'2 days'), 'daumoi', 'status', 'received', status, '', '' FROM cases "
            "WHERE status <> 'received'",
            "INSERT INTO case_sequences (year, last_number) VALUES "
            + ", ".join(f"({y}, {n})" for y, n in sorted(gen.sequence.items()))
            + " ON CONFLICT (year) DO UPDATE SET last_number = excluded.last_number",
            "SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))",
            "SELECT setval(pg_get_serial_sequence('conversations', 'id'), "
            "(SELECT coalesce(max(id), 1) FROM conversations))",
        ])
        connection.commit()
        figures["conversations"] = gen.conversations
        figures["timeline_seconds"] = round(time.perf_counter() - step, 1)
        log(f"conversations and timelines: {gen.conversations:,} in {figures['timeline_seconds']} s")
        figures.update(_messages(connection, gen.conversations, messages,
                                 started + minutes * 60, log))
        step = time.perf_counter()
        _sql_rows(connection, indexes)
        connection.commit()
        figures["index_seconds"] = round(time.perf_counter() - step, 1)
        log(f"{len(indexes)} indexes built again in {figures['index_seconds']} s")
        _sql_rows(connection, ["SET session_replication_role = origin"])
    with psycopg.connect(dsn, autocommit=True) as connection:
        _sql_rows(connection, ["VACUUM ANALYZE"])
    figures["total_seconds"] = round(time.perf_counter() - started, 1)
    log(f"done in {figures['total_seconds']} s")
    return figures


def _messages(connection: Any, conversations: int, wanted: int, deadline: float,
              log: Any) -> dict[str, Any]:
    """Messages in chunks, spread over the conversations, alternating citizen and bot, each minute
    after the conversation's start; stops at `deadline` (time.perf_counter()) and says so."""
    step, written, chunk = time.perf_counter(), 0, 1_000_000
    texts = "ARRAY[" + ", ".join("'" + t.replace("'", "''") + "'" for t in REPLIES) + "]"
    while written < wanted and conversations:
        if time.perf_counter() > deadline:
            log(f"time is up: {written:,} of {wanted:,} messages written")
            break
        upto = min(wanted, written + chunk)
        _sql_rows(connection, [
            "INSERT INTO messages (conversation_id, direction, channel, platform_message_id, "
            "author, text, status, created_at) SELECT c.id, CASE WHEN g % 2 = 0 THEN 'in' ELSE "
            "'out' END, c.channel, CASE WHEN g % 2 = 0 THEN 'gen-' || g END, CASE WHEN g % 2 = 0 "
            f"THEN 'citizen' ELSE 'bot' END, ({texts})[1 + (g * 7919) % {len(REPLIES)}], "
            "'processed', c.last_inbound_at + (g / " + str(conversations) + ") * interval '1 minute' "
            f"FROM generate_series({written + 1}::bigint, {upto}::bigint) AS g "
            f"JOIN conversations c ON c.id = 1 + (g * 2654435761) % {conversations}"])
        connection.commit()
        written = upto
        rate = written / (time.perf_counter() - step)
        log(f"messages: {written:,} ({rate:,.0f} per second)")
    _sql_rows(connection, ["SELECT setval(pg_get_serial_sequence('messages', 'id'), "
                           "(SELECT coalesce(max(id), 1) FROM messages))"])
    connection.commit()
    return {"messages": written, "messages_seconds": round(time.perf_counter() - step, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="an empty PostgreSQL database (postgresql+psycopg://…)")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--messages", type=int, default=20_000_000)
    parser.add_argument("--minutes", type=float, default=10.0, help="stop the messages after this long")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args(argv)
    if not args.url.startswith("postgresql"):
        parser.error("the generator fills PostgreSQL (COPY and generate_series)")
    generate(args.url, args.cases, args.messages, args.seed, args.minutes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
