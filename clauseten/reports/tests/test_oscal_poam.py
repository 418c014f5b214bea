"""The OSCAL POA&M export, checked with NIST's published schema and with compliance-trestle's models,
plus our own check that every UUID reference resolves; and NIST's example read without loss."""

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
import regex
from django.conf import settings
from django.utils import timezone
from jsonschema import Draft7Validator, ValidationError, validators
from trestle.oscal.poam import PlanOfActionAndMilestones

from clauseten.nonconformities import services
from clauseten.nonconformities.models import Action
from clauseten.reports import oscal

from .insight_fixtures import fresh_cache, login  # noqa: F401

SHARED = Path(settings.BASE_DIR).parent.parent / "shared" / "oscal"  # ../shared/oscal from the repository root
SCHEMA = SHARED / "oscal_poam_schema_1.2.1.json"
NIST_EXAMPLE = SHARED / "nist_ifa_plan-of-action-and-milestones.json"


def shared(path: Path) -> dict:
    if not path.exists():
        from conftest import skip_or_fail

        skip_or_fail(f"NIST's OSCAL files are not at {SHARED} (CI has them at ../shared/oscal/)")
    return json.loads(path.read_text())


def unicode_pattern(validator, pattern, instance, schema):
    # NIST's patterns use \p{L}; the standard re module cannot read them, the regex package can.
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


OscalValidator = validators.extend(Draft7Validator, {"pattern": unicode_pattern})


def schema_errors(document: dict) -> list[str]:
    validator = OscalValidator(shared(SCHEMA), format_checker=Draft7Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def uuid_references(node, found=None) -> list[tuple[str, str]]:
    """Every (key, value) whose key names a reference to another object's uuid (`risk-uuid`, `observation-uuid`…)."""
    found = [] if found is None else found
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("-uuid") and isinstance(value, str):
                found.append((key, value))
            uuid_references(value, found)
    elif isinstance(node, list):
        for value in node:
            uuid_references(value, found)
    return found


def defined_uuids(node, found=None) -> set[str]:
    found = set() if found is None else found
    if isinstance(node, dict):
        if isinstance(node.get("uuid"), str):
            found.add(node["uuid"])
        for value in node.values():
            defined_uuids(value, found)
    elif isinstance(node, list):
        for value in node:
            defined_uuids(value, found)
    return found


@pytest.fixture
def register(make_nc, cast):
    acting = make_nc("acting", classification="major", requirement="ISO/IEC 27001:2022 A.5.15 Access control")
    extra = services.action_plan(actor=cast.owner, nc=make_nc("investigating"), owner=cast.action_owner,
                                 due_date=timezone.localdate() + dt.timedelta(days=10),
                                 description="Re-train reception staff.")
    make_nc("closed")  # not open: not in the POA&M
    make_nc("reported", title="  Leading spaces\nand a line break  ", area="Reception — Geb. Süd")
    return acting, extra


@pytest.mark.django_db
def test_the_poam_passes_nists_published_schema(register):
    assert schema_errors(oscal.build_poam()) == []


@pytest.mark.django_db
def test_the_poam_passes_compliance_trestles_models(register):
    document = oscal.build_poam()
    model = PlanOfActionAndMilestones.model_validate(document["plan-of-action-and-milestones"])
    assert len(model.poam_items) == 3 and len(model.risks) == 3


@pytest.mark.django_db
def test_every_uuid_reference_in_the_poam_resolves(register):
    document = oscal.build_poam()
    references = uuid_references(document)
    assert {key for key, _ in references} >= {"risk-uuid", "observation-uuid", "finding-uuid"}
    assert [r for r in references if r[1] not in defined_uuids(document)] == []


@pytest.mark.django_db
def test_an_open_nc_becomes_an_item_with_its_finding_risk_remediations_and_risk_log(register):
    acting, _ = register
    body = oscal.build_poam()["plan-of-action-and-milestones"]
    risk = next(r for r in body["risks"] if r["title"].startswith(acting.reference))
    assert risk["status"] == "remediating" and risk["deadline"].startswith(acting.due_date.isoformat())
    assert [r["title"] for r in risk["remediations"]] == ["Correction", "Corrective action 1"]
    action = Action.objects.get(nonconformity=acting)
    assert risk["remediations"][1]["tasks"][0]["timing"]["on-date"]["date"].startswith(action.due_date.isoformat())
    assert [e.get("status-change") for e in risk["risk-log"]["entries"] if "status-change" in e] == [
        "open", "open", "investigating", "remediating"]
    finding = next(f for f in body["findings"] if f["related-risks"][0]["risk-uuid"] == risk["uuid"])
    assert finding["target"]["target-id"] == "ISO-IEC-27001-2022-A.5.15-Access-control"
    assert finding["target"]["status"]["state"] == "not-satisfied"


@pytest.mark.django_db
def test_an_empty_register_still_gives_a_valid_poam(db):
    document = oscal.build_poam()
    assert len(document["plan-of-action-and-milestones"]["poam-items"]) == 1
    assert schema_errors(document) == []


@pytest.mark.django_db
def test_uuids_stay_the_same_across_exports(register):
    first, second = oscal.build_poam(), oscal.build_poam()
    assert [r["uuid"] for r in first["plan-of-action-and-milestones"]["risks"]] == [
        r["uuid"] for r in second["plan-of-action-and-milestones"]["risks"]]


def test_nists_example_is_read_with_every_item_risk_and_observation():
    document = shared(NIST_EXAMPLE)
    body = document["plan-of-action-and-milestones"]
    poam = oscal.read_poam(document)
    assert poam.uuid == body["uuid"] and poam.title == body["metadata"]["title"]
    for ours, theirs in ((poam.items, body["poam-items"]), (poam.risks, body["risks"]),
                         (poam.observations, body["observations"])):
        assert [(p.uuid, p.title, p.description) for p in ours] == [
            (t.get("uuid", ""), t.get("title", ""), t["description"]) for t in theirs]
    assert [r.status for r in poam.risks] == [r["status"] for r in body["risks"]]
    assert [len(r.remediations) for r in poam.risks] == [len(r.get("remediations", [])) for r in body["risks"]]


def test_nists_example_round_trips_without_loss():
    document = shared(NIST_EXAMPLE)
    assert oscal.write_poam(oscal.read_poam(copy.deepcopy(document))) == document


@pytest.mark.django_db
def test_our_own_poam_round_trips_through_the_reader(register):
    document = json.loads(json.dumps(oscal.build_poam()))
    assert oscal.write_poam(oscal.read_poam(copy.deepcopy(document))) == document


@pytest.mark.django_db
def test_the_api_serves_the_poam_to_an_auditor_and_refuses_a_reporter(client, auditor, reporter, register):
    response = login(client, auditor).get("/api/v1/reports/oscal/poam.json")
    assert response.status_code == 200 and "plan-of-action-and-milestones" in response.json()
    assert login(client, reporter).get("/api/v1/reports/oscal/poam.json").status_code == 403


@pytest.mark.django_db
def test_the_schema_check_would_catch_a_broken_document(register):
    body = oscal.build_poam()["plan-of-action-and-milestones"]
    body["risks"][0]["status"] = "not a token"
    body["poam-items"][0]["props"][0]["name"] = "1-starts-with-a-digit"
    del body["metadata"]["oscal-version"]
    errors = schema_errors({"plan-of-action-and-milestones": body})
    assert len(errors) >= 3
