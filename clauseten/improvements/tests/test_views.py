"""The improvements pages, through the Django test client: each with its right and wrong users."""

import datetime as dt

import pytest
from django.utils import timezone

from clauseten.improvements import services
from clauseten.improvements.models import Audit, Improvement, ManagementSystemChange
from clauseten.nonconformities.models import State as NcState

TODAY = timezone.localdate


def page(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_the_register_lists_what_the_user_may_see(client, make_ofi, manager, stranger):
    ofi = make_ofi()
    assert ofi.reference in page(client, manager, "/improvements/").content.decode()
    assert ofi.reference not in page(client, stranger, "/improvements/").content.decode()


def test_the_register_filters_by_state(client, make_ofi, manager):
    proposed, planned = make_ofi(), make_ofi("planned", title="Second")
    body = page(client, manager, "/improvements/?state=planned").content.decode()
    assert planned.reference in body and proposed.reference not in body


def test_proposing_from_the_page(client, reporter, management_system):
    client.force_login(reporter)
    response = client.post("/improvements/new/", {"kind": "ofi", "title": "Shorter passwords policy",
                                                  "description": "Make it readable", "source": "suggestion",
                                                  "management_system": management_system.pk})
    ofi = Improvement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/improvements/{ofi.reference}/"


def test_an_auditor_may_not_propose(client, auditor):
    assert page(client, auditor, "/improvements/new/").status_code == 403


def test_the_ofi_page_offers_the_steps_of_the_users_role(client, make_ofi, manager, reporter):
    ofi = make_ofi()
    body = page(client, manager, f"/improvements/{ofi.reference}/").content.decode()
    assert "Accept" in body and "Decline" in body
    body = page(client, reporter, f"/improvements/{ofi.reference}/").content.decode()
    assert "No step is yours to take now." in body


def test_a_step_from_the_page_moves_the_ofi(client, make_ofi, manager, owner):
    ofi = make_ofi("accepted")
    client.force_login(manager)
    response = client.post(f"/improvements/{ofi.reference}/steps/plan/", {
        "plan-owner": owner.pk, "plan-due_date": (TODAY() + dt.timedelta(days=9)).isoformat(),
        "plan-expected_benefit": "Fewer gaps", "plan-version": ofi.version})
    assert response.status_code == 302
    ofi.refresh_from_db()
    assert ofi.state == "planned" and ofi.owner == owner


def test_a_step_with_a_missing_field_shows_the_message_and_changes_nothing(client, make_ofi, manager):
    ofi = make_ofi()
    client.force_login(manager)
    response = client.post(f"/improvements/{ofi.reference}/steps/decline/",
                           {"decline-decline_reason": "", "decline-version": ofi.version})
    assert response.status_code == 422 and "This step needs this field." in response.content.decode()
    ofi.refresh_from_db()
    assert ofi.state == "proposed"


def test_a_stale_step_from_the_page_is_refused_with_the_reason(client, make_ofi, manager):
    ofi = make_ofi()
    client.force_login(manager)
    response = client.post(f"/improvements/{ofi.reference}/steps/accept/", {"accept-version": ofi.version - 1},
                           follow=True)
    assert "Someone saved this record first" in response.content.decode()
    ofi.refresh_from_db()
    assert ofi.state == "proposed"


def test_a_step_by_the_wrong_role_is_403_and_an_unseen_ofi_404(client, make_ofi, reporter, stranger):
    ofi = make_ofi()
    client.force_login(reporter)
    assert client.post(f"/improvements/{ofi.reference}/steps/accept/", {"accept-version": 1}).status_code == 403
    assert page(client, stranger, f"/improvements/{ofi.reference}/").status_code == 404


def test_raising_an_nc_from_the_ofi_page(client, make_ofi, manager):
    ofi = make_ofi("accepted")
    client.force_login(manager)
    response = client.post(f"/improvements/{ofi.reference}/nonconformities/", {
        "title": "Leaver access kept", "description": "d", "requirement": "A.5.18", "area": "HR"})
    assert response.status_code == 302
    nc = ofi.raised.get().nonconformity
    assert nc.reference in page(client, manager, f"/improvements/{ofi.reference}/").content.decode()


def test_raising_an_nc_is_403_for_a_reporter(client, make_ofi, reporter):
    ofi = make_ofi()
    client.force_login(reporter)
    assert client.post(f"/improvements/{ofi.reference}/nonconformities/", {}).status_code == 403


def test_an_ofi_from_an_nc_page(client, make_nc, owner, action_owner, stranger):
    nc = make_nc(NcState.ACTING)
    client.force_login(owner)
    response = client.post(f"/improvements/from-nc/{nc.reference}/", {"kind": "ofi", "title": "t", "description": "d"})
    assert response.status_code == 302 and Improvement.objects.get().origin_nonconformity == nc
    assert page(client, action_owner, f"/improvements/from-nc/{nc.reference}/").status_code == 403
    assert page(client, stranger, f"/improvements/from-nc/{nc.reference}/").status_code == 404


def test_planning_an_audit_from_the_page(client, manager, auditor_user, owner, management_system):
    client.force_login(manager)
    response = client.post("/improvements/audits/new/", {
        "kind": "external", "title": "Stage 2", "management_system": management_system.pk, "scope": "All",
        "areas": "IT", "starts_on": TODAY().isoformat(), "ends_on": TODAY().isoformat(),
        "lead_auditor": auditor_user.pk, "team": [owner.pk]})
    audit = Audit.objects.get()
    assert response.status_code == 302 and audit.kind == "external"
    assert audit.reference in page(client, manager, "/improvements/audits/").content.decode()


def test_an_audit_ending_before_it_starts_is_shown_on_the_form(client, manager, auditor_user, management_system):
    client.force_login(manager)
    response = client.post("/improvements/audits/new/", {
        "kind": "internal", "title": "x", "management_system": management_system.pk, "scope": "s", "areas": "IT",
        "starts_on": TODAY().isoformat(), "ends_on": (TODAY() - dt.timedelta(days=1)).isoformat(),
        "lead_auditor": auditor_user.pk})
    assert response.status_code == 200 and "ends before it starts" in response.content.decode()
    assert not Audit.objects.exists()


def test_only_a_manager_plans_audits_and_sets_work_areas(client, reporter):
    assert page(client, reporter, "/improvements/audits/new/").status_code == 403
    assert page(client, reporter, "/improvements/audits/work-areas/").status_code == 403


def test_the_audit_page_flags_an_auditor_from_the_audited_area(client, make_audit, manager, owner):
    client.force_login(manager)
    client.post("/improvements/audits/work-areas/", {"user": owner.pk, "areas": "HR, Sales"})
    audit = make_audit(team=[owner])
    body = page(client, manager, f"/improvements/audits/{audit.reference}/").content.decode()
    assert "Independence:" in body and "works in HR" in body


def test_findings_recorded_on_the_audit_page_show_with_their_state(client, make_audit, auditor_user):
    audit = make_audit()
    client.force_login(auditor_user)
    url = f"/improvements/audits/{audit.reference}/findings/"
    client.post(url, {"outcome": "nonconformity", "title": "Leaver access", "description": "d",
                      "requirement": "A.5.18", "area": ""})
    client.post(url, {"outcome": "ofi", "title": "Automate reviews", "description": "d"})
    body = page(client, auditor_user, f"/improvements/audits/{audit.reference}/").content.decode()
    nc_finding, ofi_finding = audit.findings.all()
    assert nc_finding.nonconformity.reference in body and "Reported" in body
    assert ofi_finding.improvement.reference in body and "Proposed" in body


def test_a_finding_without_its_requirement_is_refused_on_the_form(client, make_audit, auditor_user):
    audit = make_audit()
    client.force_login(auditor_user)
    response = client.post(f"/improvements/audits/{audit.reference}/findings/",
                           {"outcome": "nonconformity", "title": "t", "description": "d"})
    assert response.status_code == 422 and "Name the requirement" in response.content.decode()


def test_audit_pages_are_404_for_someone_off_the_audit_and_403_to_record(client, make_audit, reporter, approver):
    audit = make_audit()
    assert page(client, reporter, f"/improvements/audits/{audit.reference}/").status_code == 404
    assert page(client, reporter, f"/improvements/audits/{audit.reference}/report").status_code == 404
    client.force_login(approver)
    assert client.post(f"/improvements/audits/{audit.reference}/findings/", {}).status_code == 403
    assert client.post(f"/improvements/audits/{audit.reference}/complete/", {}).status_code == 403


def test_completing_an_audit_from_its_page(client, make_audit, auditor_user):
    audit = make_audit()
    client.force_login(auditor_user)
    response = client.post(f"/improvements/audits/{audit.reference}/complete/",
                           {"text": "Effective overall", "version": audit.version})
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == "completed"


def test_the_audit_report_page_and_pdf(client, make_audit, auditor_user):
    audit = make_audit()
    services.audit_record_finding(actor=auditor_user, audit=audit, outcome="ofi", title="Automate", description="d")
    body = page(client, auditor_user, f"/improvements/audits/{audit.reference}/report").content.decode()
    assert "Audit report" in body and "Automate" in body
    pdf = client.get(f"/improvements/audits/{audit.reference}/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_review_and_its_decision_from_the_pages(client, manager, reviewer, owner, management_system):
    client.force_login(manager)
    client.post("/improvements/reviews/new/", {
        "held_on": TODAY().isoformat(), "management_system": management_system.pk,
        "attendees": [manager.pk, reviewer.pk], "inputs": "from=2026-01-01", "minutes": "Reviewed everything"})
    review = management_system.reviews.get()
    response = client.post(f"/improvements/reviews/{review.reference}/decisions/", {
        "text": "Train team leads", "owner": owner.pk, "due_date": (TODAY() + dt.timedelta(days=5)).isoformat()})
    assert response.status_code == 302
    body = page(client, manager, f"/improvements/reviews/{review.reference}/").content.decode()
    ofi = review.decisions.get().improvement
    assert ofi.reference in body and "/reports/review-pack/?from=2026-01-01" in body


def test_a_decision_naming_an_unknown_nc_is_refused_on_the_form(client, manager, reviewer, management_system):
    review = services.review_record(actor=manager, held_on=TODAY(), attendees=[reviewer], minutes="m")
    client.force_login(manager)
    response = client.post(f"/improvements/reviews/{review.reference}/decisions/", {
        "text": "x", "owner": reviewer.pk, "due_date": TODAY().isoformat(), "nonconformity": "NC-1999-0001"})
    assert response.status_code == 422 and "No NC-1999-0001 that you can see." in response.content.decode()


def test_review_pages_refuse_the_wrong_user(client, manager, reviewer, reporter, management_system):
    review = services.review_record(actor=manager, held_on=TODAY(), attendees=[reviewer], minutes="m")
    assert page(client, reporter, "/improvements/reviews/new/").status_code == 403
    assert page(client, reporter, f"/improvements/reviews/{review.reference}/").status_code == 404
    client.force_login(reporter)
    assert client.post(f"/improvements/reviews/{review.reference}/decisions/", {}).status_code == 404


def test_logging_a_change_from_the_page_with_its_cause(client, make_nc, manager, approver):
    nc = make_nc(NcState.ACTING)
    client.force_login(manager)
    response = client.post("/improvements/changes/new/", {
        "kind": "procedure", "what_changed": "Offboarding v3", "reason": "Leavers kept access",
        "nonconformity": nc.reference.lower(), "approved_by": approver.pk, "effective_on": TODAY().isoformat()})
    assert response.status_code == 302
    change = ManagementSystemChange.objects.get()
    assert change.nonconformity == nc
    body = page(client, approver, "/improvements/changes/").content.decode()
    assert change.reference in body and nc.reference in body


def test_a_change_without_a_cause_is_refused_on_the_form(client, manager, approver, management_system):
    client.force_login(manager)
    response = client.post("/improvements/changes/new/", {
        "kind": "policy", "what_changed": "x", "reason": "y", "approved_by": approver.pk,
        "effective_on": TODAY().isoformat()})
    assert response.status_code == 200 and "Name the nonconformity, OFI or management review" in response.content.decode()


def test_change_pages_refuse_the_wrong_user(client, reviewer, reporter):
    assert page(client, reviewer, "/improvements/changes/new/").status_code == 403
    assert "No change logged." in page(client, reporter, "/improvements/changes/").content.decode()


@pytest.mark.parametrize("url", ["/improvements/", "/improvements/audits/", "/improvements/reviews/",
                                 "/improvements/changes/"])
def test_pages_need_sign_in(client, url):
    assert client.get(url).status_code == 302
