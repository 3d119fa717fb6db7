"""The receiving agencies (« organismes receveurs »): their list, one agency's sites,
services, destinations and contact persons, and « Importer des organismes »."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from placements.forms.agencies import AgencyFilterForm, AgencyImportForm
from placements.imports import agencies as agencies_reader
from placements.selectors import agencies as selectors
from placements.services.agencies import agencies_import
from registrar.downloads import file_response
from registrar.forms import apply_service
from registrar.text import parse_id

PER_PAGE = 25
view_agencies = permission_required("placements.view_agency", raise_exception=True)
add_agencies = permission_required("placements.add_agency", raise_exception=True)


def _context(**extra) -> dict:
    return {"nav_active": "placement_agencies", **extra}


@require_GET
@login_required
@view_agencies
def agency_list(request: HttpRequest) -> HttpResponse:
    """« Organismes receveurs »: name, sites and services counted, « Utilise le système »,
    active; filtered by name and by « Utilise le système »; 25 a page, three queries."""
    form = AgencyFilterForm(request.GET or None)
    agencies = selectors.agencies_listed(**form.filters())
    # A page number in other digits (« ١ ») or past the end shows the first or last page.
    page = Paginator(agencies, PER_PAGE).get_page(parse_id(request.GET.get("page", "")) or 1)
    return render(
        request,
        "placements/agencies/agency_list.html",
        _context(form=form, page=page, agencies=page.object_list),
    )


@require_GET
@login_required
@view_agencies
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One agency: its address, contact persons, and its sites → services → destinations."""
    return render(
        request,
        "placements/agencies/agency_detail.html",
        _context(tree=selectors.agency_tree(pk)),
    )


@require_http_methods(["GET", "POST"])
@login_required
@add_agencies
def agency_import(request: HttpRequest) -> HttpResponse:
    """« Importer des organismes »: the whole file is checked first; every problem is shown
    as « Ligne N : message » and nothing is written until the file is clean
    (docs/architecture.md rule 1)."""
    form = AgencyImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            read = agencies_reader.read_agencies(form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            errors = read.errors
            if not errors:
                outcome = apply_service(
                    form, lambda: agencies_import(actor=request.user, rows=read.lines)
                )
                if outcome:
                    result = outcome.value
                    messages.success(request, _summary(result))
                    return redirect("placements:agency_list")
    return render(
        request,
        "placements/agencies/agency_import.html",
        _context(form=form, errors=errors),
    )


def _summary(result) -> str:
    labels = (
        ("agency", _("organismes")),
        ("site", _("sites")),
        ("service", _("services")),
        ("destination", _("destinations")),
        ("contact", _("personnes-ressources")),
    )
    parts = [
        _("%(label)s : %(created)s créé(s), %(updated)s mis à jour")
        % {"label": label, "created": result.created[key], "updated": result.updated[key]}
        for key, label in labels
        if result.created[key] or result.updated[key]
    ]
    return _("Import terminé. %(details)s.") % {"details": " ; ".join(parts) or _("rien à changer")}


@require_GET
@login_required
@add_agencies
def agency_import_template(request: HttpRequest, extension: str) -> HttpResponse:
    """The import template, .xlsx or .ods; another extension answers 404."""
    if extension not in ("xlsx", "ods"):
        raise Http404("no such template")
    if extension == "ods":
        return file_response(
            agencies_reader.template_ods(), filename="modele-import-organismes.ods", kind="ods"
        )
    return file_response(
        agencies_reader.template_xlsx(), filename="modele-import-organismes.xlsx", kind="xlsx"
    )
