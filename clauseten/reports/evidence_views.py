"""Pages of the evidence pack: ask for one, watch it build (htmx polls the list), download it."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from clauseten.catalog.models import ManagementSystem
from clauseten.nonconformities.models import State

from .evidence_pack import PackFilter, can_request_pack, evidence_pack_request, packs_of
from .models import EvidencePack


def _require_pack_role(user) -> None:
    if not can_request_pack(user):
        raise PermissionDenied("Evidence packs are for auditors, managers and admins.")


def _packs_context(user) -> dict:
    packs = list(packs_of(user)[:20])
    for pack in packs:
        pack.description = PackFilter.from_json(pack.filters).describe()
    return {"packs": packs, "building": any(p.status == EvidencePack.Status.BUILDING for p in packs)}


@login_required
@require_http_methods(["GET", "POST"])
def evidence_pack_page(request):
    _require_pack_role(request.user)
    errors, values = {}, request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        try:
            pack = evidence_pack_request(actor=request.user, filters=PackFilter.from_query(request.POST))
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            return redirect(f"{request.path}?requested={pack.pk}")
    return render(request, "reports/evidence/pack.html", {
        **_packs_context(request.user), "errors": errors, "values": values,
        "chosen_states": values.getlist("state"), "states": State.choices,
        "systems": ManagementSystem.objects.all(),
    }, status=422 if errors else 200)


@login_required
def evidence_pack_list(request):
    """The htmx partial: the list of the user's packs, polled while one is building."""
    _require_pack_role(request.user)
    return render(request, "reports/evidence/_packs.html", _packs_context(request.user))


def download_response(user, pack_id: int) -> FileResponse:
    """Shared by the page and the API: the ZIP of a ready pack of this user's, else 404."""
    pack = get_object_or_404(packs_of(user), pk=pack_id)
    if pack.status != EvidencePack.Status.READY or not pack.file:
        raise Http404("This pack is not ready.")
    return FileResponse(pack.file.open("rb"), as_attachment=True, content_type="application/zip",
                        filename=f"evidence-pack-{pack.pk}.zip")


@login_required
def evidence_pack_download(request, pack_id: int):
    _require_pack_role(request.user)
    return download_response(request.user, pack_id)
