import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from .roles import READ_ONLY, SEES_EVERYTHING, Role


class User(AbstractUser):
    """A person in scope. Roles are Django groups named after `Role`."""

    class Digest(models.TextChoices):
        IMMEDIATE = "immediate", "Immediately"
        DAILY = "daily", "Daily digest"
        WEEKLY = "weekly", "Weekly digest"

    digest = models.CharField(max_length=10, choices=Digest.choices, default=Digest.IMMEDIATE)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def roles(self) -> frozenset[str]:
        # Cached on the instance: a page asks many times, the groups do not change within a request.
        if not hasattr(self, "_roles"):
            self.remember_roles({group.name for group in self.groups.all()} if self.pk else set())
        return self._roles

    def remember_roles(self, group_names: set[str]) -> None:
        """Roles from group names read along with this person (the API's token lookup does, in one query)."""
        self._roles = frozenset(group_names | {Role.ADMIN} if self.is_superuser else group_names)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def sees_everything(self) -> bool:
        return bool(self.roles & SEES_EVERYTHING)

    @property
    def is_read_only(self) -> bool:
        return bool(self.roles) and self.roles <= READ_ONLY


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the secret is shown once, at creation."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise the token in lists.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @staticmethod
    def new_secret() -> str:
        return "ct_" + secrets.token_urlsafe(32)
