import pytest

from clauseten.improvements.models import Audit, ManagementReview, ManagementSystemChange


@pytest.mark.django_db
def test_the_demo_loads_audits_an_ofi_reviews_and_a_change_and_a_second_load_adds_nothing():
    from clauseten import demo
    from clauseten.improvements import demo as improvements_demo
    from clauseten.improvements.selectors import independence_conflicts

    demo.load()
    people = demo.people()
    improvements_demo.load(people)
    internal = Audit.objects.get(kind="internal")
    assert internal.findings.count() == 2 and independence_conflicts(internal)
    assert ManagementReview.objects.count() == 2 and ManagementSystemChange.objects.count() == 1
    improvements_demo.load(people)
    assert Audit.objects.count() == 2
