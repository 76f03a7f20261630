"""Citizens' names from Messenger's and Zalo's profile APIs (issue 16), looked up after a message to
them was sent, against the fake Graph and Zalo servers; SQLite and PostgreSQL."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from channels.facebook import FacebookChannel
from channels.zalo import ZaloChannel
from outbox.profiles import ProfileFetcher
from storage.orm import conversations
from tests.conftest import FACEBOOK_PAGE_TOKEN, ZALO_ACCESS_TOKEN
from tests.fakes import FakeGraph, FakeZalo


def conversation(session_factory: Any, channel: str, sender: str, name: str = "") -> int:
    with session_factory() as session:
        result = session.execute(conversations.insert().values(
            channel=channel, sender_id=sender, state="idle", display_name=name, escalated=False))
        session.commit()
        return int(result.inserted_primary_key[0])


def name_of(session_factory: Any, conversation_id: int) -> str:
    with session_factory() as session:
        return str(session.scalar(sa.select(conversations.c.display_name)
                                  .where(conversations.c.id == conversation_id)))


def test_names_come_from_the_profile_apis_once(session_factory: Any, fake_graph: FakeGraph,
                                               fake_zalo: FakeZalo) -> None:
    fake_graph.reset()
    fake_zalo.reset()
    graph = FacebookChannel("secret", "verify", FACEBOOK_PAGE_TOKEN, fake_graph.url + "/v21.0")
    zalo = ZaloChannel("app", "oa-secret", ZALO_ACCESS_TOKEN, fake_zalo.url)
    fetcher = ProfileFetcher(session_factory, {"facebook": graph, "zalo": zalo})
    fake_graph.profiles["24006001"] = ("An", "Nguyễn Văn")
    fake_zalo.profiles["77001"] = "Trần Thị Bình"
    messenger = conversation(session_factory, "facebook", "24006001")
    on_zalo = conversation(session_factory, "zalo", "77001")
    named = conversation(session_factory, "zalo", "77002", name="Chị Lan")
    stranger = conversation(session_factory, "facebook", "24006999")

    assert fetcher.after_sent(messenger, "facebook", "24006001")
    assert fetcher.after_sent(on_zalo, "zalo", "77001")
    assert not fetcher.after_sent(named, "zalo", "77002")  # a name already there stays
    assert not fetcher.after_sent(stranger, "facebook", "24006999")  # refused: left unnamed
    assert name_of(session_factory, messenger) == "Nguyễn Văn An"
    assert name_of(session_factory, on_zalo) == "Trần Thị Bình"
    assert name_of(session_factory, named) == "Chị Lan"
    assert name_of(session_factory, stranger) == ""

    asked = [r for r in fake_graph.matching() if r.method == "GET"]
    assert [(r.path, r.query["fields"]) for r in asked if r.path.endswith("24006001")] == [
        ("/v21.0/24006001", "first_name,last_name")]
    fetcher.after_sent(messenger, "facebook", "24006001")  # named: not asked again
    fetcher.after_sent(stranger, "facebook", "24006999")  # refused an hour ago at most: not yet
    assert len([r for r in fake_graph.matching() if r.method == "GET"]) == len(asked)
    (zalo_call,) = [r for r in fake_zalo.matching() if r.path == "/v3.0/oa/user/detail"]
    assert zalo_call.header("access_token") == ZALO_ACCESS_TOKEN
