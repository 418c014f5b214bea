"""API shapes of nonconformities, actions and evidence. People are named by username, records by reference.

Inputs forbid unknown keys (so `state`, never an input, is refused rather than silently ignored) and carry the
model's length limits, so over-long text is a 422 before any service runs. `None` as a default means "not sent":
the API passes on only the fields a client actually sent.
"""

import datetime as dt
from typing import Literal

from django.urls import reverse
from ninja import Field, Schema
from pydantic import ConfigDict, model_validator

from .models import CauseCategory, Classification, RootCauseMethod, Source


def username(user) -> str | None:
    return user.username if user is not None else None


class In(Schema):
    # Enum members become their plain values, so services and event snapshots see strings.
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


# --- inputs -----------------------------------------------------------------------------------------------

class NonconformityIn(In):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=10000)
    requirement: str = Field(min_length=1, max_length=500)
    area: str = Field(min_length=1, max_length=200)
    detected_on: dt.date
    source: Source
    management_system: int | None = None


class NonconformityPatch(In):
    """Content edits; `version` is the one the client read, so a stale edit is refused (409)."""

    version: int
    title: str = Field(None, min_length=1, max_length=200)
    description: str = Field(None, min_length=1, max_length=10000)
    requirement: str = Field(None, min_length=1, max_length=500)
    area: str = Field(None, min_length=1, max_length=200)
    detected_on: dt.date = None
    source: Source = None
    classification: Classification = None
    owner: str = Field(None, max_length=150, description="Username.")
    correction_due: dt.date | None = None
    due_date: dt.date | None = None
    correction: str = Field(None, max_length=10000)
    consequences: str = Field(None, max_length=10000)
    root_cause: str = Field(None, max_length=10000)
    root_cause_method: RootCauseMethod | Literal[""] = None
    cause_category: CauseCategory | Literal[""] = None
    extent_of_condition: str = Field(None, max_length=10000)
    effectiveness_criteria: str = Field(None, max_length=5000)
    effectiveness_review_due: dt.date | None = None


class TransitionIn(In):
    """A lifecycle step, named by its target state (`to`) or by its name (`step`), with the fields it takes."""

    to: str | None = Field(None, max_length=30)
    step: str | None = Field(None, max_length=40)
    comment: str = Field("", max_length=5000)
    version: int | None = None
    classification: Classification = None
    owner: str = Field(None, max_length=150, description="Username.")
    correction_due: dt.date = None
    due_date: dt.date = None
    duplicate_of: str = Field(None, max_length=20, description="Reference of the original record.")
    improvement_kind: Literal["observation", "ofi"] = None
    correction: str = Field(None, max_length=10000)
    consequences: str = Field(None, max_length=10000)
    root_cause: str = Field(None, max_length=10000)
    root_cause_method: RootCauseMethod = None
    cause_category: CauseCategory = None
    extent_of_condition: str = Field(None, max_length=10000)
    effectiveness_criteria: str = Field(None, max_length=5000)
    effectiveness_review_due: dt.date = None
    verdict: Literal["effective", "not_effective"] = None
    review_notes: str = Field(None, max_length=5000)

    @model_validator(mode="after")
    def names_a_step(self):
        if not (self.to or self.step):
            raise ValueError("Name the step: 'to' (the target state) or 'step' (the transition's name).")
        return self

    def step_fields(self) -> dict:
        """The step's own fields, only those the client sent."""
        return self.dict(exclude_unset=True, exclude={"to", "step", "comment", "version"})


class ActionIn(In):
    description: str = Field(min_length=1, max_length=5000)
    owner: str = Field(max_length=150, description="Username of who carries it out.")
    due_date: dt.date


class ActionPatch(In):
    version: int
    description: str = Field(None, min_length=1, max_length=5000)
    owner: str = Field(None, max_length=150)
    due_date: dt.date = None


class ActionCompleteIn(In):
    note: str = Field(min_length=1, max_length=5000)
    version: int | None = None


class ActionCancelIn(In):
    reason: str = Field(min_length=1, max_length=2000)
    version: int | None = None


class ApprovalIn(In):
    kind: Literal["plan", "closure"]
    comment: str = Field("", max_length=2000)


class LinkIn(In):
    target: str = Field(max_length=20, description="Reference of the similar or earlier record.")
    kind: Literal["similar", "recurrence"] = "similar"


class CommentIn(In):
    body: str = Field(min_length=1, max_length=5000)


# --- outputs ----------------------------------------------------------------------------------------------

class NonconformityOut(Schema):
    """A row of the register: only what the list's joins already hold (a fixed number of queries per page)."""

    reference: str
    title: str
    state: str
    source: str
    classification: str
    management_system: str
    owner: str | None
    reported_by: str
    reported_at: dt.datetime
    detected_on: dt.date
    correction_due: dt.date | None
    due_date: dt.date | None
    is_overdue: bool
    version: int

    @staticmethod
    def resolve_management_system(obj) -> str:
        return str(obj.management_system)

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return username(obj.owner)

    @staticmethod
    def resolve_reported_by(obj) -> str:
        return obj.reported_by.username


