"""The insight endpoints of the API: the same figures, files and documents as the pages, by token or session."""

from dataclasses import asdict

from ninja import Router

from . import insight_views as views
from . import metrics
from .insight_permissions import require_insight

router = Router(tags=["insight"])


@router.get("/dashboard", summary="The dashboard's figures for a management system and period")
def dashboard(request):
    """Query string: `management_system` (id), `from`, `to` (ISO dates; default the last 12 months)."""
    require_insight(request.user)
    figures = metrics.figures(metrics.InsightFilter.from_query(request.GET))
    body = asdict(figures)
    body["signals"] = [{**asdict(signal), "text": str(signal)} for signal in figures.signals]
    for name in ("effectiveness", "recurrence"):
        body[name]["percent"] = getattr(figures, name).percent
    return body


@router.get("/review-pack.pdf", summary="The management review pack as PDF")
def review_pack_pdf(request):
    require_insight(request.user)
    return views.pack_pdf_response(request, metrics.InsightFilter.from_query(request.GET))


@router.get("/export/register.csv", summary="The register as CSV, with the register's filters")
def register_csv(request):
    return views.register_csv_response(request)


@router.get("/export/register.xlsx", summary="The register as XLSX, with the register's filters")
def register_xlsx(request):
    return views.register_xlsx_response(request)


@router.get("/oscal/poam.json", summary="Open nonconformities as an OSCAL 1.2.1 Plan of Action and Milestones")
def oscal_poam(request):
    return views.poam_response(request)
