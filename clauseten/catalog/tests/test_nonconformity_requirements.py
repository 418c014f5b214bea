"""An NC references catalogue requirements: service, page and API."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from clauseten.catalog import selectors, services
from clauseten.catalog.models import NonconformityRequirement, Requirement
from clauseten.events.models import Event
from clauseten.nonconformities.models import State


def req(code, identifier):
    return Requirement.objects.get(standard__code=code, identifier=identifier)


@pytest.fixture
def nc(make_nc):
    return make_nc(State.OPEN, requirement="Visitor procedure §3")


def test_setting_requirements_links_them_and_records_an_event(nc, manager):
    services.nonconformity_requirements_set(actor=manager, nc=nc, requirements=[req("iso27001-2022", "A.7.2")])
    assert selectors.requirements_of_nonconformity(nc) == [req("iso27001-2022", "A.7.2")]
    event = Event.objects.filter(record=nc.reference, verb="nonconformity.requirements_set").get()
    assert event.changes["requirements"] == [[], ["ISO/IEC 27001:2022 A.7.2"]]
    nc.refresh_from_db()
    assert nc.requirement == "Visitor procedure §3"


def test_removing_a_requirement_keeps_the_row_with_who_removed_it(nc, manager):
    a72, a511 = req("iso27001-2022", "A.7.2"), req("iso27001-2022", "A.5.11")
    services.nonconformity_requirements_set(actor=manager, nc=nc, requirements=[a72, a511])
    services.nonconformity_requirements_set(actor=manager, nc=nc, requirements=[a511])
    removed = NonconformityRequirement.objects.get(nonconformity=nc, requirement=a72)
    assert removed.removed_by == manager and removed.removed_at
    assert selectors.requirements_of_nonconformity(nc) == [a511]


def test_setting_the_same_requirements_again_records_nothing(nc, manager):
    services.nonconformity_requirements_set(actor=manager, nc=nc, requirements=[req("iso27001-2022", "A.7.2")])
    count = Event.objects.count()
    services.nonconformity_requirements_set(actor=manager, nc=nc, requirements=[req("iso27001-2022", "A.7.2")])
    assert Event.objects.count() == count


@pytest.mark.parametrize("persona", ["reporter", "action_owner", "auditor", "stranger"])
def test_it_refuses_someone_who_may_not_edit_the_nc(nc, persona, request):
    with pytest.raises(PermissionDenied):
        services.nonconformity_requirements_set(actor=request.getfixturevalue(persona), nc=nc,
                                                requirements=[req("iso27001-2022", "A.7.2")])


def test_the_nc_owner_may_set_requirements(nc, owner):
    services.nonconformity_requirements_set(actor=owner, nc=nc, requirements=[req("iso9001-2015", "10.2")])
    assert len(selectors.requirements_of_nonconformity(nc)) == 1


def test_the_requirement_page_lists_its_ncs(nc, manager, client):
    services.nonconformity_requirements_set(actor=manager, nc=nc, requirements=[req("iso27001-2022", "A.7.2")])
    client.force_login(manager)
    page = client.get("/catalog/iso27001-2022/A.7.2/")
    assert page.status_code == 200
    assert nc.reference in page.content.decode()
    assert "Physical entry" in page.content.decode()


def test_the_requirement_page_hides_ncs_the_user_cannot_see(nc, manager, stranger, client):
    services.nonconformity_requirements_set(actor=manager, nc=nc, requirements=[req("iso27001-2022", "A.7.2")])
    client.force_login(stranger)
    page = client.get("/catalog/iso27001-2022/A.7.2/")
    assert page.status_code == 200 and nc.reference not in page.content.decode()


def test_an_unknown_requirement_is_404(client, manager):
    client.force_login(manager)
    assert client.get("/catalog/iso27001-2022/A.9.9/").status_code == 404


def test_the_browse_page_filters_by_standard(client, stranger):
    client.force_login(stranger)
    page = client.get("/catalog/?standard=eu-ai-act").content.decode()
    assert "Corrective actions and duty of information" in page and "Physical entry" not in page


def test_catalogue_pages_need_sign_in(client):
    assert client.get("/catalog/").status_code == 302


def test_requirements_with_ncs_this_year(nc, manager, client):
    services.nonconformity_requirements_set(actor=manager, nc=nc, requirements=[req("iso42001-2023", "10.2")])
    client.force_login(manager)
    page = client.get(f"/catalog/with-nonconformities/?year={timezone.localdate().year}").content.decode()
    assert "ISO/IEC 42001:2023" in page and "Nonconformity and corrective action" in page
    assert "No nonconformity" in client.get("/catalog/with-nonconformities/?year=1999").content.decode()


def test_the_nc_requirements_page_saves_the_choice(nc, manager, client):
    client.force_login(manager)
    url = f"/catalog/nc/{nc.reference}/requirements/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"requirements": [req("iso27001-2022", "A.7.2").pk, req("iso9001-2015", "10.2").pk]})
    assert response.status_code == 302
    assert len(selectors.requirements_of_nonconformity(nc)) == 2


def test_the_nc_requirements_page_is_403_for_a_reader_and_404_for_a_stranger(nc, auditor, stranger, client):
    client.force_login(auditor)
    assert client.get(f"/catalog/nc/{nc.reference}/requirements/").status_code == 403
    client.force_login(stranger)
    assert client.get(f"/catalog/nc/{nc.reference}/requirements/").status_code == 404


def test_the_api_lists_standards_and_requirements(client, stranger):
    client.force_login(stranger)
    codes = [s["code"] for s in client.get("/api/v1/catalog/standards").json()]
    assert "iso27001-2022" in codes and "nist-ai-rmf" in codes
    controls = client.get("/api/v1/catalog/requirements?standard=iso27001-2022").json()
    assert sum(1 for r in controls if r["kind"] == "control") == 93
    assert client.get("/api/v1/catalog/requirements?standard=nope").status_code == 404


def test_the_api_shows_a_requirement_with_its_mappings(client, stranger):
    client.force_login(stranger)
    body = client.get("/api/v1/catalog/requirements/iso42001-2023/10.2").json()
    assert {"eu-ai-act"} <= {m["standard"] for m in body["mapped"]}


def test_the_api_sets_an_ncs_requirements(nc, manager, client):
    client.force_login(manager)
    url = f"/api/v1/catalog/nonconformities/{nc.reference}/requirements"
    ok = client.put(url, {"requirements": [req("iso27001-2022", "A.7.2").pk]}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()[0]["identifier"] == "A.7.2"
    assert client.get(url).json()[0]["identifier"] == "A.7.2"
    bad = client.put(url, {"requirements": [999999]}, content_type="application/json")
    assert bad.status_code == 422 and "requirements" in bad.json()["errors"]


def test_the_api_refuses_the_wrong_user(nc, auditor, stranger, client):
    url = f"/api/v1/catalog/nonconformities/{nc.reference}/requirements"
    client.force_login(auditor)
    assert client.put(url, {"requirements": []}, content_type="application/json").status_code == 403
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get("/api/v1/catalog/standards").status_code == 401
