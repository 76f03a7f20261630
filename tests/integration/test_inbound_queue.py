"""Inbound events as claimable work (issue 18), on SQLite and PostgreSQL: the acknowledgement stores
an event once, workers take one message per conversation at a time in platform order, a dead
worker's claim is taken over after its lease and the dead worker can no longer finish it, a failed
processing leaves nothing behind, and several workers draining one queue process each message once."""
from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from channels.base import IncomingMessage
from intake.pipeline import Outcome
from intake.processor import InboundProcessor, to_record
from routing.model import Message
from settings import InboundSettings
from storage import inbound_queue as q
from storage.orm import inbound, messages

T0 = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)


def event(sender: str, number: int, at: datetime = T0, channel: str = "telegram") -> IncomingMessage:
    return IncomingMessage(channel, sender, f"{sender}-{number}", f"Tin {number}", at)


def add(session_factory: Any, incoming: IncomingMessage, now: datetime = T0) -> int | None:
    return q.add(session_factory.kw["bind"], incoming.channel, incoming.sender_id, incoming.message_id,
                 incoming.received_at, to_record(incoming), now)


def claimed_ids(session_factory: Any, worker: str, now: datetime, lease: float = 30) -> list[str]:
    return [c.event["message_id"] for c in q.claim(session_factory, worker, now, lease, 10)]


def finish(session_factory: Any, worker: str, platform_id: str, now: datetime) -> bool:
    with session_factory() as session, session.begin():
        row_id = session.scalar(sa.select(inbound.c.id).where(inbound.c.platform_message_id == platform_id))
        return row_id in q.finish_many(session, [row_id], worker, now)


def test_a_redelivered_event_is_stored_once(session_factory: Any) -> None:
    first = add(session_factory, event("100", 1))
    again = add(session_factory, event("100", 1))
    assert first is not None and again is None
    with session_factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(inbound)) == 1


def test_one_message_per_conversation_in_flight_in_platform_order(session_factory: Any) -> None:
    add(session_factory, event("200", 2, T0 + timedelta(seconds=2)))
    add(session_factory, event("200", 1, T0 + timedelta(seconds=1)))  # arrived late, written first
    add(session_factory, event("201", 1))
    assert claimed_ids(session_factory, "w1", T0 + timedelta(seconds=5)) == ["200-1", "201-1"]
    assert claimed_ids(session_factory, "w2", T0 + timedelta(seconds=5)) == []  # 200-2 waits
    assert finish(session_factory, "w1", "200-1", T0 + timedelta(seconds=6))
    assert claimed_ids(session_factory, "w2", T0 + timedelta(seconds=6)) == ["200-2"]


def test_a_dead_workers_claim_is_taken_over_and_it_cannot_finish_it(session_factory: Any) -> None:
    add(session_factory, event("300", 1))
    assert claimed_ids(session_factory, "dead", T0, lease=30) == ["300-1"]
    assert claimed_ids(session_factory, "live", T0 + timedelta(seconds=29)) == []  # lease still runs
    assert claimed_ids(session_factory, "live", T0 + timedelta(seconds=31)) == ["300-1"]
    assert not finish(session_factory, "dead", "300-1", T0 + timedelta(seconds=32))
    assert finish(session_factory, "live", "300-1", T0 + timedelta(seconds=32))


class RecordingPipeline:
    """Stores each message as the real pipeline does (conversation, message row), and watches that
    no two messages of one conversation are ever in hand at once."""

    def __init__(self, fail_texts: tuple[str, ...] = (), work_seconds: float = 0.0) -> None:
        self.fail_texts = fail_texts
        self.work_seconds = work_seconds
        self.in_hand: set[str] = set()
        self.overlaps: list[str] = []
        self.lock = threading.Lock()

    def take_in(self, uow: Any, incoming: IncomingMessage) -> Outcome:
        with self.lock:
            if incoming.sender_id in self.in_hand:
                self.overlaps.append(incoming.message_id)
            self.in_hand.add(incoming.sender_id)
        try:
            conversation = uow.conversations.get_or_create(incoming.channel, incoming.sender_id)
            message = Message(conversation.id, "in", incoming.channel, incoming.text,
                              incoming.received_at, platform_message_id=incoming.message_id)
            message.status = "processed"
            stored = uow.messages.add_inbound(message)
            time.sleep(self.work_seconds)
            if incoming.text in self.fail_texts:
                raise RuntimeError("the dialogue failed after the message was written")
            return Outcome(message.id if stored else None, not stored, [])
        finally:
            with self.lock:
                self.in_hand.discard(incoming.sender_id)

    def take_in_stored(self, uow: Any, message_id: int) -> Outcome:
        return Outcome(message_id, False, [])

    def before_message(self) -> None:
        pass

    def on_queued(self) -> None:
        pass


