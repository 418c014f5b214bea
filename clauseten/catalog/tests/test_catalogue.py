"""The catalogue shipped with the app, as a fresh database has it after migrate."""

from collections import Counter

import pytest

from clauseten.catalog.loading import read_catalogue
from clauseten.catalog.models import Requirement, RequirementMapping, Standard

pytestmark = pytest.mark.django_db


def annex_a_27001():
    return Requirement.objects.filter(standard__code="iso27001-2022", kind="control")


def test_27001_has_exactly_93_annex_a_controls_in_four_themes():
    assert annex_a_27001().count() == 93
    themes = Counter(identifier.rsplit(".", 1)[0] for identifier in annex_a_27001().values_list("identifier", flat=True))
    assert themes == {"A.5": 37, "A.6": 8, "A.7": 14, "A.8": 34}


def test_annex_a_controls_carry_their_official_short_titles():
    titles = dict(annex_a_27001().values_list("identifier", "title"))
    assert titles["A.5.1"] == "Policies for information security"
    assert titles["A.5.23"] == "Information security for use of cloud services"
    assert titles["A.7.4"] == "Physical security monitoring"
    assert titles["A.8.34"] == "Protection of information systems during audit testing"


def test_identifiers_are_unique_within_each_standard_in_the_shipped_file():
    for standard in read_catalogue()["standards"]:
        identifiers = [row["identifier"] for row in standard["requirements"]]
        assert len(identifiers) == len(set(identifiers)), standard["code"]


def test_every_mapping_in_the_file_resolves_to_a_loaded_requirement():
    catalogue = read_catalogue()
    assert RequirementMapping.objects.count() == len(catalogue["mappings"])
    for mapping in catalogue["mappings"]:
        for code, identifier in (mapping["from"], mapping["to"]):
            assert Requirement.objects.filter(standard__code=code, identifier=identifier).exists(), (code, identifier)


def test_42001_annex_a_is_present_from_a_2_2_to_a_10_4():
    controls = list(Requirement.objects.filter(standard__code="iso42001-2023", kind="control")
                    .values_list("identifier", flat=True))
    assert controls[0] == "A.2.2" and controls[-1] == "A.10.4"
    assert len(controls) == 38
    assert "A.6.2.7" in controls


@pytest.mark.parametrize("code, identifiers", [
    ("iso27001-2022", ["4.1", "6.1.3", "9.2", "10.1", "10.2"]),
    ("iso42001-2023", ["4.4", "6.1.4", "8.4", "10.1", "10.2"]),
    ("iso9001-2015", ["4.1", "8.7", "10.1", "10.2", "10.3"]),
    ("eu-ai-act", ["Art. 17", "Art. 20", "Art. 73"]),
    ("nist-ai-rmf", ["MANAGE 4.2", "MANAGE 4.3"]),
])
def test_each_standard_has_its_clauses(code, identifiers):
    present = set(Requirement.objects.filter(standard__code=code).values_list("identifier", flat=True))
    assert set(identifiers) <= present


@pytest.mark.parametrize("a, b", [
    (("iso27001-2022", "10.2"), ("iso42001-2023", "10.2")),
    (("iso42001-2023", "10.2"), ("iso9001-2015", "10.2")),
    (("iso27001-2022", "10.1"), ("iso9001-2015", "10.3")),
    (("iso42001-2023", "10.2"), ("eu-ai-act", "Art. 20")),
    (("iso42001-2023", "10.2"), ("eu-ai-act", "Art. 73")),
    (("nist-ai-rmf", "MANAGE 4.2"), ("iso42001-2023", "10.1")),
    (("nist-ai-rmf", "MANAGE 4.3"), ("iso42001-2023", "10.2")),
])
def test_clause_ten_maps_across_standards(a, b):
    from clauseten.catalog.selectors import mapped_requirements, requirement_detail

    assert requirement_detail(*b) in mapped_requirements(requirement_detail(*a))
    assert requirement_detail(*a) in mapped_requirements(requirement_detail(*b))


def test_loading_again_changes_nothing(django_db_setup):
    from django.core.management import call_command

    before = (Standard.objects.count(), Requirement.objects.count(), RequirementMapping.objects.count())
    call_command("load_catalogue")
    assert (Standard.objects.count(), Requirement.objects.count(), RequirementMapping.objects.count()) == before
