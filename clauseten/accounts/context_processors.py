from django.urls import reverse

from .roles import Role


def _everyone(user) -> bool:
    return True


def _nav():
    # Imported late: the apps' permission modules import models, which are not ready when settings load.
    from clauseten.events.permissions import can_verify
    from clauseten.notifications.permissions import can_manage_webhooks
    from clauseten.reports.evidence_pack import can_request_pack
    from clauseten.reports.insight_permissions import can_see_insight

    # The main menu beyond Register and My work: (label, url name, who sees the link). Each page checks its
    # permission again; the menu asks the same function so it never offers a link that would answer 403.
    return [
        ("Improvements", "improvements:register", _everyone),
        ("Audits", "improvements:audits", _everyone),
        ("Reviews", "improvements:reviews", _everyone),
        ("Change log", "improvements:changes", _everyone),
        ("Catalogue", "catalog:browse", _everyone),
        ("Dashboard", "reports:dashboard", can_see_insight),
        ("Review pack", "reports:review_pack", can_see_insight),
        ("Evidence pack", "reports:evidence_pack", can_request_pack),
        ("Verify history", "events:verify", can_verify),
        ("Webhooks", "notifications:webhooks", can_manage_webhooks),
    ]


def roles(request):
    user = request.user
    if not user.is_authenticated:
        return {"user_roles": frozenset(), "Role": Role, "nav_items": []}
    nav_items = [{"label": label, "url": reverse(name)} for label, name, allowed in _nav() if allowed(user)]
    return {"user_roles": user.roles, "Role": Role, "nav_items": nav_items}
