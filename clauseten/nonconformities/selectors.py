"""Reads shared by pages and API, already filtered by permission, with their joins in one place."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from clauseten.events.selectors import timeline

from . import permissions
from .models import FINAL_STATES, Action, Nonconformity

ORDERINGS = {
    "newest": ("-reported_at", "-id"),
    "oldest": ("reported_at", "id"),
    "due": ("due_date", "id"),
    "-due": ("-due_date", "-id"),
    "reference": ("reference",),
    "-reference": ("-reference",),
    "state": ("state", "-reported_at", "-id"),
    "title": ("title", "id"),
}


def nonconformities_visible_to(user) -> QuerySet[Nonconformity]:
    return Nonconformity.objects.filter(permissions.visible_filter(user))


@dataclass
class RegisterFilter:
    """The register's filters, as they appear in the URL and the API's query string."""

    state: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    classification: list[str] = field(default_factory=list)
    owner: str = ""          # a username, or "me"
    overdue: bool = False
    q: str = ""
    management_system: int | None = None
    sort: str = "newest"

    @classmethod
    def from_query(cls, query) -> "RegisterFilter":
        """Read filters from a QueryDict (page URL, API query string, export link): one parser for all three.

        Unknown values are dropped rather than refused, so an old bookmark still opens.
        """
        from .models import Classification, Source, State

        def many(name, allowed):
            return [v for v in query.getlist(name) if v in allowed] if hasattr(query, "getlist") else []

        system = query.get("management_system") or ""
        return cls(
            state=many("state", State.values), source=many("source", Source.values),
            classification=many("classification", Classification.values),
            owner=(query.get("owner") or "").strip()[:150],
            overdue=(query.get("overdue") or "").lower() in {"1", "true", "on", "yes"},
            q=(query.get("q") or "").strip()[:200],
            management_system=int(system) if system.isdigit() else None,
            sort=query.get("sort") if query.get("sort") in ORDERINGS else "newest",
        )


def register(user, filters: RegisterFilter) -> QuerySet[Nonconformity]:
    """The register as this user may see it, filtered and sorted; a fixed number of queries per page."""
    rows = nonconformities_visible_to(user).select_related("owner", "reported_by", "management_system")
    if filters.state:
        rows = rows.filter(state__in=filters.state)
    if filters.source:
        rows = rows.filter(source__in=filters.source)
    if filters.classification:
        rows = rows.filter(classification__in=filters.classification)
    if filters.owner:
        rows = rows.filter(owner=user) if filters.owner == "me" else rows.filter(owner__username=filters.owner)
    if filters.overdue:
        rows = rows.filter(due_date__lt=timezone.localdate()).exclude(state__in=FINAL_STATES)
    if filters.management_system:
        rows = rows.filter(management_system_id=filters.management_system)
    if filters.q:
        text = filters.q.strip()
        rows = rows.filter(Q(reference__iexact=text) | Q(title__icontains=text) | Q(description__icontains=text)
                           | Q(requirement__icontains=text) | Q(area__icontains=text))
    return rows.order_by(*ORDERINGS.get(filters.sort, ORDERINGS["newest"]))


def nonconformity_detail(user, reference: str) -> Nonconformity:
    """One record with everything its page and the API show, or Nonconformity.DoesNotExist (a 404)."""
    return (
        nonconformities_visible_to(user)
        .select_related("owner", "reported_by", "management_system", "duplicate_of")
        .prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("owner").order_by("due_date", "id")),
            "attachments__uploaded_by", "approvals__approver", "reviews__reviewed_by", "comments__author",
            "links__target", "linked_from__source", "duplicates",
        )
        .get(reference=reference)
    )


def nonconformity_timeline(nc: Nonconformity):
    return timeline(nc.reference)


def open_actions_of(user) -> QuerySet[Action]:
    """'My work': the user's open actions, overdue first (earliest due first)."""
    return (Action.objects.filter(owner=user, status=Action.Status.PLANNED)
            .exclude(nonconformity__state__in=FINAL_STATES)
            .select_related("nonconformity").order_by("due_date", "id"))


def owned_nonconformities_of(user) -> QuerySet[Nonconformity]:
    return (Nonconformity.objects.filter(owner=user).exclude(state__in=FINAL_STATES)
            .select_related("management_system").order_by("due_date", "id"))