class RefreshingPipeline(RecordingPipeline):
    """Before each message it reads the database in a session of its own, as the live catalogue
    and the training-data working copy do when their revision may have moved."""

    def __init__(self, session_factory: Any) -> None:
        super().__init__()
        self.session_factory = session_factory
        self.refreshed = 0

    def before_message(self) -> None:
        with self.session_factory() as session:
            session.execute(sa.text("SELECT 1"))
        self.refreshed += 1


def processor(session_factory: Any, pipeline: RecordingPipeline, worker: str, **settings: Any) -> InboundProcessor:
    return InboundProcessor(pipeline, session_factory, background=True,  # type: ignore[arg-type]
                            settings=InboundSettings(poll_seconds=0.02, backoff_base_seconds=0.05,
                                                     backoff_max_seconds=0.05, **settings),
                            worker_id=worker)


def stored_texts(session_factory: Any) -> list[str]:
    with session_factory() as session:
        return list(session.scalars(sa.select(messages.c.text).order_by(messages.c.id)))


def test_the_catalogue_refresh_before_a_message_does_not_wait_for_the_messages_own_transaction(
        session_factory: Any) -> None:
    """On SQLite a transaction holds the one write lock: a refresh that opened its own session
    inside the message's transaction waited 30 s for itself, then failed the message."""
    now = datetime.now(timezone.utc)
    add(session_factory, event("450", 1, now), now)
    pipeline = RefreshingPipeline(session_factory)
    worker = processor(session_factory, pipeline, "w", max_attempts=1)
    started = time.monotonic()
    done = worker.drain()
    assert list(done) != [] and pipeline.refreshed == 1
    assert stored_texts(session_factory) == ["Tin 1"]
    assert time.monotonic() - started < 10


def test_a_failed_processing_leaves_nothing_and_is_kept_as_failed(session_factory: Any) -> None:
    now = datetime.now(timezone.utc)
    add(session_factory, event("400", 1, now), now)
    add(session_factory, IncomingMessage("telegram", "400", "400-2", "Tin 2", now + timedelta(seconds=1)), now)
    pipeline = RecordingPipeline(fail_texts=("Tin 1",))
    worker = processor(session_factory, pipeline, "w", max_attempts=2)
    assert worker.drain() == {}  # the first attempt fails; "Tin 2" waits behind it
    assert stored_texts(session_factory) == []  # the message written before the failure is gone
    time.sleep(0.1)
    assert list(worker.drain()) != []  # second attempt fails and gives up; then "Tin 2" goes
    assert stored_texts(session_factory) == ["Tin 2"]
    with session_factory() as session:
        row = session.execute(sa.select(inbound).where(inbound.c.platform_message_id == "400-1")).one()
    assert (row.status, row.attempts) == ("failed", 2) and "dialogue failed" in row.last_error


def test_several_workers_process_each_message_once_in_order(session_factory: Any) -> None:
    """Two processes' worth of workers (2 x 3 threads) drain 240 messages of 24 conversations."""
    now = datetime.now(timezone.utc)
    for number in range(10):
        for sender in range(24):
            add(session_factory, event(f"5{sender:02d}", number, now + timedelta(milliseconds=number)),
                now)
    pipeline = RecordingPipeline(work_seconds=0.002)
    workers = [processor(session_factory, pipeline, f"w{n}") for n in range(2)]
    for worker in workers:
        worker.start(3)
    try:
        assert workers[0].wait_idle(60)
    finally:
        for worker in workers:
            worker.stop()
    with session_factory() as session:
        rows = session.execute(sa.select(messages.c.platform_message_id).order_by(messages.c.id)).all()
    stored = [row.platform_message_id for row in rows]
    assert len(stored) == 240 and Counter(stored).most_common(1)[0][1] == 1
    by_sender: dict[str, list[int]] = defaultdict(list)
    for platform_id in stored:
        sender, number = platform_id.split("-")
        by_sender[sender].append(int(number))
    assert all(numbers == list(range(10)) for numbers in by_sender.values())
    assert pipeline.overlaps == []


def commits_during(engine: Any, work: Any) -> tuple[Any, int]:
    counted = [0]

    def commit(_connection: Any) -> None:
        counted[0] += 1

    sa.event.listen(engine, "commit", commit)
    try:
        return work(), counted[0]
    finally:
        sa.event.remove(engine, "commit", commit)


