"""Attempt limits that hold behind the proxy and across processes (issue 17): counted in the
database before the password is checked, per account and client address together, the client's
address taken from X-Forwarded-For behind one trusted hop. SQLite and PostgreSQL."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest

from tests.integration.console_support import PASSWORD, Console, make_console

LIMIT = 10


@pytest.fixture
def console(tmp_path: Path, nlu_models_dir: Path, database_url: str) -> Iterator[Console]:
    made = make_console(tmp_path, nlu_models_dir, {"proxy": {"trusted_hops": 1}},
                        database_url=database_url)
    yield made
    made.pakn.engine.dispose()


def login_from(console: Console, forwarded: str, username: str, password: str) -> int:
    """A login through the reverse proxy (127.0.0.1) for the client at `forwarded`."""
    client = console.client()
    token = client.token()
    response = client.http.post("/console/login", headers={"X-Forwarded-For": forwarded},
                                data={"username": username, "password": password, "csrf_token": token})
    return int(response.status_code)


def test_60_concurrent_wrong_logins_check_at_most_the_limit(console: Console) -> None:
    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(lambda n: login_from(console, "203.0.113.9", "admin", f"doan-{n}"),
                              range(60)))
    assert codes.count(401) <= LIMIT and codes.count(401) + codes.count(429) == 60
    checked = console.query("SELECT count(*) FROM audit_log WHERE action = 'login_failed'")[0][0]
    assert checked == codes.count(401)
    assert login_from(console, "203.0.113.9", "admin", PASSWORD) == 429  # that address waits


def test_someone_elses_failures_never_lock_the_rightful_user_out(console: Console) -> None:
    for n in range(LIMIT + 5):
        login_from(console, "198.51.100.66", "admin", f"doan-{n}")
    for n in range(40):  # and other names, from the same attacker
        login_from(console, "198.51.100.66", f"nguoi{n % 4}", "doan")
    assert login_from(console, "198.51.100.66", "admin", PASSWORD) == 429
    assert login_from(console, "192.0.2.10", "admin", PASSWORD) == 302  # the admin at the office
    assert login_from(console, "192.0.2.11", "daumoi", PASSWORD) == 302


def test_the_forwarded_address_behind_one_trusted_hop_is_the_one_limited(console: Console) -> None:
    for n in range(LIMIT):
        assert login_from(console, "203.0.113.50", "daumoi", f"doan-{n}") == 401
    assert login_from(console, "203.0.113.50", "daumoi", PASSWORD) == 429
    # Addresses the client writes itself in front of the proxy's entry change nothing.
    assert login_from(console, "10.9.9.9, 203.0.113.50", "daumoi", PASSWORD) == 429
    # Another citizen behind the same proxy (same TCP peer 127.0.0.1) is not held back.
    assert login_from(console, "203.0.113.51", "daumoi", PASSWORD) == 302
    counters = console.query("SELECT name, count FROM attempt_counters WHERE name = 'login'")
    assert [tuple(r) for r in counters] == [("login", LIMIT + 2)]  # keys stored hashed only
    assert not console.query("SELECT 1 FROM attempt_counters WHERE key_hash LIKE '%daumoi%'")


def test_public_lookups_are_limited_per_code_and_address(console: Console) -> None:
    code = console.file()
    web = console.app.test_client()

    def lookup(address: str, digits: str) -> int:
        return int(web.post("/tra-cuu", headers={"X-Forwarded-For": address},
                            data={"code": code, "phone_last4": digits}).status_code)

    assert [lookup("203.0.113.7", "0000") for _ in range(10)] == [404] * 10
    assert lookup("203.0.113.7", "5678") == 429
    assert lookup("192.0.2.20", "5678") == 200  # the citizen elsewhere still sees the status
