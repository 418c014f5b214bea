from .roles import Role


def roles(request):
    user = request.user
    if not user.is_authenticated:
        return {"user_roles": frozenset(), "Role": Role}
    return {"user_roles": user.roles, "Role": Role}
