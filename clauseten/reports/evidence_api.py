"""API of the evidence pack. Building happens in the background: ask, poll the status, download."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from .evidence_pack import PackFilter, can_request_pack, evidence_pack_request, fresh_pack, packs_of
from .evidence_views import download_response
from .models import EvidencePack

router = Router(tags=["evidence"])


class EvidencePackOut(Schema):
    id: int
    status: str
    filters: dict
    requested_at: str
    nc_count: int
    size: int
    sha256: str
    chain_seq: int | None
    chain_intact: bool | None
    error: str
    status_url: str
    download_url: str | None


def pack_out(pack: EvidencePack) -> dict:
    ready = pack.status == EvidencePack.Status.READY
    return {"id": pack.pk, "status": pack.status, "filters": pack.filters, "requested_at": pack.requested_at.isoformat(),
            "nc_count": pack.nc_count, "size": pack.size, "sha256": pack.sha256, "chain_seq": pack.chain_seq,
            "chain_intact": pack.chain_intact, "error": pack.error,
            "status_url": f"/api/v1/reports/evidence-packs/{pack.pk}",
            "download_url": f"/api/v1/reports/evidence-packs/{pack.pk}/zip" if ready else None}


def _require(user) -> None:
    if not can_request_pack(user):
        raise PermissionDenied("Evidence packs are for auditors, managers and admins.")


@router.get("/evidence-pack", response={200: None, 202: EvidencePackOut},
            summary="The evidence pack for a filter: the ZIP if a fresh one is ready, else 202 while it builds")
def evidence_pack(request, reported_from: str = "", reported_to: str = "", management_system: str = "",
                  state: list[str] | None = None):
    """Query: reported_from, reported_to (YYYY-MM-DD, on the reported date), management_system (id), state (repeat).

    Answers the ZIP (200) when a pack with the same filters is ready and nothing has been recorded since;
    otherwise starts building one (or finds the one building) and answers 202 with its status URL to poll.
    """
    _require(request.user)
    filters = PackFilter.from_query(request.GET)
    pack = fresh_pack(request.user, filters) or evidence_pack_request(actor=request.user, filters=filters)
    if pack.status == EvidencePack.Status.READY:
        return download_response(request.user, pack.pk)
    return 202, pack_out(pack)


@router.get("/evidence-packs", response=list[EvidencePackOut], summary="Your evidence packs, newest first")
def evidence_packs(request):
    _require(request.user)
    return [pack_out(pack) for pack in packs_of(request.user)[:50]]


@router.get("/evidence-packs/{pack_id}", response=EvidencePackOut, summary="Status of one of your evidence packs")
def evidence_pack_status(request, pack_id: int):
    _require(request.user)
    return pack_out(get_object_or_404(packs_of(request.user), pk=pack_id))


@router.get("/evidence-packs/{pack_id}/zip", response={200: None}, summary="Download a ready evidence pack")
def evidence_pack_zip(request, pack_id: int):
    _require(request.user)
    return download_response(request.user, pack_id)
