"""The "Cetak SOP" button: the designer gets the official SOP document of a version as a PDF."""
from __future__ import annotations

import io

from pypdf import PdfReader

from alur.runtime import directory
from tests.web.conftest import ORG, PASSWORD_HASH, SOP


def _designer(alur):
    directory.add_user(alur, "perancang", ["perancang"], display_name="Perancang Sulteng",
                       password_hash=PASSWORD_HASH, org=ORG)


def test_the_version_page_links_each_version_to_its_printed_sop(client, login, alur):
    _designer(alur)
    login(client, "perancang")
    page = client.get(f"/sop/{SOP}/versi").get_data(as_text=True)
    assert f'href="/sop/{SOP}/versi/1/cetak"' in page
    assert "Cetak SOP" in page


def test_the_designer_gets_the_pdf_of_the_version(client, login, alur):
    _designer(alur)
    login(client, "perancang")
    response = client.get(f"/sop/{SOP}/versi/1/cetak")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert f"SOP-{SOP}-versi-1.pdf" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(reader.pages[0].extract_text().split())
    assert "PENGUMPULAN DATA KINERJA" in text
    assert "DINAS KOPERASI, USAHA KECIL DAN MENENGAH PROVINSI SULAWESI TENGAH" in text
    assert (round(float(reader.pages[0].mediabox.width)), round(float(reader.pages[0].mediabox.height))) == (842, 595)


def test_a_version_that_does_not_exist_is_not_found(client, login, alur):
    _designer(alur)
    login(client, "perancang")
    assert client.get(f"/sop/{SOP}/versi/7/cetak").status_code == 404
    assert client.get("/sop/tidak-ada/versi/1/cetak").status_code == 404
