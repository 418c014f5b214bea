"""Pages of the insight half of reports: dashboard, management review pack (HTML and PDF), register exports,
OSCAL POA&M. Access is decided by insight_permissions (pages) and the register's own policy (exports).
"""

import json

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from clauseten.catalog.models import ManagementSystem
from clauseten.nonconformities import selectors

from . import exports, oscal, review_pack, trends
from .insight_permissions import require_insight
from .metrics import InsightFilter

PACK_TEMPLATE = "reports/insight/review_pack.html"


def _page(request, filters: InsightFilter, **context) -> dict:
    return {"filters": filters, "systems": ManagementSystem.objects.all(), "rule": trends.RULE,
            "query": "&".join(f"{k}={v}" for k, v in filters.as_query().items()), **context}


@login_required
def dashboard(request):
    require_insight(request.user)
    filters = InsightFilter.from_query(request.GET)
    figures = review_pack.metrics.figures(filters)
    return render(request, "reports/insight/dashboard.html",
                  _page(request, filters, figures=figures, charts=review_pack.figure_charts(figures),
                        signals=figures.signals))


@login_required
def pack(request):
    require_insight(request.user)
    filters = InsightFilter.from_query(request.GET)
    return render(request, PACK_TEMPLATE, _page(request, filters, **review_pack.pack_context(filters)))


def pack_pdf_response(request, filters: InsightFilter) -> HttpResponse:
    html = render_to_string(PACK_TEMPLATE, _page(request, filters, printing=True,
                                                 **review_pack.pack_context(filters)), request=request)
    response = HttpResponse(review_pack.render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = (f'attachment; filename="management-review-pack-{filters.start}'
                                       f'-to-{filters.end}.pdf"')
    return response


@login_required
def pack_pdf(request):
    require_insight(request.user)
    return pack_pdf_response(request, InsightFilter.from_query(request.GET))


def register_csv_response(request) -> StreamingHttpResponse:
    rows = selectors.register(request.user, selectors.RegisterFilter.from_query(request.GET))
    response = StreamingHttpResponse(exports.csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename("csv")}"'
    return response


def register_xlsx_response(request) -> FileResponse:
    rows = selectors.register(request.user, selectors.RegisterFilter.from_query(request.GET))
    return FileResponse(exports.xlsx_file(rows), as_attachment=True, filename=exports.filename("xlsx"),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def poam_response(request) -> HttpResponse:
    require_insight(request.user)
    filters = InsightFilter.from_query(request.GET)
    document = oscal.build_poam(filters.management_system)
    response = HttpResponse(json.dumps(document, indent=2, ensure_ascii=False),
                            content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="clauseten-poam-{stamp}.json"'
    return response


register_csv = login_required(register_csv_response)
register_xlsx = login_required(register_xlsx_response)
poam = login_required(poam_response)
