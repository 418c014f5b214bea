"""Writes about people: roles and API tokens."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clauseten.events import services as events

from .models import ApiToken, User
from .roles import Role


@transaction.atomic
def user_create(*, username: str, password: str | None = None, email: str = "", first_name: str = "",
                last_name: str = "", roles: list[str] | tuple[str, ...] = (), actor: User | None = None) -> User:
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    if Role.ADMIN in roles:
        user.is_staff = True
    user.save()
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=Role(role).value)[0])
    events.record(actor=actor, subject=user, verb="user.created", after={"username": username, "roles": sorted(roles)})
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Return the token and its secret; the secret is never stored and cannot be shown again."""
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(user=user, name=name, prefix=secret[:10], digest=ApiToken.digest_of(secret))
    events.record(actor=user, subject=token, verb="api_token.created", after={"name": name, "prefix": token.prefix})
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        events.record(actor=user, subject=token, verb="api_token.revoked", before={"name": token.name})
    return token


def api_token_authenticate(secret: str) -> User | None:
    # One row per group the person is in (or one with None): the token, its person and their roles in one query.
    rows = list(
        ApiToken.objects.select_related("user").annotate(group_name=F("user__groups__name"))
        .filter(digest=ApiToken.digest_of(secret), revoked_at__isnull=True, user__is_active=True)
    )
    if not rows:
        return None
    token = rows[0]
    token.user.remember_roles({row.group_name for row in rows if row.group_name})
    # Touch at most once a minute so a busy integration does not write on every call.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def user_set_digest(*, user: User, digest: str) -> User:
    """How a person wants reminders: each at once, or a daily or weekly digest."""
    before = user.digest
    if digest not in User.Digest.values:
        from django.core.exceptions import ValidationError

        raise ValidationError({"digest": "Choose immediate, daily or weekly."})
    if digest != before:
        User.objects.filter(pk=user.pk).update(digest=digest)
        user.digest = digest
        events.record(actor=user, subject=user, verb="user.digest_changed", before={"digest": before},
                      after={"digest": digest})
    return user
