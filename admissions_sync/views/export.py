"""« Remontée vers Parcoursup » (the guide: the end-of-day report of the administrative
registrations): the day's lines on a page, and the file Parcoursup imports."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from admissions_sync.documents import report_csv, report_filename
from admissions_sync.forms.export import ReportForm, today_in_paris
from admissions_sync.selectors import applicants as applicant_selectors
from admissions_sync.selectors.export import report_lines
from registrar.downloads import file_response

export_parcoursup = permission_required("admissions_sync.export_parcoursup", raise_exception=True)


def _form(request: HttpRequest) -> ReportForm:
    data = request.GET.copy()
    if not data.get("jour"):
        data["jour"] = f"{today_in_paris():%d/%m/%Y}"
    return ReportForm(data, formations=applicant_selectors.formations())


def _download_url(day, formation) -> str:
    query = {"jour": f"{day:%d/%m/%Y}"}
    if formation is not None:
        query["formation"] = formation.pk
    return f"{reverse('admissions_sync:export_download')}?{urlencode(query)}"


@require_GET
@export_parcoursup
def export_report(request: HttpRequest) -> HttpResponse:
    """The lines of one day's report (all formations or one) and « Télécharger le fichier »."""
    form = _form(request)
    context = {"nav_active": "admissions_export", "form": form, "lines": None}
    if form.is_valid():
        day, formation = form.cleaned_data["jour"], form.cleaned_data["formation"]
        context.update(
            lines=report_lines(day, formation),
            day=day,
            formation=formation,
            download_url=_download_url(day, formation),
            filename=report_filename(day, formation),
        )
    return render(request, "admissions_sync/export/report.html", context)


@require_GET
@export_parcoursup
def export_download(request: HttpRequest) -> HttpResponse:
    """The day's report as Parcoursup imports it (CSV, admissions_sync/documents.py); a bad
    day or formation shows the page with the error at its field."""
    form = _form(request)
    if not form.is_valid():
        return render(
            request,
            "admissions_sync/export/report.html",
            {"nav_active": "admissions_export", "form": form, "lines": None},
            status=400,
        )
    day, formation = form.cleaned_data["jour"], form.cleaned_data["formation"]
    content = report_csv(report_lines(day, formation))
    return file_response(content, filename=report_filename(day, formation), kind="csv")
