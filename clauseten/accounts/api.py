"""/api/v1/me: who the caller is, as the API sees them (session or personal token)."""

from ninja import Router, Schema

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    name: str
    email: str
    roles: list[str]
    sees_everything: bool
    read_only: bool


@router.get("/me", response=MeOut, summary="The signed-in user and their roles")
def me(request):
    user = request.user
    return {"username": user.username, "name": user.get_full_name() or user.username, "email": user.email,
            "roles": sorted(user.roles), "sees_everything": user.sees_everything, "read_only": user.is_read_only}
