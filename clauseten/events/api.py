from django.core.exceptions import PermissionDenied
from ninja import Router, Schema

from . import permissions
from .services import chain_head, verify_chain

router = Router(tags=["events"])


class ChainOut(Schema):
    count: int
    intact: bool
    problem: str
    seq: int | None
    summary: str
    head_seq: int
    head_hash: str


@router.get("/verify", response=ChainOut, summary="Check the history's hash chain (admins and auditors)")
def verify(request):
    if not permissions.can_verify(request.user):
        raise PermissionDenied("Only admins and auditors check the history.")
    head_seq, head_hash = chain_head()
    return {**verify_chain().as_dict(), "head_seq": head_seq, "head_hash": head_hash}
