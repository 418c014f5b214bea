"""My work: open actions overdue first, records I own, and for managers triage and reviews due."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from clauseten.nonconformities import services

URL = reverse("nonconformities:my_work")


def test_my_open_actions_come_overdue_first(client, make_nc, cast, action_owner):
    nc = make_nc("investigating", detected_on=timezone.localdate() - dt.timedelta(days=30))
    today = timezone.localdate()
    later = services.action_plan(actor=cast.owner, nc=nc, owner=action_owner, due_date=today + dt.timedelta(days=9),
                                 description="Later")
    late = services.action_plan(actor=cast.owner, nc=nc, owner=action_owner, due_date=today - dt.timedelta(days=2),
                                description="Late")
    client.force_login(action_owner)
    response = client.get(URL)
    assert list(response.context["actions"]) == [late, later]
    body = response.content.decode()
    assert body.index("overdue by 2 days") < body.index("due in 9 days")


def test_done_actions_and_others_actions_are_not_my_work(client, make_nc, action_owner, owner):
    make_nc("verifying")  # its action is done
    client.force_login(action_owner)
    assert list(client.get(URL).context["actions"]) == []
    client.force_login(owner)
    assert list(client.get(URL).context["actions"]) == []


def test_it_lists_the_records_i_own(client, make_nc, owner):
    open_nc, closed = make_nc("open"), make_nc("closed")
    client.force_login(owner)
    owned = list(client.get(URL).context["owned"])
    assert open_nc in owned and closed not in owned


def test_a_manager_sees_records_waiting_for_triage_and_reviews_due(client, make_nc, manager):
    waiting, due = make_nc("reported"), make_nc("verifying")  # the scenario plans the review for today
    client.force_login(manager)
    response = client.get(URL)
    assert list(response.context["triage"]) == [waiting]
    assert list(response.context["reviews_due"]) == [due]
    assert "Waiting for triage" in response.content.decode()


def test_others_do_not_get_the_managers_lists(client, reporter, make_nc):
    make_nc("reported")
    client.force_login(reporter)
    response = client.get(URL)
    assert "triage" not in response.context and "Waiting for triage" not in response.content.decode()


def test_my_work_needs_a_signed_in_person(client):
    assert client.get(URL).status_code == 302
