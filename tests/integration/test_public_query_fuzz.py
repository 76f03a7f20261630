"""Anyone on the internet can put anything in the query string of the public pages and APIs: the
results page, the lookup page, the Open311 list and the web chat thread. Whatever it is, the
answer is a page, an empty list or a 400/404 with the reason, never a 5xx, on SQLite and on
PostgreSQL (issue 12, defect 5)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.console_support import Console, make_console
from tests.strategies import examples

PUBLIC = ("/cong-khai", "/tra-cuu", "/open311/v2/requests.json", "/chat/api/messages")
# The parameters these read, and some they do not.
KEYS = ("trang", "q", "tu_ngay", "den_ngay", "linh_vuc", "co_quan", "phuong", "ma", "page", "page_size",
        "start_date", "end_date", "status", "service_code", "service_request_id", "after", "api_key",
        "x", "")
# Values near the edges: numbers no column holds, digits that are not ASCII, the ends of the
# calendar, separators, and anything at all.
EDGES = ("0", "-1", "²", "٣", "1e3", " 7", "100000000000000000000", "2147483648", "9" * 400,
         "9999-12-31", "0001-01-01", "9999-12-31T23:59:59.999999", "0001-01-01T00:00:00+14:00",
         "2026-02-30", "2026-W01-1", "open,closed", ",,,", "PAKN-2026-000001", "a\u0000b", "\ud800")
values = st.one_of(st.sampled_from(EDGES), st.text(max_size=40),
                   st.integers(-(10**25), 10**25).map(str),
                   st.dates().map(lambda d: d.isoformat()),
                   st.datetimes().map(lambda d: d.isoformat()))
queries = st.lists(st.tuples(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), values),
                   max_size=5)


@pytest.fixture
def site(database_url: str, tmp_path: Path, nlu_models_dir: Path) -> Iterator[Console]:
    made = make_console(tmp_path, nlu_models_dir, database_url=database_url)
    made.file(sender="555")  # one case, so that the queries have rows to look at
    yield made
    made.pakn.engine.dispose()


@settings(max_examples=examples(60), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=st.sampled_from(PUBLIC), query=queries)
def test_any_query_string_on_a_public_page_is_never_a_5xx(site: Console, path: str,
                                                           query: list[tuple[str, Any]]) -> None:
    client = site.app.test_client()
    client.get("/chat")  # a browser session for the web chat thread
    response = client.get(path, query_string=[(k.encode("utf-8", "surrogatepass"),
                                               v.encode("utf-8", "surrogatepass")) for k, v in query])
    assert response.status_code < 500, (path, query, response.text[:300])
    assert response.status_code in (200, 400, 404), (path, query, response.status_code)


@pytest.mark.parametrize("query", [
    "tu_ngay=0001-01-01", "den_ngay=9999-12-31", "tu_ngay=9999-12-31&den_ngay=0001-01-01"])
def test_the_ends_of_the_calendar_on_the_results_page(site: Console, query: str) -> None:
    """A filter at the first or the last day there is: no day before or after it exists."""
    response = site.app.test_client().get(f"/cong-khai?{query}")
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("query", [
    "date_from=0001-01-01", "date_to=9999-12-31", "date_from=%D9%A2%D9%A0%D9%A2%D9%A6-01-01"])
def test_the_ends_of_the_calendar_on_the_console_case_list(site: Console, query: str) -> None:
    response = site.client("daumoi").get(f"/console/cases?{query}")
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("period, status", [("2026-11", 200), ("0000-01", 404), ("9999-Q4", 404),
                                            ("٢٠٢٦-11", 404)])
def test_report_periods_at_the_ends_of_the_calendar(site: Console, period: str, status: int) -> None:
    response = site.client("daumoi").get("/bao-cao", query_string={"ky": period})
    assert response.status_code == status, response.text[:300]
