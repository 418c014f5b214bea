"""The Corrective Action Report: one page and one PDF per NC, with every step and sign-off, for those who may see it."""

import importlib.util
import io
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from clauseten.nonconformities import services
from clauseten.nonconformities.models import Attachment
from conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[3]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def closed_nc(make_nc):
    return make_nc("closed", title="Visitor badge not returned at reception")


def test_the_car_pdf_holds_the_reference_root_cause_and_evidence_hash(client, manager, closed_nc):
    client.force_login(manager)
    response = client.get(f"/reports/car/{closed_nc.reference}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="CAR-{closed_nc.reference}.pdf"' in response["Content-Disposition"]
    text = " ".join(pdf_text(response.content).split())
    assert closed_nc.reference in text
    assert "the kiosk had no step for it" in text  # the root cause
    evidence = Attachment.objects.get(nonconformity=closed_nc)
    assert evidence.name in text and evidence.sha256[:16] in text.replace(" ", "")


def test_the_car_page_shows_every_section_and_sign_off(client, auditor, closed_nc, approver):
    client.force_login(auditor)
    response = client.get(f"/reports/car/{closed_nc.reference}/")
    assert response.status_code == 200
    page = response.content.decode()
    for section in ("Identification", "Requirement not fulfilled", "Correction and consequences", "Root cause",
                    "Extent of condition", "Corrective actions", "Effectiveness review",
                    "Changes to the management system", "Sign-offs", "History"):
        assert section in page
    assert "None recorded." in page  # no management-system change yet
    assert "Closure approved" in page and str(approver) in page
    assert "Effective: close" in page and "Five whys" in page


def test_the_car_names_linked_records_in_the_extent_of_condition(client, manager, make_nc):
    first, second = make_nc("investigating"), make_nc("open", title="Badge left on desk")
    services.nonconformity_link(actor=manager, nc=first, target=second)
    client.force_login(manager)
    assert second.reference in client.get(f"/reports/car/{first.reference}/").content.decode()
    assert first.reference in client.get(f"/reports/car/{second.reference}/").content.decode()


def test_the_car_of_a_just_reported_nc_says_what_is_missing(client, reporter, make_nc):
    nc = make_nc("reported")
    client.force_login(reporter)
    page = client.get(f"/reports/car/{nc.reference}/").content.decode()
    assert "Not yet determined." in page and "No corrective actions planned." in page


@pytest.mark.parametrize("suffix", ["/", ".pdf"])
def test_someone_who_may_not_see_the_nc_gets_404(client, stranger, closed_nc, suffix):
    client.force_login(stranger)
    assert client.get(f"/reports/car/{closed_nc.reference}{suffix}").status_code == 404


def test_an_unknown_reference_is_404(client, manager, db):
    client.force_login(manager)
    assert client.get("/reports/car/NC-1999-0001.pdf").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, closed_nc):
    assert client.get(f"/reports/car/{closed_nc.reference}/").status_code == 302


def test_the_screenshot_script_renders_the_first_page_to_png(closed_nc, tmp_path):
    from clauseten.nonconformities.selectors import nonconformity_detail
    from clauseten.reports.car import render_car_pdf

    if not shutil.which("pdftoppm"):
        skip_or_fail("poppler's pdftoppm is not installed (apt-get install poppler-utils)")
    spec = importlib.util.spec_from_file_location("make_car_screenshot", ROOT / "docs" / "make_car_screenshot.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    nc = nonconformity_detail(closed_nc.reported_by, closed_nc.reference)
    out = script.pdf_to_png(render_car_pdf(nc), tmp_path / "car.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
