"""Reads shared by pages and API, already filtered by permission, with their joins in one place."""

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connections
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from clauseten.events.models import ChainHead
from clauseten.events.selectors import timeline

from . import permissions
from .models import FINAL_STATES, Action, Nonconformity

ORDERINGS = {
    "newest": ("-reported_at", "-id"),
    "oldest": ("reported_at", "id"),
    # Records without a due date (not yet triaged) last either way, on SQLite as on PostgreSQL.
    "due": (F("due_date").asc(nulls_last=True), "id"),
    "-due": (F("due_date").desc(nulls_last=True), "-id"),
    "reference": ("reference",),
    "-reference": ("-reference",),
    "state": ("state", "-reported_at", "-id"),
    "title": ("title", "id"),
}


# Sorts whose keys are never null, so "the rows after this one" is one index range (keyset pagination).
KEYSET = {"newest": ("reported_at", "id"), "oldest": ("reported_at", "id"), "reference": ("reference",),
          "-reference": ("reference",)}


class RegisterQuerySet(QuerySet):
    """The register's rows. Two costs that grow with the register are kept flat here, for pages, API and
    exports at once:

    - `count()` is cached until the next write. Every write appends an event, so the chain head's hash names
      the data's version; it is part of the key, so a count is never served across a change, in any process.
      Not inside a transaction: what it counted might be rolled back.
    - A deep page (a large OFFSET) first finds its ids in the index alone, then reads only those rows
      ("deferred join"), instead of reading and discarding every full row before it.
    """

    DEFERRED_JOIN_FROM = 500  # below this offset the plain query is as fast
    COUNT_SECONDS = 600

    def count(self) -> int:
        connection = connections[self.db]
        if self._result_cache is not None or connection.in_atomic_block:
            return super().count()
        shape = getattr(self, "count_shape", None)  # set by register(); a chained queryset drops it
        if shape is None:
            try:
                shape = self.query.sql_with_params()
            except EmptyResultSet:
                return 0
        head = ChainHead.objects.using(self.db).filter(pk=1).values_list("hash", flat=True).first()
        if not head:  # rows written without any event: nothing names their version
            return super().count()
        key = "register-count:" + hashlib.sha256(repr((self.db, shape, head)).encode()).hexdigest()
        found = cache.get(key)
        if found is None:
            found = super().count()
            cache.set(key, found, self.COUNT_SECONDS)
        return found

    def __getitem__(self, k):
        if (isinstance(k, slice) and self._result_cache is None and (k.start or 0) >= self.DEFERRED_JOIN_FROM
                and k.stop is not None and k.step is None):
            ids = QuerySet.__getitem__(self.values_list("pk", flat=True), k)  # QuerySet's slicing: no recursion
            return list(self.filter(pk__in=ids))  # one query: the ids are a LIMIT/OFFSET subquery
        return super().__getitem__(k)


def nonconformities_visible_to(user) -> QuerySet[Nonconformity]:
    return RegisterQuerySet(Nonconformity).filter(permissions.visible_filter(user))


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
        # The owner's id as a scalar subquery, not a join on username: the planner then walks the
        # (owner, reported_at, id) index in order instead of joining every record to its owner.
        owner = (get_user_model().objects.filter(pk=user.pk) if filters.owner == "me"
                 else get_user_model().objects.filter(username=filters.owner))
        rows = rows.filter(owner_id=Subquery(owner.values("pk")[:1]))
    if filters.overdue:
        rows = rows.filter(due_date__lt=timezone.localdate()).exclude(state__in=FINAL_STATES)
    if filters.management_system:
        rows = rows.filter(management_system_id=filters.management_system)
    if filters.q:
        text = filters.q.strip()
        rows = rows.filter(Q(reference__iexact=text) | Q(title__icontains=text) | Q(description__icontains=text)
                           | Q(requirement__icontains=text) | Q(area__icontains=text))
    rows = rows.order_by(*ORDERINGS.get(filters.sort, ORDERINGS["newest"]))
    if user.is_authenticated:
        # What decides the count, cheaper to key on than compiling the SQL: who sees what, the filters, and
        # the day ("overdue" moves at midnight without a write).
        sees = "everything" if user.sees_everything else f"user {user.pk}"
        rows.count_shape = (sees, user.pk if filters.owner == "me" else None, repr(filters),
                            timezone.localdate().isoformat())
    return rows


def register_cursor(nc: Nonconformity, sort: str) -> str:
    """An opaque bookmark of a row's place in the register, for `register_after`."""
    values = [getattr(nc, name) for name in KEYSET[sort]]
    values = [value.isoformat() if isinstance(value, dt.datetime) else value for value in values]
    return base64.urlsafe_b64encode(json.dumps([sort, *values]).encode()).decode().rstrip("=")


def register_after(user, filters: RegisterFilter, cursor: str = "", size: int = 25
                   ) -> tuple[list[Nonconformity], str | None]:
    """One page of the register after `cursor` (keyset pagination), and the cursor of the next page (None at
    the end). As fast at row 100 000 as at row 25: the database seeks into the sort's index instead of
    counting past every row before it. Sorts with nullable keys (due date) have no keyset: a ValidationError
    on `cursor` (a 422 from the API).
    An unreadable or foreign cursor starts from the first row, as an old bookmark should.
    """
    if filters.sort not in KEYSET:
        raise ValidationError({"cursor": f"Sort '{filters.sort}' cannot be paged by cursor; use page numbers."})
    rows = register(user, filters)
    try:
        sort, *values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        sort, values = None, []
    names = KEYSET[filters.sort]
    if sort == filters.sort and len(values) == len(names):
        if names[0] == "reported_at":
            values[0] = dt.datetime.fromisoformat(values[0])
        after = "lt" if filters.sort.startswith("-") or filters.sort == "newest" else "gt"
        rows = rows.filter(_after(names, values, after))
    page = list(QuerySet.__getitem__(rows, slice(0, size + 1)))
    more = len(page) > size
    return page[:size], register_cursor(page[size - 1], filters.sort) if more else None


def _after(names, values, op: str) -> Q:
    """(a, b) > (x, y) written so the index can seek: a >= x AND (a > x OR b > y)."""
    if len(names) == 1:
        return Q(**{f"{names[0]}__{op}": values[0]})
    first, second = names
    return Q(**{f"{first}__{op}e": values[0]}) & (Q(**{f"{first}__{op}": values[0]})
                                                   | Q(**{f"{second}__{op}": values[1]}))


def register_owners(user) -> QuerySet:
    """People who own a record this user may see: the register's owner filter. One probe of the owner index
    per person, rather than a DISTINCT over every row of the register."""
    owns = Exists(nonconformities_visible_to(user).filter(owner=OuterRef("pk")))
    return get_user_model().objects.filter(owns, is_active=True).order_by("first_name", "last_name", "username")


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
