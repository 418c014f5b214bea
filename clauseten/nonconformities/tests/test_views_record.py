"""The record page, reporting, editing and lifecycle steps through the pages, and who may do what."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from clauseten.events.models import Event
from clauseten.nonconformities.models import Nonconformity, State


def url(name, nc, *args):
    return reverse(f"nonconformities:{name}", args=[nc.reference, *args])


# --- reporting --------------------------------------------------------------------------------------------

def report_data(**changes):
    data = {"title": "Server room door left open", "description": "Found propped open at 19:00.",
            "requirement": "ISO/IEC 27001:2022 A.7.1", "area": "Data centre", "source": "inspection",
            "detected_on": timezone.localdate().isoformat()}
    return {**data, **changes}


def test_a_reporter_reports_with_attachments_and_lands_on_the_record(client, reporter, management_system):
    client.force_login(reporter)
    files = [SimpleUploadedFile("door.txt", b"photo notes"), SimpleUploadedFile("log.csv", b"t,door\n19:00,open\n")]
    response = client.post(reverse("nonconformities:report"), {**report_data(), "files": files})
    nc = Nonconformity.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", nc)
    assert nc.state == State.REPORTED and nc.reported_by == reporter
    assert sorted(a.name for a in nc.attachments.all()) == ["door.txt", "log.csv"]


def test_the_report_form_shows_field_errors_and_writes_nothing(client, reporter, management_system):
    client.force_login(reporter)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(reverse("nonconformities:report"), report_data(title="", detected_on=tomorrow))
    assert response.status_code == 422
    assert "title" in response.context["form"].errors
    response = client.post(reverse("nonconformities:report"), report_data(detected_on=tomorrow))
    assert response.context["form"].errors["detected_on"] == ["The detection date cannot be in the future."]
    bad_file = client.post(reverse("nonconformities:report"),
                           {**report_data(), "files": [SimpleUploadedFile("run.exe", b"MZ")]})
    assert "are not accepted" in str(bad_file.context["form"].errors["files"])
    assert not Nonconformity.objects.exists()


def test_the_report_form_asks_for_the_management_system_only_when_there_are_several(client, reporter,
                                                                                     management_system):
    from clauseten.catalog.models import ManagementSystem

    client.force_login(reporter)
    assert "management_system" not in client.get(reverse("nonconformities:report")).context["form"].fields
    ManagementSystem.objects.create(name="AIMS", standards="ISO/IEC 42001:2023")
    assert "management_system" in client.get(reverse("nonconformities:report")).context["form"].fields


def test_an_auditor_may_not_report(client, auditor, management_system):
    client.force_login(auditor)
    assert client.get(reverse("nonconformities:report")).status_code == 403
    assert client.post(reverse("nonconformities:report"), report_data()).status_code == 403


# --- the record page --------------------------------------------------------------------------------------

def test_the_record_shows_the_next_step_only_to_who_may_take_it(client, make_nc, manager, reporter):
    nc = make_nc("reported")
    client.force_login(manager)
    body = client.get(url("detail", nc)).content.decode()
    assert url("transition", nc, "accept") in body and "Accept as nonconformity" in body
    client.force_login(reporter)
    body = client.get(url("detail", nc)).content.decode()
    assert url("transition", nc, "accept") not in body
    assert "Waiting for the manager to" in body


def test_the_record_shows_facts_actions_evidence_and_timeline(client, make_nc, auditor):
    nc = make_nc("closed")
    client.force_login(auditor)
    response = client.get(url("detail", nc))
    body = response.content.decode()
    for text in ("Badge deactivated", "Sign-out did not check badges", "Make badge return part",
                 "kiosk-change.txt", "No unreturned visitor badges", "Effective", "Closure",
                 "recorded the root cause and started corrective actions", "closed as effective",
                 f"/reports/car/{nc.reference}/"):
        assert text in body, text
    assert response.context["transitions"] == []
    assert url("edit", nc) not in body  # an auditor only reads


def test_a_record_the_user_may_not_see_is_404(client, make_nc, stranger):
    nc = make_nc("open")
    client.force_login(stranger)
    for page in (url("detail", nc), url("edit", nc), url("transition", nc, "record_correction"),
                 url("action_plan", nc), url("link_add", nc)):
        assert client.get(page).status_code == 404, page
    assert client.get(reverse("nonconformities:detail", args=["NC-1999-9999"])).status_code == 404


# --- editing ----------------------------------------------------------------------------------------------

def filled(form) -> dict:
    """What the browser would send back for an untouched edit form."""
    return {name: value for name, value in form.initial.items() if value is not None}


def test_a_manager_cannot_blank_the_classification_of_an_accepted_record(client, make_nc, manager):
    nc = make_nc("open")
    client.force_login(manager)
    response = client.post(url("edit", nc), {**filled(client.get(url("edit", nc)).context["form"]),
                                             "classification": ""})
    assert response.status_code == 422 and "classification" in response.context["form"].errors


def test_the_owner_edits_and_the_change_is_in_the_timeline(client, make_nc, owner):
    nc = make_nc("investigating")
    client.force_login(owner)
    form = client.get(url("edit", nc)).context["form"]
    assert "classification" not in form.fields  # triage fields are the manager's
    response = client.post(url("edit", nc), {**filled(form), "area": "Reception and loading bay"})
    assert response.status_code == 302
    edited = Nonconformity.objects.get(pk=nc.pk)
    assert edited.area == "Reception and loading bay" and edited.version == nc.version + 1
    assert Event.objects.filter(record=nc.reference, verb="nonconformity.updated").exists()


def test_a_stale_edit_is_refused_and_overwrites_nothing(client, make_nc, manager, owner):
    nc = make_nc("open")
    client.force_login(owner)
    stale = {**filled(client.get(url("edit", nc)).context["form"]), "title": "My title"}
    client.force_login(manager)
    fresh = {**filled(client.get(url("edit", nc)).context["form"]), "title": "Manager's title"}
    assert client.post(url("edit", nc), fresh).status_code == 302
    client.force_login(owner)
    response = client.post(url("edit", nc), stale)
    assert response.status_code == 422
    assert "Someone saved this record first" in response.content.decode()
    nc.refresh_from_db()
    assert nc.title == "Manager's title"


def test_someone_who_may_not_edit_gets_403(client, make_nc, auditor, action_owner):
    nc = make_nc("acting")
    for person in (auditor, action_owner):  # the action owner sees the record but does not edit it
        client.force_login(person)
        assert client.get(url("edit", nc)).status_code == 403
        assert client.post(url("edit", nc), {"version": nc.version, "title": "x"}).status_code == 403


# --- lifecycle steps --------------------------------------------------------------------------------------

def test_the_manager_accepts_with_exactly_the_step_fields(client, make_nc, manager, owner):
    nc = make_nc("reported")
    client.force_login(manager)
    form = client.get(url("transition", nc, "accept")).context["form"]
    assert set(form.fields) == {"version", "classification", "owner", "correction_due", "due_date", "comment"}
    today = timezone.localdate()
    response = client.post(url("transition", nc, "accept"), {
        "version": nc.version, "classification": "major", "owner": owner.pk,
        "correction_due": (today + dt.timedelta(days=3)).isoformat(), "due_date": (today + dt.timedelta(days=30)).isoformat(),
        "comment": "Clear breach of A.7.1."})
    assert response.status_code == 302
    nc.refresh_from_db()
    assert nc.state == State.OPEN and nc.owner == owner and nc.classification == "major"
    assert Event.objects.get(record=nc.reference, verb="nonconformity.accept").comment == "Clear breach of A.7.1."


def test_a_step_shows_missing_fields_and_guard_failures(client, make_nc, manager, owner):
    nc = make_nc("reported")
    client.force_login(manager)
    response = client.post(url("transition", nc, "reject"), {"version": nc.version})
    assert response.status_code == 422 and "comment" in response.context["form"].errors
    today = timezone.localdate()
    response = client.post(url("transition", nc, "accept"), {
        "version": nc.version, "classification": "minor", "owner": owner.pk,
        "correction_due": (today + dt.timedelta(days=90)).isoformat(), "due_date": (today + dt.timedelta(days=30)).isoformat()})
    assert "after the closure date" in str(response.context["form"].errors["correction_due"])
    nc.refresh_from_db()
    assert nc.state == State.REPORTED


def test_a_guard_without_a_field_is_shown_at_the_top(client, make_nc, owner):
    nc = make_nc("investigating")  # no corrective action planned yet
    client.force_login(owner)
    response = client.post(url("transition", nc, "start_actions"), {
        "version": nc.version, "root_cause": "No check", "root_cause_method": "free_text",
        "extent_of_condition": "Only here."})
    assert response.status_code == 422
    assert any("Plan at least one corrective action" in e for e in response.context["form"].non_field_errors())


def test_a_stale_step_is_refused(client, make_nc, manager):
    nc = make_nc("reported")
    client.force_login(manager)
    response = client.post(url("transition", nc, "reject"), {"version": nc.version - 1, "comment": "Not an NC"})
    assert response.status_code == 422 and "Someone saved this record first" in response.content.decode()


def test_a_forged_step_by_the_wrong_role_is_403(client, make_nc, reporter, owner, auditor):
    nc = make_nc("reported")
    for person in (reporter, auditor):
        client.force_login(person)
        assert client.get(url("transition", nc, "reject")).status_code == 403
        assert client.post(url("transition", nc, "reject"), {"version": nc.version, "comment": "x"}).status_code == 403
    nc.refresh_from_db()
    assert nc.state == State.REPORTED


def test_a_step_that_does_not_leave_the_current_state_is_404(client, make_nc, manager):
    nc = make_nc("reported")
    client.force_login(manager)
    assert client.get(url("transition", nc, "close")).status_code == 404
    assert client.get(url("transition", nc, "no_such_step")).status_code == 404


@pytest.mark.parametrize("verdict,state", [("effective", State.CLOSED), ("not_effective", State.VERIFYING)])
def test_closing_needs_an_effective_verdict(client, make_nc, manager, approver, verdict, state):
    from clauseten.nonconformities import services

    nc = make_nc("verifying")
    services.nonconformity_approve(actor=approver, nc=nc, kind="closure")
    client.force_login(manager)
    response = client.post(url("transition", nc, "close"), {"version": nc.version, "verdict": verdict,
                                                              "review_notes": "Checked the reconciliation."})
    nc.refresh_from_db()
    assert nc.state == state
    if state == State.VERIFYING:
        assert "verdict" in response.context["form"].errors


def test_the_record_page_runs_the_same_number_of_queries_with_more_actions_and_evidence(client, make_nc, cast,
                                                                                         manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clauseten.nonconformities import services

    nc = make_nc("acting")
    client.force_login(manager)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("detail", nc)).status_code == 200
        return len(captured)

    def add_work(count: int):
        for n in range(count):
            action = services.action_plan(actor=cast.owner, nc=nc, owner=cast.action_owner, description=f"Step {n}",
                                          due_date=timezone.localdate() + dt.timedelta(days=5))
            services.action_complete(actor=cast.action_owner, action=action, note="Done",
                                     files=[SimpleUploadedFile(f"e{n}.txt", b"evidence")])
            services.comment_add(actor=manager, nc=nc, body=f"Note {n}")

    add_work(1)  # one of each, so every prefetch runs
    few = queries()
    add_work(4)
    assert queries() == few


def test_the_record_links_its_report_requirements_ofis_and_management_system_changes(client, make_nc, manager,
                                                                                      approver):
    from clauseten.improvements import services as improvement_services

    nc = make_nc("closed")
    ofi = improvement_services.improvement_spawn_from_nonconformity(
        actor=manager, nc=nc, title="Badge kiosk at every entrance", description="Seen while investigating.")
    change = improvement_services.change_record(
        actor=manager, kind="procedure", what_changed="Visitor sign-out checks the badge", reason="Root cause",
        approved_by=approver, effective_on=timezone.localdate(), nonconformity=nc)
    client.force_login(manager)
    body = client.get(url("detail", nc)).content.decode()
    for text in (reverse("reports:car_pdf", args=[nc.reference]),
                 reverse("catalog:nonconformity_requirements", args=[nc.reference]),
                 reverse("improvements:from_nonconformity", args=[nc.reference]),
                 reverse("improvements:detail", args=[ofi.reference]), ofi.title,
                 change.reference, "Visitor sign-out checks the badge"):
        assert text in body, text
    # The CAR names the same change under 10.2 e.
    car = client.get(reverse("reports:car", args=[nc.reference])).content.decode()
    assert change.reference in car and "Visitor sign-out checks the badge" in car and ofi.reference in car


def test_the_menu_offers_each_role_only_the_pages_it_may_open(client, reporter, manager, auditor, admin_user):
    pages = {"Dashboard": reverse("reports:dashboard"), "Evidence pack": reverse("reports:evidence_pack"),
             "Verify history": reverse("events:verify"), "Webhooks": reverse("notifications:webhooks"),
             "Audits": reverse("improvements:audits")}
    expected = {reporter: {"Audits"}, manager: {"Audits", "Dashboard", "Evidence pack"},
                auditor: {"Audits", "Dashboard", "Evidence pack", "Verify history"}, admin_user: set(pages)}
    for person, offered in expected.items():
        client.force_login(person)
        menu = client.get(reverse("nonconformities:register")).context["nav_items"]
        labels = {item["label"] for item in menu}
        assert labels & set(pages) == offered, person
        for label in offered:  # every link offered opens
            assert client.get(pages[label]).status_code == 200, (person, label)


def test_the_register_offers_exports_of_exactly_its_filters(client, make_nc, manager):
    make_nc("open")
    client.force_login(manager)
    body = client.get(reverse("nonconformities:register"), {"state": "open", "q": "badge"}).content.decode()
    assert f'{reverse("reports:register_csv")}?state=open&amp;q=badge' in body
    assert f'{reverse("reports:register_xlsx")}?state=open&amp;q=badge' in body
