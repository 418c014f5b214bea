"""Dashboard and management review pack: who may see them, what they show, and the PDF from the same template."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from clauseten.accounts.services import api_token_create
from clauseten.improvements import services as improvements
from clauseten.improvements.models import ReviewDecision

from .insight_fixtures import fresh_cache, login  # noqa: F401

pytestmark = pytest.mark.django_db
PAGES = ["/reports/dashboard/", "/reports/review-pack/", "/reports/review-pack/pdf/", "/reports/oscal/poam.json"]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("persona", ["manager", "reviewer", "auditor"])
def test_oversight_roles_open_the_insight_pages(client, request, url, persona):
    assert login(client, request.getfixturevalue(persona)).get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("persona", ["reporter", "action_owner", "approver", "stranger"])
def test_it_refuses_the_insight_pages_to_everyone_else(client, request, url, persona):
    assert login(client, request.getfixturevalue(persona)).get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_it_sends_anonymous_visitors_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_the_dashboard_shows_figures_charts_and_the_rule(client, manager, make_nc):
    make_nc("acting", classification="major")
    page = login(client, manager).get("/reports/dashboard/").content.decode()
    assert "Open major NCs" in page and "<svg" in page and 'role="img"' in page
    assert "Poisson" in page and "Trend signals" in page
    assert "style=" not in page  # the CSP refuses inline styles; charts use presentation attributes


def test_the_dashboard_keeps_its_filters_in_the_url(client, manager, management_system):
    page = login(client, manager).get(
        f"/reports/dashboard/?management_system={management_system.pk}&from=2026-01-01&to=2026-03-31")
    html = page.content.decode()
    assert 'value="2026-01-01"' in html and f'value="{management_system.pk}" selected' in html
    assert "from=2026-01-01&amp;to=2026-03-31" in html  # carried to the review pack link


def test_the_review_pack_lists_open_majors_and_overdue_actions(client, reviewer, make_nc):
    major = make_nc("open", classification="major", title="Firewall rule review skipped")
    page = login(client, reviewer).get("/reports/review-pack/").content.decode()
    assert major.reference in page and "Firewall rule review skipped" in page
    for heading in ("Actions decided at the previous management review", "Overdue corrective actions",
                    "Effectiveness reviews in the period", "Opportunities for improvement"):
        assert heading in page


def test_the_review_pack_pdf_is_the_same_content_on_paper(client, manager, make_nc):
    major = make_nc("open", classification="major")
    response = login(client, manager).get("/reports/review-pack/pdf/")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Management review pack" in text and major.reference in text
    assert "Sign out" not in text  # print media hides the site header


def test_the_api_gives_the_dashboard_figures_to_a_token(client, manager, make_nc):
    make_nc("open", classification="major")
    _, secret = api_token_create(user=manager, name="bi")
    response = client.get("/api/v1/reports/dashboard", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    body = response.json()
    assert body["open_major"] == 1 and "signals" in body and body["time_to_close"]["count"] == 0


def test_the_api_refuses_the_dashboard_to_a_reporter_and_to_no_one(client, reporter):
    assert client.get("/api/v1/reports/dashboard").status_code == 401
    assert login(client, reporter).get("/api/v1/reports/dashboard").status_code == 403
    assert client.get("/api/v1/reports/review-pack.pdf").status_code == 403


def test_the_api_gives_the_review_pack_pdf(client, auditor):
    response = login(client, auditor).get("/api/v1/reports/review-pack.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_review_pack_follows_up_the_decisions_of_the_previous_review(client, manager, reviewer, make_nc):
    nc = make_nc("acting")
    today = timezone.localdate()
    review = improvements.review_record(actor=manager, held_on=today - dt.timedelta(days=90),
                                        attendees=[manager, reviewer], minutes="Reviewed Q1.")
    decided = improvements.review_decide(actor=manager, review=review, owner=reviewer,
                                         text="Train reception staff on badge returns",
                                         due_date=today + dt.timedelta(days=1))
    ReviewDecision.objects.filter(pk=decided.pk).update(due_date=today - dt.timedelta(days=1))  # time has passed
    improvements.review_decide(actor=manager, review=review, text="Follow the kiosk change", owner=manager,
                               due_date=today + dt.timedelta(days=30), nonconformity=nc)
    page = login(client, reviewer).get("/reports/review-pack/").content.decode()
    assert review.reference in page and "Train reception staff on badge returns" in page
    assert "(overdue)" in page and "Planned" in page and nc.reference in page and "Acting" in page
