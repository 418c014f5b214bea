"""Corrective actions, approvals, evidence, comments and links through the pages, and who may do what."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from clauseten.nonconformities import services
from clauseten.nonconformities.models import Action, Approval, Attachment, Comment, NonconformityLink


def url(name, nc, *args):
    return reverse(f"nonconformities:{name}", args=[nc.reference, *args])


def in_days(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def test_the_owner_plans_an_action(client, make_nc, owner, action_owner):
    nc = make_nc("investigating")
    client.force_login(owner)
    response = client.post(url("action_plan", nc), {"description": "Add badge check to kiosk", "owner": action_owner.pk,
                                                    "due_date": in_days(14)})
    assert response.status_code == 302
    assert nc.actions.get().owner == action_owner


def test_planning_shows_field_errors(client, make_nc, owner):
    nc = make_nc("investigating", detected_on=timezone.localdate() - dt.timedelta(days=5))
    client.force_login(owner)
    response = client.post(url("action_plan", nc), {"description": "", "due_date": in_days(-30)})
    assert response.status_code == 422
    assert {"description", "owner"} <= set(response.context["form"].errors)
    response = client.post(url("action_plan", nc), {"description": "x", "owner": owner.pk, "due_date": in_days(-30)})
    assert "before the nonconformity was detected" in str(response.context["form"].errors["due_date"])
    assert not nc.actions.exists()


def test_only_the_manager_or_owner_plans_actions(client, make_nc, reporter, action_owner, auditor, stranger):
    nc = make_nc("acting")
    for person, status in ((reporter, 403), (action_owner, 403), (auditor, 403), (stranger, 404)):
        client.force_login(person)
        assert client.get(url("action_plan", nc)).status_code == status
        data = {"description": "forged", "owner": person.pk, "due_date": in_days(3)}
        assert client.post(url("action_plan", nc), data).status_code == status
    assert nc.actions.count() == 1


def test_the_action_owner_completes_with_a_note_and_evidence(client, make_nc, action_owner):
    nc = make_nc("acting")
    action = nc.actions.get()
    client.force_login(action_owner)
    response = client.post(url("action_complete", nc, action.pk), {
        "version": action.version, "note": "Kiosk updated.", "files": [SimpleUploadedFile("chg.txt", b"CHG-1")]})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Action.Status.DONE and action.attachments.get().name == "chg.txt"


def test_completing_needs_a_note_and_a_fresh_version(client, make_nc, action_owner):
    nc = make_nc("acting")
    action = nc.actions.get()
    client.force_login(action_owner)
    response = client.post(url("action_complete", nc, action.pk), {"version": action.version, "note": ""})
    assert response.status_code == 422 and "note" in response.context["form"].errors
    response = client.post(url("action_complete", nc, action.pk), {"version": action.version + 5, "note": "Done"})
    assert "Someone saved this record first" in response.content.decode()
    action.refresh_from_db()
    assert action.status == Action.Status.PLANNED


def test_only_the_action_owner_completes_it(client, make_nc, manager, owner, stranger):
    nc = make_nc("acting")
    action = nc.actions.get()
    for person, status in ((manager, 403), (owner, 403), (stranger, 404)):
        client.force_login(person)
        assert client.post(url("action_complete", nc, action.pk),
                           {"version": action.version, "note": "forged"}).status_code == status
    action.refresh_from_db()
    assert action.status == Action.Status.PLANNED


def test_an_action_of_another_record_is_404(client, make_nc, action_owner):
    first, second = make_nc("acting"), make_nc("acting")
    client.force_login(action_owner)
    assert client.get(url("action_complete", first, second.actions.get().pk)).status_code == 404


def test_the_owner_cancels_an_action_with_a_reason(client, make_nc, owner, action_owner):
    nc = make_nc("acting")
    action = nc.actions.get()
    client.force_login(owner)
    response = client.post(url("action_cancel", nc, action.pk), {"version": action.version, "reason": ""})
    assert response.status_code == 422 and "reason" in response.context["form"].errors
    client.force_login(action_owner)
    assert client.post(url("action_cancel", nc, action.pk), {"version": action.version, "reason": "x"}).status_code == 403
    client.force_login(owner)
    response = client.post(url("action_cancel", nc, action.pk), {"version": action.version, "reason": "Superseded"})
    action.refresh_from_db()
    assert response.status_code == 302 and action.status == Action.Status.CANCELLED


def test_the_approver_approves_the_closure_and_the_button_shows_only_to_them(client, make_nc, approver, manager):
    nc = make_nc("verifying")
    client.force_login(manager)
    assert url("approve", nc, "closure") not in client.get(url("detail", nc)).content.decode()
    client.force_login(approver)
    assert url("approve", nc, "closure") in client.get(url("detail", nc)).content.decode()
    response = client.post(url("approve", nc, "closure"), {"comment": "Evidence checked."})
    assert response.status_code == 302
    assert Approval.objects.get(nonconformity=nc).comment == "Evidence checked."


def test_a_forged_approval_is_refused(client, make_nc, manager, action_owner, approver, stranger):
    nc = make_nc("verifying")
    for person, status in ((manager, 403), (action_owner, 403), (stranger, 404)):
        client.force_login(person)
        assert client.post(url("approve", nc, "closure"), {}).status_code == status
    client.force_login(approver)
    assert client.post(url("approve", nc, "plan"), {}).status_code == 403  # not waiting for a plan approval
    assert client.post(url("approve", nc, "anything"), {}).status_code == 404
    assert client.get(url("approve", nc, "closure")).status_code == 405
    assert not Approval.objects.exists()


def test_evidence_is_uploaded_and_downloaded_only_by_who_may_see_the_record(client, make_nc, owner, auditor,
                                                                             stranger):
    nc = make_nc("open")
    client.force_login(owner)
    response = client.post(url("attachment_add", nc), {"files": [SimpleUploadedFile("note.txt", b"evidence")]})
    assert response.status_code == 302
    attachment = Attachment.objects.get(nonconformity=nc)
    client.force_login(auditor)
    download = client.get(url("attachment", nc, attachment.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"evidence"
    assert download["Content-Disposition"].startswith('attachment; filename="note.txt"')
    client.force_login(stranger)
    assert client.get(url("attachment", nc, attachment.pk)).status_code == 404
    assert client.post(url("attachment_add", nc), {"files": [SimpleUploadedFile("x.txt", b"x")]}).status_code == 404


def test_an_attachment_is_only_reached_through_its_own_record(client, make_nc, reporter, cast):
    mine = make_nc("open")
    other = make_nc("open")
    attachment = services.attachment_add(actor=cast.manager, nc=other, upload=SimpleUploadedFile("a.txt", b"a"))
    client.force_login(reporter)  # sees both records, but the id must belong to the record in the URL
    assert client.get(url("attachment", mine, attachment.pk)).status_code == 404


def test_an_upload_without_files_or_of_a_refused_type_shows_the_error(client, make_nc, owner, auditor):
    nc = make_nc("open")
    client.force_login(owner)
    assert client.post(url("attachment_add", nc), {}).status_code == 422
    response = client.post(url("attachment_add", nc), {"files": [SimpleUploadedFile("x.exe", b"MZ")]})
    assert response.status_code == 422 and "are not accepted" in response.content.decode()
    client.force_login(auditor)
    assert client.post(url("attachment_add", nc), {"files": [SimpleUploadedFile("a.txt", b"a")]}).status_code == 403
    assert not Attachment.objects.exists()


def test_comments_are_added_by_people_who_see_the_record(client, make_nc, reporter, auditor, stranger):
    nc = make_nc("open")
    client.force_login(reporter)
    assert client.post(url("comment_add", nc), {"body": "Happened again today."}).status_code == 302
    assert client.post(url("comment_add", nc), {"body": "  "}).status_code == 422
    assert "Happened again today." in client.get(url("detail", nc)).content.decode()
    client.force_login(auditor)
    assert client.post(url("comment_add", nc), {"body": "x"}).status_code == 403
    client.force_login(stranger)
    assert client.post(url("comment_add", nc), {"body": "x"}).status_code == 404
    assert Comment.objects.count() == 1


def test_the_owner_links_a_similar_record_they_may_see(client, make_nc, owner, reporter):
    nc, similar = make_nc("investigating"), make_nc("open")
    client.force_login(owner)
    response = client.post(url("link_add", nc), {"target": similar.reference, "kind": "similar"})
    assert response.status_code == 302
    assert NonconformityLink.objects.get().target == similar
    again = client.post(url("link_add", nc), {"target": similar.reference, "kind": "similar"})
    assert "already linked" in again.content.decode()
    assert client.post(url("link_add", nc), {"target": nc.reference, "kind": "similar"}).status_code == 422
    client.force_login(reporter)
    assert client.post(url("link_add", nc), {"target": similar.reference, "kind": "similar"}).status_code == 403


def test_a_link_cannot_name_a_record_the_user_may_not_see(client, make_nc, owner, cast):
    from clauseten.nonconformities.scenarios import report

    nc = make_nc("investigating")
    hidden = report(cast, title="Someone else's record")  # reported and unowned: the owner may not see it
    client.force_login(owner)
    response = client.post(url("link_add", nc), {"target": hidden.reference, "kind": "similar"})
    assert response.status_code == 422 and "No record has this reference." in response.content.decode()
