"""The channel poster: an A4 PDF per unit with a QR code and a short address for each channel that is
switched on and has a public address, and the hotline. The PDF is rendered to an image (pypdfium2),
every QR code is decoded back (zxing-cpp) and its text read (pypdf), as a citizen's phone and eyes
would."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Iterator

import pypdf
import pypdfium2
import pytest
import zxingcpp

from tests.conftest import channel_settings
from tests.integration.console_support import Console, console, make_console  # noqa: F401

DEAD = "http://127.0.0.1:9"  # the channels are switched on; nothing is sent in these tests
ADDRESSES: dict[str, Any] = {
    "public": {"base_url": "https://pakn.hanoi.gov.vn/"},
    "hotline": {"phone": "024 1022"},
    "channels": channel_settings(DEAD, DEAD, DEAD),
}
ADDRESSES["channels"]["telegram"]["username"] = "@pakn_hanoi_bot"
ADDRESSES["channels"]["facebook"]["page_username"] = "ubndhanoi"
ADDRESSES["channels"]["zalo"]["oa_id"] = "4318352950152291040"
URLS = {"https://zalo.me/4318352950152291040", "https://m.me/ubndhanoi", "https://t.me/pakn_hanoi_bot",
        "https://pakn.hanoi.gov.vn/chat", "tel:0241022"}


@pytest.fixture
def office(tmp_path: Path, nlu_models_dir: Path) -> Iterator[Console]:
    made = make_console(tmp_path, nlu_models_dir, ADDRESSES)
    yield made
    made.pakn.engine.dispose()


def read(pdf: bytes) -> tuple[set[str], str, int]:
    """(texts of the QR codes a phone reads on the printed page, the page's text, pages)."""
    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=150 / 72).to_pil()  # a 150 dpi scan of the A4 page
    codes = zxingcpp.read_barcodes(image)
    assert all(code.format == zxingcpp.BarcodeFormat.QRCode for code in codes)
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    return {code.text for code in codes}, text, len(document)


def test_a_ward_officer_prints_the_own_unit_s_poster(office: Console) -> None:
    officer = office.client("caugiay")
    page = officer.get("/console/ap-phich").text
    assert "UBND phường Cầu Giấy" in page and "Tải áp phích (PDF)" in page
    assert 'name="don_vi"' not in page and 'id="base-url-warning"' not in page
    for short in ("zalo.me/4318352950152291040", "m.me/ubndhanoi", "t.me/pakn_hanoi_bot",
                  "pakn.hanoi.gov.vn/chat", "024 1022"):
        assert short in page
    response = officer.get("/console/ap-phich.pdf?don_vi=so_xay_dung")  # another unit: ignored
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="ap-phich-pakn-ubnd-xa-phuong-cau-giay.pdf"' in response.headers["Content-Disposition"]
    codes, text, pages = read(response.data)
    assert codes == URLS and pages == 1
    assert "UBND phường Cầu Giấy" in text and "GỬI PHẢN ÁNH, KIẾN NGHỊ" in text
    assert "Sở Xây dựng" not in text
    for short in ("zalo.me/4318352950152291040", "m.me/ubndhanoi", "t.me/pakn_hanoi_bot",
                  "pakn.hanoi.gov.vn/chat", "024 1022", "Đường dây nóng", "pakn.hanoi.gov.vn/tra-cuu"):
        assert short in text, short


def test_the_focal_point_picks_any_unit(office: Console) -> None:
    focal = office.client("daumoi")
    page = focal.get("/console/ap-phich").text
    assert page.count("<option") == 2 * 126 + len(office.pakn.ctx.catalogue.agencies) - 2
    assert '<option value="cong_an:phường Ba Đình" >Công an phường Ba Đình</option>' in page
    codes, text, _ = read(focal.get("/console/ap-phich.pdf?don_vi=cong_an:phường Ba Đình").data)
    assert codes == URLS and "Công an phường Ba Đình" in text
    _, text, _ = read(focal.get("/console/ap-phich.pdf?don_vi=so_nnmt").data)
    assert "Sở Nông nghiệp và Môi trường" in text
    assert focal.get("/console/ap-phich.pdf?don_vi=ubnd_xa:phường Không Có").status_code == 404
    assert office.app.test_client().get("/console/ap-phich.pdf").status_code == 302  # log in first


def test_only_channels_switched_on_with_an_address_are_printed(console: Console) -> None:
    staff = console.client("daumoi")  # no platform secrets, no address, no hotline in this config
    page = staff.get("/console/ap-phich").text
    assert 'id="base-url-warning"' in page and "public.base_url" in page
    missing = page.split('id="poster-missing"', 1)[1].split("</ul>", 1)[0]
    assert "Zalo: kênh chưa được bật" in missing and "hotline.phone" in missing
    codes, text, _ = read(staff.get("/console/ap-phich.pdf").data)
    assert codes == {"http://localhost/chat"}  # the web chat, at the address the console is on
    assert "Zalo" not in text and "Trò chuyện trên web" in text
