"""One nonconformity from report to closed, each step taken by the right person through the real pages."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def iso(days: int = 0) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def register_with_history(make_nc, cast):
    """Several records in different states, so the register looks like a working one."""
    from clauseten.nonconformities import services

    make_nc("closed", title="Visitor badge not returned at reception")
    make_nc("acting", title="Unencrypted laptop in the finance office", classification="major",
            source="inspection", area="Finance", requirement="ISO/IEC 27001:2022 A.8.1 User end point devices")
    late = make_nc("open", title="Quarterly backup restore test skipped", source="internal_audit", area="IT operations",
                   requirement="ISO/IEC 27001:2022 A.8.13 Information backup",
                   detected_on=timezone.localdate() - dt.timedelta(days=45))
    services.nonconformity_update(actor=cast.manager, nc=late, version=late.version,
                                  changes={"correction_due": timezone.localdate() - dt.timedelta(days=20),
                                           "due_date": timezone.localdate() - dt.timedelta(days=4)})
    make_nc("verifying", title="Supplier contract without security clauses", source="third_party_audit",
            area="Procurement", requirement="ISO/IEC 27001:2022 A.5.20 Supplier agreements")
    make_nc("reported", title="Model card missing for the churn model", source="policy_deviation",
            area="Data science", requirement="ISO/IEC 42001:2023 A.6.2.7 AI system documentation")
    make_nc("investigating", title="Access review not done for the HR system", source="monitoring",
            area="Human resources", requirement="ISO/IEC 27001:2022 A.5.18 Access rights")


def step(page, label: str):
    page.get_by_role("link", name=label).click()
    page.wait_for_load_state()


def submit(page, label: str):
    page.get_by_role("button", name=label).click()
    page.wait_for_load_state()


def test_a_nonconformity_goes_from_report_to_closed(page, login, axe_check, screenshot, cast, register_with_history):
    # The reporter reports what they saw.
    login(page, cast.reporter.username)
    page.goto("/ncs/new/")
    page.get_by_label("Title").fill("Server room door found propped open")
    page.get_by_label("What happened").fill("At 19:00 the server room door was propped open with a chair; "
                                           "nobody was inside. Cleaning staff said it had been open since 17:30.")
    page.get_by_label("Requirement").fill("ISO/IEC 27001:2022 A.7.2 Physical entry")
    page.get_by_label("Where").fill("Data centre, floor 2")
    page.get_by_label("Source").select_option("incident")
    axe_check(page)
    screenshot(page, "report")
    submit(page, "Report")
    reference = re.search(r"/ncs/(NC-[\d-]+)/", page.url).group(1)
    record = f"/ncs/{reference}/"
    assert "Waiting for the manager" in page.content()

    # The manager triages it: a nonconformity, minor, owned by the owner.
    login(page, cast.manager.username)
    page.goto("/ncs/my-work/")
    assert reference in page.content()
    axe_check(page)
    page.goto(record)
    step(page, "Accept as nonconformity")
    page.get_by_label("Classification").select_option("minor")
    page.get_by_label("Owner").select_option(label=str(cast.owner))
    page.get_by_label("Correction due").fill(iso(3))
    page.get_by_label("Due date").fill(iso(45))
    submit(page, "Accept as nonconformity")

    # The owner records the correction, plans an action and, with the root cause found, starts acting.
    login(page, cast.owner.username)
    page.goto(record)
    step(page, "Record correction, start investigation")
    page.get_by_label("Correction", exact=True).fill("Door closed and the chair removed; access log checked.")
    submit(page, "Record correction, start investigation")
    step(page, "Plan a corrective action")
    page.get_by_label("What will be done").fill("Fit a door-open alarm that alerts the security desk after 60 s.")
    page.get_by_label("Action owner").select_option(label=str(cast.action_owner))
    page.get_by_label("Due date").fill(iso(14))
    submit(page, "Plan action")
    step(page, "Root cause found: start corrective actions")
    page.get_by_label("Root cause", exact=True).fill("Nothing alerts anyone when the door stays open.")
    page.get_by_label("Root cause method").select_option("five_whys")
    page.get_by_label("Extent of condition").fill("The two comms rooms have the same door type: checked, closed.")
    submit(page, "Root cause found: start corrective actions")

    # The action owner completes the action with evidence.
    login(page, cast.action_owner.username)
    page.goto("/ncs/my-work/")
    axe_check(page)
    page.get_by_role("link", name="Complete").first.click()
    page.get_by_label("What was done").fill("Alarm fitted and tested with the security desk.")
    page.get_by_label("Evidence files").set_input_files(
        files=[{"name": "alarm-test.txt", "mimeType": "text/plain", "buffer": b"Alarm test 14:05 OK\n"}])
    submit(page, "Complete action")

    # The manager plans the effectiveness review.
    login(page, cast.manager.username)
    page.goto(record)
    step(page, "Actions finished: plan effectiveness review")
    page.get_by_label("Effectiveness criteria").fill("No door-open alarm left unanswered for a month.")
    page.get_by_label("Effectiveness review due").fill(iso(0))
    submit(page, "Actions finished: plan effectiveness review")

    # An approver who owns none of the work approves the closure.
    login(page, cast.approver.username)
    page.goto(record)
    submit(page, "Approve closure")
    assert "Closure approved" in page.content()

    # The manager closes it as effective.
    login(page, cast.manager.username)
    page.goto(record)
    step(page, "Effective: close")
    page.get_by_label("Effective", exact=True).check()
    page.get_by_label("Review notes").fill("A month of alarm logs: every alarm answered within 5 minutes.")
    submit(page, "Effective: close")

    timeline = page.locator("ol.timeline").inner_text()
    for words in ("reported", "accepted as nonconformity", "recorded the correction", "planned a corrective action",
                  "recorded the root cause", "completed a corrective action", "added evidence",
                  "planned the effectiveness review", "approved the closure", "closed as effective"):
        assert words in timeline, words
    assert page.locator(".record-head .badge.state-closed").inner_text() == "Closed"
    axe_check(page)
    screenshot(page, "record")

    page.goto("/ncs/")
    axe_check(page)
    screenshot(page, "register")
    page.get_by_label("State").select_option("closed")
    expect(page).to_have_url(re.compile(r"state=closed"))  # htmx pushed the filter into the address
    expect(page.locator("table.register tbody tr")).to_have_count(2)
    assert reference in page.locator("table.register").inner_text()
