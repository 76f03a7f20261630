"""Property-based: for generated Vietnamese cases carrying names, phones, ID numbers, emails and plates
in the citizen's text and in the agency's answer, no public page and no Open311 response shows any
of them once the case is published (with consent: automatic masking; without: the staff review)."""
from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlu.entities import normalize_phone
from routing import services
from routing.masking import fold, mask
from tests.integration.console_support import CAU_GIAY, Console, make_console
from tests.integration.test_public_site import file_and_answer, publish
from tests.strategies import examples
from tests.unit.test_masking import case_texts, name_st


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, nlu_models_dir: Path) -> Iterator[Console]:
    made = make_console(tmp_path_factory.mktemp("privacy"), nlu_models_dir)
    yield made
    made.pakn.engine.dispose()


def leaks(body: str, secrets: dict[str, str]) -> list[str]:
    """Secrets recognisable in `body`: as written, without diacritics, or as digits in a number."""
    body = html.unescape(body)
    folded = fold(body)
    numbers = [re.sub(r"\D", "", run) for run in re.findall(r"\d(?:[ .\-()+]{0,2}\d)*", body)]
    found = []
    for kind, value in secrets.items():
        if value in body or fold(value) in folded:
            found.append(f"{kind}: {value}")
        digits = re.sub(r"\D", "", value)
        if kind in ("phone", "id", "citizen_phone") and any(digits[-8:] in n for n in numbers):
            found.append(f"{kind} digits: {value}")
    return found


@settings(max_examples=examples(30), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(case=case_texts(), answer_name=name_st, consent=st.booleans())
def test_no_personal_data_in_any_public_page_or_api_response(
        site: Console, case: tuple[str, dict[str, str]], answer_name: str, consent: bool) -> None:
    text, secrets = case
    phone = normalize_phone(secrets["phone"]) or "0912345678"
    secrets = {**secrets, "answer_name": answer_name, "citizen_phone": phone}
    answer = (f"Kính gửi ông/bà {secrets['name']} (điện thoại {secrets['phone']}). Cán bộ {answer_name} "
              f"đã liên hệ theo email {secrets['email']} và đã giải quyết xong hồ sơ.")
    form = services.IntakeForm(text=text, procedure_id="ho_tich", citizen_name=secrets["name"],
                               citizen_phone=phone, citizen_address="Số 5 ngõ 10 Trần Thái Tông",
                               ward=CAU_GIAY, publish_consent=consent)
    code = file_and_answer(site, form, answer=answer)
    if not consent:  # staff accept the automatic masking on the review page
        with site.pakn.uow() as uow:
            case_ = services.lookup_case(uow, code)
            known = (case_.citizen_name, case_.citizen_address, case_.citizen_phone)
            services.review_publication(uow, code, mask(case_.text, known), mask(answer, known), "daumoi",
                                        datetime.now(timezone.utc))
            uow.commit()
    publish(site, code)

    client = site.app.test_client()
    bodies: dict[str, Any] = {
        "list": client.get("/cong-khai").text,
        "detail": client.get(f"/cong-khai/{code}").text,
        "search by code words": client.get("/cong-khai", query_string={"q": "khai sinh"}).text,
        "open311 request": str(client.get(f"/open311/v2/requests/{code}.json").get_json()),
        "open311 list": str(client.get("/open311/v2/requests.json?page_size=5").get_json()),
    }
    assert code in bodies["detail"] and code in bodies["open311 request"]
    for where, body in bodies.items():
        assert leaks(body, secrets) == [], f"{where}: {text!r}"
    # (That the search sees only the masked text is tested in test_public_site: name syllables
    # such as "an" or "hà" are also parts of ordinary words, so they may match here.)
