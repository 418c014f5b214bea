"""A manager plans an audit, records an NC and an OFI as findings, holds a management review whose decision
creates an OFI, and logs the management system change that resulted — all through the real pages."""

import datetime as dt
import re

import pytest
from django.utils import timezone

pytestmark = pytest.mark.browser


def check_page(page, axe_check):
    """axe on the page as it stands without the one-off flash message (base.html's message list is checked by
    the base template's own tests), so this checks the improvement pages themselves."""
    page.reload()
    axe_check(page)


def test_audit_findings_review_decision_and_change_log(page, login, axe_check, management_system, manager, owner,
                                                       reviewer, approver):
    today = timezone.localdate()
    login(page, manager.username)

    # Plan the audit.
    page.goto("/improvements/audits/new/")
    page.get_by_label("Kind").select_option(label="Internal audit")
    page.get_by_label("Title").fill("Access control audit")
    page.get_by_label("Scope").fill("Joiner, mover, leaver process")
    page.get_by_label("Areas").fill("HR, IT operations")
    page.get_by_label("Starts on").fill(today.isoformat())
    page.get_by_label("Ends on").fill((today + dt.timedelta(days=1)).isoformat())
    page.get_by_label("Lead auditor").select_option(label=f"{owner} ({owner.username})")
    page.get_by_role("button", name="Plan audit").click()
    page.wait_for_url(re.compile(r"/improvements/audits/AUD-\d{4}-\d{4}/$"))
    audit_url = page.url

    # Two findings: one nonconformity, one OFI.
    page.get_by_label("Outcome").select_option("nonconformity")
    page.get_by_label("Title").fill("Leaver access not removed")
    page.get_by_label("Description").fill("3 of 10 leavers kept VPN access.")
    page.get_by_label("Requirement").fill("ISO/IEC 27001:2022 A.5.18 Access rights")
    page.get_by_role("button", name="Record finding").click()
    page.wait_for_url(audit_url)
    page.get_by_label("Outcome").select_option("ofi")
    page.get_by_label("Title").fill("Automate the access review")
    page.get_by_label("Description").fill("A script could open the quarterly review tasks.")
    page.get_by_role("button", name="Record finding").click()
    page.wait_for_url(audit_url)

    findings = page.locator("table").last
    nc_reference = findings.locator("a", has_text="NC-").inner_text()
    finding_ofi = findings.locator("a", has_text="OFI-").inner_text()
    assert "Reported" in findings.inner_text() and "Proposed" in findings.inner_text()
    check_page(page, axe_check)

    # The management review, whose decision becomes an OFI with an owner.
    page.goto("/improvements/reviews/new/")
    page.get_by_label("Held on").fill(today.isoformat())
    page.get_by_label("Attendees").select_option(label=[f"{manager} ({manager.username})",
                                                        f"{reviewer} ({reviewer.username})"])
    page.get_by_label("Review pack query").fill(f"from={today.replace(month=1, day=1).isoformat()}")
    page.get_by_label("Minutes").fill(f"Audit {audit_url.rstrip('/').rsplit('/', 1)[-1]} reviewed, "
                                      f"{nc_reference} and {finding_ofi} discussed.")
    page.get_by_role("button", name="Record review").click()
    page.wait_for_url(re.compile(r"/improvements/reviews/MR-\d{4}-\d{4}/$"))
    page.get_by_label(re.compile(r"^Decision \(required\)")).fill("Run access reviews by script every quarter.")
    page.get_by_label("Owner").select_option(label=f"{owner} ({owner.username})")
    page.get_by_label("Due date").fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Record decision").click()
    decisions = page.locator("table").last
    decision_ofi = decisions.locator("a", has_text="OFI-").inner_text()
    assert "Planned" in decisions.inner_text() and decision_ofi != finding_ofi
    check_page(page, axe_check)

    # The change it led to, in the change log with its cause.
    page.goto("/improvements/changes/new/")
    page.get_by_label("Kind").select_option("procedure")
    page.get_by_label("What changed").fill("Access review procedure AC-03 v2: scripted quarterly review.")
    page.get_by_label("Why").fill("Management review decision.")
    page.get_by_label("Caused by OFI").fill(decision_ofi)
    page.get_by_label("Approved by").select_option(label=f"{approver} ({approver.username})")
    page.get_by_label("Takes effect on").fill(today.isoformat())
    page.get_by_role("button", name="Log change").click()
    page.wait_for_url(re.compile(r"/improvements/changes/$"))
    log = page.locator("table").inner_text()
    assert "Access review procedure AC-03 v2" in log and decision_ofi in log and "Arun" in log
    check_page(page, axe_check)

    # The OFI's own page shows the change it led to and the review it came from.
    page.get_by_role("link", name=decision_ofi).click()
    body = page.locator("main").inner_text()
    assert "Led to change" in body and "Decision of management review" in body
    check_page(page, axe_check)
