"""Django admin for the admin role: people and their roles. Changes are written to the history too."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction

from clauseten.events import services as events

from .models import ApiToken, User

AUDITED_FIELDS = ("username", "email", "first_name", "last_name", "is_active", "is_staff", "is_superuser")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active", "role_names")
    list_filter = ("groups", "is_active")
    fieldsets = DjangoUserAdmin.fieldsets + (("Reminders", {"fields": ("digest",)}),)

    @admin.display(description="roles")
    def role_names(self, user):
        return ", ".join(sorted(user.roles))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = {f: form.initial.get(f) for f in AUDITED_FIELDS} if change else {}
            super().save_model(request, obj, form, change)
            events.record(actor=request.user, subject=obj, verb="user.changed" if change else "user.created",
                          before=before, after={f: getattr(obj, f) for f in AUDITED_FIELDS})

    def save_related(self, request, form, formsets, change):
        with transaction.atomic():
            before = sorted(form.instance.groups.values_list("name", flat=True))
            super().save_related(request, form, formsets, change)
            after = sorted(form.instance.groups.values_list("name", flat=True))
            if before != after:
                events.record(actor=request.user, subject=form.instance, verb="user.roles_changed",
                              before={"roles": before}, after={"roles": after})


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "digest", "created_at", "last_used_at", "revoked_at")

    def has_add_permission(self, request):
        return False  # tokens are created by their owner, who alone sees the secret

    def has_delete_permission(self, request, obj=None):
        return False