class RegisterPage(Schema):
    count: int
    page: int
    page_size: int
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last page "
                                                       "or for sorts without a cursor (due, -due, state, title).")
    results: list[NonconformityOut]


class ActionOut(Schema):
    id: int
    nonconformity: str
    description: str
    owner: str
    due_date: dt.date
    status: str
    completion_note: str
    completed_at: dt.datetime | None
    cancel_reason: str
    is_overdue: bool
    version: int

    @staticmethod
    def resolve_nonconformity(obj) -> str:
        return obj.nonconformity.reference

    @staticmethod
    def resolve_owner(obj) -> str:
        return obj.owner.username


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    content_type: str
    action: int | None = Field(None, alias="action_id")
    uploaded_by: str
    uploaded_at: dt.datetime
    url: str

    @staticmethod
    def resolve_uploaded_by(obj) -> str:
        return obj.uploaded_by.username

    @staticmethod
    def resolve_url(obj) -> str:
        return reverse("api:attachment_download", args=[obj.pk])


class ReviewOut(Schema):
    verdict: str
    criteria: str
    notes: str
    reviewed_by: str
    reviewed_at: dt.datetime

    @staticmethod
    def resolve_reviewed_by(obj) -> str:
        return obj.reviewed_by.username


class ApprovalOut(Schema):
    kind: str
    approver: str
    approved_at: dt.datetime
    comment: str

    @staticmethod
    def resolve_approver(obj) -> str:
        return obj.approver.username


class LinkOut(Schema):
    reference: str
    kind: str
    direction: Literal["to", "from"]


class CommentOut(Schema):
    author: str
    body: str
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj) -> str:
        return obj.author.username


class StepOut(Schema):
    """A transition this user may make now; its guards are checked when they try."""

    name: str
    label: str
    target: str
    fields: list[str]
    required: list[str]
    comment_required: bool


class NonconformityDetailOut(NonconformityOut):
    description: str
    requirement: str
    area: str
    state_changed_at: dt.datetime
    correction: str
    consequences: str
    contained_at: dt.datetime | None
    root_cause: str
    root_cause_method: str
    cause_category: str
    extent_of_condition: str
    effectiveness_criteria: str
    effectiveness_review_due: dt.date | None
    duplicate_of: str | None
    closed_at: dt.datetime | None
    actions: list[ActionOut]
    attachments: list[AttachmentOut]
    reviews: list[ReviewOut]
    approvals: list[ApprovalOut]
    links: list[LinkOut]
    comments: list[CommentOut]
    next_steps: list[StepOut]

    @staticmethod
    def resolve_duplicate_of(obj) -> str | None:
        return obj.duplicate_of.reference if obj.duplicate_of_id else None

    @staticmethod
    def resolve_links(obj) -> list[dict]:
        return ([{"reference": link.target.reference, "kind": link.kind, "direction": "to"}
                 for link in obj.links.all()]
                + [{"reference": link.source.reference, "kind": link.kind, "direction": "from"}
                   for link in obj.linked_from.all()])

    @staticmethod
    def resolve_next_steps(obj) -> list[dict]:
        return [{"name": t.name, "label": t.label, "target": t.target.value, "fields": list(t.fields),
                 "required": list(t.required), "comment_required": t.comment_required}
                for t in obj.next_steps]


class EventOut(Schema):
    seq: int
    at: dt.datetime
    actor: str | None
    verb: str
    changes: dict
    comment: str

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else (obj.actor_name or None)


class MyWorkOut(Schema):
    actions: list[ActionOut]
    nonconformities: list[NonconformityOut]


class RegisterQuery(Schema):
    """The register's query string, as documented in OpenAPI. The filters themselves are read by
    selectors.RegisterFilter.from_query, the one parser pages, API and exports share (unknown values are dropped)."""

    state: list[str] = Field([], description="Repeatable: reported, open, investigating, acting, verifying, ...")
    source: list[str] = Field([], description="Repeatable.")
    classification: list[str] = Field([], description="Repeatable: major, minor.")
    owner: str = Field("", description="A username, or 'me'.")
    overdue: str = Field("", description="'true' for records past their due date and not finished.")
    q: str = Field("", description="Text in reference, title, description, requirement or area.")
    management_system: str = Field("", description="Id of a management system.")
    sort: str = Field("newest", description="newest, oldest, due, -due, reference, -reference, state, title.")
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)
    cursor: str = Field("", description="next_cursor of the previous page (keyset paging, fast at any depth); "
                                        "sorts newest, oldest, reference, -reference only. Replaces `page`.")