def test_a_claimed_batch_of_conversations_is_processed_in_one_transaction(session_factory: Any) -> None:
    """Ten senders' messages claimed together cost one transaction, not ten (issue 18: the
    check-out, the finish and the commit are paid once per batch)."""
    now = datetime.now(timezone.utc)
    for sender in range(10):
        add(session_factory, event(f"6{sender:02d}", 1, now), now)
    worker = processor(session_factory, RecordingPipeline(), "w", batch_size=10)
    done, commits = commits_during(session_factory.kw["bind"], lambda: worker.work_once())
    assert len(done) == 10 and sorted(stored_texts(session_factory)) == ["Tin 1"] * 10
    assert commits == 2  # the claim, then the ten messages together
    with session_factory() as session:
        statuses = session.scalars(sa.select(inbound.c.status)).all()
    assert statuses == ["done"] * 10


def test_one_failing_message_in_a_batch_fails_alone_and_the_others_are_stored_once(
        session_factory: Any) -> None:
    now = datetime.now(timezone.utc)
    for sender, text in (("700", "Tin A"), ("701", "Tin B"), ("702", "Tin C")):
        add(session_factory, IncomingMessage("telegram", sender, f"{sender}-1", text, now), now)
    pipeline = RecordingPipeline(fail_texts=("Tin B",))
    worker = processor(session_factory, pipeline, "w", max_attempts=2)
    done = worker.work_once()
    assert len(done) == 2  # the batch rolled back, then each message alone: B fails, A and C go
    assert sorted(stored_texts(session_factory)) == ["Tin A", "Tin C"]
    with session_factory() as session:
        rows = {row.sender_id: row for row in session.execute(sa.select(inbound))}
    assert rows["700"].status == rows["702"].status == "done"
    # The batch's failure did not use one of B's attempts: its own failure alone did.
    assert (rows["701"].status, rows["701"].attempts) == ("pending", 1)
    assert "dialogue failed" in rows["701"].last_error


# -- the acknowledgement's group commit ------------------------------------------------------------


def slow_first_write(engine: Any, seconds: float) -> None:
    """The first insert waits `seconds` in the database's place: every webhook that arrives
    meanwhile queues behind it, as under load."""
    first = [True]

    @sa.event.listens_for(engine, "before_cursor_execute")
    def wait(*_: Any) -> None:
        if first[0]:
            first[0] = False
            time.sleep(seconds)


def acknowledge_at_once(writer: q.GroupAcknowledger, events: list[Any]) -> list[Any]:
    """Every event acknowledged from its own thread, all released together: the id each one got
    (None for a duplicate), or the exception it raised."""
    results: list[Any] = [None] * len(events)
    start = threading.Barrier(len(events))

    def one(index: int) -> None:
        start.wait()
        try:
            results[index] = writer.add(*events[index])
        except Exception as error:  # noqa: BLE001 - the test looks at which request failed
            results[index] = error

    threads = [threading.Thread(target=one, args=(n,)) for n in range(len(events))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def ack_args(incoming: IncomingMessage) -> tuple[Any, ...]:
    return (incoming.channel, incoming.sender_id, incoming.message_id, incoming.received_at,
            to_record(incoming), T0)


def test_concurrent_acknowledgements_share_commits_and_store_each_event_once(session_factory: Any) -> None:
    engine = session_factory.kw["bind"]
    writer = q.GroupAcknowledger(engine)
    slow_first_write(engine, 0.3)
    fresh = [event(str(500 + n % 7), n) for n in range(40)]
    retried = [event(str(500 + n % 7), n) for n in range(0, 40, 4)]  # platform retries, meanwhile
    results = acknowledge_at_once(writer, [ack_args(e) for e in fresh + retried])

    assert not [r for r in results if isinstance(r, Exception)]
    ids = [r for r in results if r is not None]
    assert len(ids) == len(set(ids)) == 40  # each event once; its retry is told "duplicate"
    with session_factory() as session:
        stored = Counter(session.scalars(sa.select(inbound.c.platform_message_id)))
    assert stored == Counter(e.message_id for e in fresh)
    assert writer.writes < len(fresh)  # the webhooks that came during a write shared the next one


def test_a_row_the_database_refuses_fails_its_own_request_only(session_factory: Any) -> None:
    engine = session_factory.kw["bind"]
    writer = q.GroupAcknowledger(engine)
    slow_first_write(engine, 0.3)
    good = [ack_args(event("600", n)) for n in range(6)]
    bad = list(ack_args(event("601", 1)))
    bad[4] = {**bad[4], "raw": {"unserialisable": {1, 2}}}  # JSON cannot hold a set
    results = acknowledge_at_once(writer, good + [tuple(bad)])

    assert all(isinstance(r, int) for r in results[:6]) and isinstance(results[6], Exception)
    with session_factory() as session:
        stored = set(session.scalars(sa.select(inbound.c.platform_message_id)))
    assert stored == {f"600-{n}" for n in range(6)}
