"""Every write of the improvements app: the register, the audit programme, management reviews, the change log.

Split by concept; import from here (`from clauseten.improvements import services`).
"""

from .changes import change_record
from .programme import audit_cancel, audit_complete, audit_plan, audit_record_finding, work_areas_set
from .register import (
                       improvement_from_nonconformity,
                       improvement_propose,
                       improvement_raise_nonconformity,
                       improvement_spawn_from_nonconformity,
                       improvement_transition,
)
from .reviews import review_decide, review_record

__all__ = [
    "audit_cancel", "audit_complete", "audit_plan", "audit_record_finding", "change_record",
    "improvement_from_nonconformity", "improvement_propose", "improvement_raise_nonconformity",
    "improvement_spawn_from_nonconformity", "improvement_transition", "review_decide", "review_record",
    "work_areas_set",
]
