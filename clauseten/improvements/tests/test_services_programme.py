"""The audit programme: planning, independence of auditors, findings that become NCs or OFIs."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clauseten.improvements import selectors, services
from clauseten.improvements.models import Audit
from clauseten.lib.errors import StaleVersion


def test_a_planned_audit_has_a_reference_and_its_team_without_the_lead_twice(make_audit, auditor_user, owner):
    audit = make_audit(team=[owner, auditor_user])
    assert audit.reference.startswith("AUD-") and audit.status == Audit.Status.PLANNED
    assert list(audit.team.all()) == [owner]


def test_only_a_manager_plans_audits(reporter, auditor_user, management_system):
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.audit_plan(actor=reporter, kind="internal", title="t", scope="s", areas="HR", starts_on=today,
                            ends_on=today, lead_auditor=auditor_user)


def test_an_audit_cannot_end_before_it_starts(make_audit):
    with pytest.raises(ValidationError) as refused:
        make_audit(ends_on=timezone.localdate() - dt.timedelta(days=1))
    assert "ends_on" in refused.value.message_dict


def test_an_auditor_who_works_in_the_audited_area_is_flagged(make_audit, manager, auditor_user, owner):
    services.work_areas_set(actor=manager, user=owner, areas=["it operations", "Finance"])
    services.work_areas_set(actor=manager, user=auditor_user, areas=["Procurement"])
    audit = make_audit(team=[owner])
    conflicts = selectors.independence_conflicts(audit)
    assert [(c.auditor, c.area) for c in conflicts] == [(owner, "IT operations")]


def test_the_lead_auditor_is_checked_too(make_audit, manager, auditor_user):
    services.work_areas_set(actor=manager, user=auditor_user, areas=["HR"])
    assert [c.auditor for c in selectors.independence_conflicts(make_audit())] == [auditor_user]


def test_independent_auditors_raise_no_flag(make_audit, manager, auditor_user):
    services.work_areas_set(actor=manager, user=auditor_user, areas=["Sales"])
    assert selectors.independence_conflicts(make_audit()) == []


def test_only_a_manager_sets_work_areas(reporter, owner):
    with pytest.raises(PermissionDenied):
        services.work_areas_set(actor=reporter, user=owner, areas=["HR"])


@pytest.mark.parametrize("kind, source", [("internal", "internal_audit"), ("external", "external_audit"),
                                          ("third_party", "third_party_audit")])
def test_a_finding_becomes_a_reported_nc_with_the_audits_source(kind, source, make_audit, auditor_user):
    audit = make_audit(kind=kind)
    finding = services.audit_record_finding(actor=auditor_user, audit=audit, outcome="nonconformity",
                                            title="Leaver access not removed", description="3 of 10 leavers",
                                            requirement="ISO/IEC 27001:2022 A.5.18")
    nc = finding.nonconformity
    assert nc.state == "reported" and nc.source == source and nc.area == "HR"
    assert nc.audit_finding.audit == audit


def test_a_finding_becomes_an_ofi_linked_to_the_audit(make_audit, auditor_user):
    audit = make_audit()
    finding = services.audit_record_finding(actor=auditor_user, audit=audit, outcome="ofi",
                                            title="Automate access reviews", description="Quarterly by script")
    assert finding.improvement.reference.startswith("OFI-") and finding.improvement.source == "internal_audit"
    assert selectors.audit_detail(auditor_user, audit.reference).findings.get() == finding


def test_an_nc_finding_needs_the_requirement(make_audit, auditor_user):
    with pytest.raises(ValidationError) as refused:
        services.audit_record_finding(actor=auditor_user, audit=make_audit(), outcome="nonconformity", title="t",
                                      description="d")
    assert "requirement" in refused.value.message_dict


def test_someone_off_the_audit_team_cannot_record_findings(make_audit, reporter):
    with pytest.raises(PermissionDenied):
        services.audit_record_finding(actor=reporter, audit=make_audit(), outcome="ofi", title="t", description="d")


def test_no_findings_after_the_audit_is_completed(make_audit, auditor_user):
    audit = make_audit()
    services.audit_complete(actor=auditor_user, audit=audit, conclusion="Effective overall.", version=audit.version)
    with pytest.raises(PermissionDenied):
        services.audit_record_finding(actor=auditor_user, audit=audit, outcome="ofi", title="t", description="d")


def test_completing_refuses_a_stale_version(make_audit, manager, auditor_user):
    audit = make_audit()
    services.audit_cancel(actor=manager, audit=audit, reason="Auditee on leave", version=audit.version)
    with pytest.raises((StaleVersion, PermissionDenied)):
        services.audit_complete(actor=auditor_user, audit=audit, conclusion="x", version=audit.version)


def test_cancelling_needs_a_reason(make_audit, manager):
    audit = make_audit()
    with pytest.raises(ValidationError):
        services.audit_cancel(actor=manager, audit=audit, reason=" ")


def test_the_programme_lists_the_years_audits_for_those_who_may_see_them(make_audit, manager, auditor_user,
                                                                          reporter):
    audit = make_audit()
    year = audit.starts_on.year
    assert list(selectors.audit_programme(manager, year)) == [audit]
    assert list(selectors.audit_programme(auditor_user, year)) == [audit]
    assert list(selectors.audit_programme(reporter, year)) == []
    assert list(selectors.audit_programme(manager, year - 1)) == []
