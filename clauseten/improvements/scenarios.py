"""Walk an OFI through its lifecycle with the real services: for the demo and for tests."""

import datetime as dt

from django.utils import timezone

from . import services
from .models import Improvement

State = Improvement.State
HAPPY_PATH = [State.PROPOSED, State.ACCEPTED, State.PLANNED, State.IMPLEMENTED, State.REVIEWED]


def walk(improvement: Improvement, to: str, *, decider, owner) -> Improvement:
    """Advance along the happy path (or decline) until `to`; `decider` is a manager or review team member."""
    if to == State.DECLINED:
        return services.improvement_transition(actor=decider, improvement=improvement, name="decline",
                                               decline_reason="Not worth it against the cost this year.")
    steps = {
        State.PROPOSED: (decider, "accept", {}),
        State.ACCEPTED: (decider, "plan", {"owner": owner, "due_date": timezone.localdate() + dt.timedelta(days=45),
                                           "expected_benefit": "Fewer repeat findings at the next audit."}),
        State.PLANNED: (owner, "implement", {"implementation_note": "Done; see the updated procedure."}),
        State.IMPLEMENTED: (decider, "review_benefit", {"benefit_review": "No repeat findings since."}),
    }
    while HAPPY_PATH.index(improvement.state) < HAPPY_PATH.index(to):
        actor, name, step = steps[improvement.state]
        improvement = services.improvement_transition(actor=actor, improvement=improvement, name=name, **step)
    return improvement
