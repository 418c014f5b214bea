"""Bad input is a 4xx naming the field, never a 500, and leaves nothing half-written; stale edits are refused."""

import pytest

from clauseten.events.models import Event
from clauseten.nonconformities.models import Attachment, Nonconformity

from .test_api_support import Api, days, report_body

pytestmark = pytest.mark.django_db


def _state_of(nc) -> tuple:
    """Everything a refused request must leave as it was."""
    nc = Nonconformity.objects.get(pk=nc.pk)
    return (Nonconformity.objects.count(), nc.state, nc.version, nc.title, Event.objects.count(),
            Attachment.objects.count())


@pytest.mark.parametrize("raw", ["{bad json", "[1, 2]", '"a string"', "null", "{\"title\": "])
def test_a_malformed_body_is_a_client_error_and_changes_nothing(raw, make_nc, manager):
    nc = make_nc("open")
    before = _state_of(nc)
    mona = Api(manager)
    for path in ("/nonconformities", f"/nonconformities/{nc.reference}/transitions"):
        response = mona.client.post("/api/v1" + path, raw, content_type="application/json")
        assert response.status_code in (400, 422), (path, response.status_code, response.content)
    response = mona.client.patch(f"/api/v1/nonconformities/{nc.reference}", raw, content_type="application/json")
    assert response.status_code in (400, 422)
    assert _state_of(nc) == before


@pytest.mark.parametrize("field, value", [("detected_on", "yesterday"), ("detected_on", 20250101),
                                          ("source", "gossip"), ("title", 42), ("management_system", "ISMS")])
def test_a_wrong_type_is_422_naming_the_field(field, value, reporter, management_system):
    response = Api(reporter).post("/nonconformities", report_body(**{field: value}))
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert Nonconformity.objects.count() == 0


def test_an_over_long_title_is_422(reporter, management_system):
    response = Api(reporter).post("/nonconformities", report_body(title="x" * 201))
    assert response.status_code == 422 and "title" in response.json()["errors"]
    assert Nonconformity.objects.count() == 0


def test_state_is_never_an_input(make_nc, reporter, manager):
    nc = make_nc("reported")
    before = _state_of(nc)
    assert Api(reporter).post("/nonconformities", report_body(state="closed")).status_code == 422
    patched = Api(manager).patch(f"/nonconformities/{nc.reference}", {"version": 1, "state": "closed"})
    assert patched.status_code == 422 and "state" in patched.json()["errors"]
    assert _state_of(nc) == before


def test_a_detection_date_in_the_future_is_refused(reporter, management_system):
    response = Api(reporter).post("/nonconformities", report_body(detected_on=days(1)))
    assert response.status_code == 422 and "detected_on" in response.json()["errors"]


def test_dates_out_of_order_are_refused_on_accept(make_nc, manager):
    nc = make_nc("reported")
    before = _state_of(nc)
    response = Api(manager).step(nc.reference, step="accept", classification="minor", owner="omar",
                                 correction_due=days(30), due_date=days(10))
    assert response.status_code == 422
    assert "correction_due" in response.json()["errors"]
    assert _state_of(nc) == before


@pytest.mark.parametrize("field, value", [("owner", "nobody"), ("classification", "huge"), ("due_date", "soon")])
def test_a_bad_step_field_is_422_on_that_field(field, value, make_nc, manager):
    nc = make_nc("reported")
    before = _state_of(nc)
    body = {"step": "accept", "classification": "minor", "owner": "omar", "correction_due": days(3),
            "due_date": days(30), field: value}
    response = Api(manager).post(f"/nonconformities/{nc.reference}/transitions", body)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert _state_of(nc) == before


def test_a_missing_required_step_field_is_422(make_nc, manager):
    nc = make_nc("reported")
    response = Api(manager).step(nc.reference, step="accept", classification="minor")
    assert response.status_code == 422
    assert {"owner", "correction_due", "due_date"} <= set(response.json()["errors"])


def test_a_field_the_step_does_not_take_is_422(make_nc, owner):
    nc = make_nc("open")
    response = Api(owner).step(nc.reference, step="record_correction", correction="Done.", verdict="effective")
    assert response.status_code == 422 and "verdict" in response.json()["errors"]


def test_an_unknown_duplicate_original_is_422(make_nc, manager):
    nc = make_nc("reported")
    response = Api(manager).step(nc.reference, step="mark_duplicate", duplicate_of="NC-1999-0001")
    assert response.status_code == 422 and "duplicate_of" in response.json()["errors"]


