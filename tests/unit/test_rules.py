"""Routing: an agency named in the text overrides the default only when it can handle the case."""
from __future__ import annotations

from routing.rules import choose_agency
from storage.catalogue_files import load_catalogue
from tests.conftest import ROOT

CATALOGUE = load_catalogue(ROOT / "catalogue")


def test_default_agency_when_none_named() -> None:
    assert choose_agency(CATALOGUE, "ho_tich") == "ubnd_xa"
    assert choose_agency(CATALOGUE, "dat_dai") == "so_nnmt"
    assert choose_agency(CATALOGUE, "can_cuoc") == "cong_an"


def test_named_competent_agency_wins() -> None:
    assert choose_agency(CATALOGUE, "dat_dai", ["ubnd_xa"]) == "ubnd_xa"
    assert choose_agency(CATALOGUE, "cu_tru", ["cong_an"]) == "cong_an"


def test_named_agency_that_cannot_handle_is_ignored() -> None:
    assert choose_agency(CATALOGUE, "ho_tich", ["cong_an"]) == "ubnd_xa"
    assert choose_agency(CATALOGUE, "thue", ["so_gddt", "thue"]) == "thue"


def test_complaints_and_unknown_procedures_have_no_agency() -> None:
    assert choose_agency(CATALOGUE, "khieu_nai_to_cao", ["thanh_tra"]) is None
    assert choose_agency(CATALOGUE, None) is None
    assert choose_agency(CATALOGUE, "khong_co") is None


def test_catalogue_ids_are_the_shared_contract() -> None:
    assert len(CATALOGUE.procedures) == 21
    assert len(CATALOGUE.wards) == 126
    assert sum(w.type == "phường" for w in CATALOGUE.wards) == 51
    for procedure in CATALOGUE.procedures.values():
        assert procedure.default_agency is None or procedure.default_agency in CATALOGUE.agencies
    for agency, procedures in CATALOGUE.competence.items():
        assert agency in CATALOGUE.agencies
        assert procedures <= set(CATALOGUE.procedures)