def test_an_action_for_an_unknown_person_is_422(make_nc, owner):
    nc = make_nc("investigating")
    before = _state_of(nc)
    response = Api(owner).post(f"/nonconformities/{nc.reference}/actions",
                               {"description": "Fix it.", "owner": "ghost", "due_date": days(5)})
    assert response.status_code == 422 and "owner" in response.json()["errors"]
    assert _state_of(nc) == before and not nc.actions.exists()


# --- stale versions ---------------------------------------------------------------------------------------

def test_a_stale_edit_is_409_with_the_current_version_and_changes_nothing(make_nc, manager, owner):
    nc = make_nc("open")
    read_version = nc.version
    assert Api(owner).patch(f"/nonconformities/{nc.reference}",
                            {"version": read_version, "title": "Owner's title"}).status_code == 200
    response = Api(manager).patch(f"/nonconformities/{nc.reference}", {"version": read_version, "title": "Late"})
    assert response.status_code == 409
    assert response.json()["current_version"] == read_version + 1
    assert Nonconformity.objects.get(pk=nc.pk).title == "Owner's title"


def test_a_stale_transition_is_409(make_nc, owner):
    nc = make_nc("open")
    before = _state_of(nc)
    response = Api(owner).step(nc.reference, step="record_correction", correction="Done.", version=nc.version - 1)
    assert response.status_code == 409 and response.json()["current_version"] == nc.version
    assert _state_of(nc) == before


def test_a_stale_action_edit_is_409(make_nc, owner):
    nc = make_nc("acting")
    action = nc.actions.get()
    omar = Api(owner)
    assert omar.patch(f"/actions/{action.pk}", {"version": 1, "due_date": days(40)}).json()["version"] == 2
    response = omar.patch(f"/actions/{action.pk}", {"version": 1, "description": "Old view."})
    assert response.status_code == 409 and response.json()["current_version"] == 2
    action.refresh_from_db()
    assert action.description != "Old view."


def test_an_edit_without_a_version_is_422(make_nc, manager):
    nc = make_nc("open")
    response = Api(manager).patch(f"/nonconformities/{nc.reference}", {"title": "No version"})
    assert response.status_code == 422 and "version" in response.json()["errors"]


def test_a_field_the_state_does_not_allow_is_422(make_nc, reporter):
    nc = make_nc("reported")
    response = Api(reporter).patch(f"/nonconformities/{nc.reference}", {"version": 1, "root_cause": "Guessing."})
    assert response.status_code == 422 and "root_cause" in response.json()["errors"]


# --- uploads ----------------------------------------------------------------------------------------------

def test_a_file_over_the_size_limit_is_422_and_not_stored(make_nc, action_owner, settings):
    settings.MAX_UPLOAD_MB = 1
    nc = make_nc("acting")
    before = _state_of(nc)
    response = Api(action_owner).upload(f"/nonconformities/{nc.reference}/attachments", "scan.pdf",
                                        b"x" * (1024 * 1024 + 1), action=nc.actions.get().pk)
    assert response.status_code == 422 and "file" in response.json()["errors"]
    assert _state_of(nc) == before


def test_a_refused_file_type_is_422_and_not_stored(make_nc, owner):
    nc = make_nc("open")
    before = _state_of(nc)
    response = Api(owner).upload(f"/nonconformities/{nc.reference}/attachments", "fix.exe", b"MZ\x90\x00")
    assert response.status_code == 422 and "file" in response.json()["errors"]
    assert _state_of(nc) == before


def test_an_upload_without_a_file_is_422(make_nc, owner):
    nc = make_nc("open")
    response = Api(owner).client.post(f"/api/v1/nonconformities/{nc.reference}/attachments", {"action": "1"})
    assert response.status_code == 422
    # ninja places file parameters under "file"; the error mapping may or may not strip that prefix.
    assert {key.rsplit(".", 1)[-1] for key in response.json()["errors"]} == {"file"}


@pytest.mark.parametrize("field", ["classification", "owner"])
def test_blanking_classification_or_owner_past_triage_is_422_on_that_field(field, make_nc, manager):
    nc = make_nc("open")
    response = Api(manager).patch(f"/nonconformities/{nc.reference}", {"version": nc.version, field: ""})
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    nc.refresh_from_db()
    assert nc.classification and nc.owner_id
