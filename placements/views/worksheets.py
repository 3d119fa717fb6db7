"""The worksheets (« fiche de groupe », « fiche de stage individuel »; the guide's steps 4
and 5): the places with their tally, the checkbox « Action » menu to the outbox, « Modifier »
(add a place, search a destination), « Copier », « Supprimer », and the copy of last time's
requests. Views are thin: writes go through placements/services/worksheets.py."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from placements import documents
from placements.forms.worksheets import (
    ACTION_SEND,
    NONE_TICKED,
    DestinationPlacesForm,
    DestinationSearchForm,
    PlaceForm,
    PlacesActionForm,
    WorksheetCopyForm,
)
from placements.models import Destination, PlacementRequest, Worksheet
from placements.selectors import cohorts as cohort_selectors
from placements.selectors import scope
from placements.selectors import worksheets as selectors
from placements.services import worksheets as services
from registrar.downloads import file_response
from registrar.forms import apply_service
from registrar.views import show_refusal

Status = PlacementRequest.Status


def _context(cohort_course, kind: str, **extra) -> dict:
    return {
        "nav_active": "placements",
        "cohort_course": cohort_course,
        "kind": kind,
        "kind_label": Worksheet.Kind(kind).label,
        "is_group": kind == Worksheet.Kind.GROUP,
        "current": kind,
        **extra,
    }


def _back(cohort_course, kind: str):
    return redirect("placements:worksheet", cohort_course.pk, kind)


NOTHING_TO_SEND = gettext_lazy(
    "Aucune des places cochées n'est « Nouvelle » dans la boîte de sortie : rien à envoyer."
)


def _copy_and_send(request: HttpRequest, cohort_course, kind: str, sheet, places):
    """« Envoyer les demandes aux organismes receveurs » (the guide's step 5): the ticked
    planned places are copied to the outbox, then the ticked « Nouvelle » requests go to
    « Envoyer »'s options (placements/views/sending.py), where they are sent at once."""
    planned = [place for place in places if place.status == PlacementRequest.Status.PLANNED]
    if planned:
        try:
            count = services.worksheet_copy_to_outbox(
                actor=request.user, worksheet=sheet, requests=planned
            )
        except ValidationError as exc:
            show_refusal(request, exc)
            return _back(cohort_course, kind)
        messages.success(
            request,
            ngettext(
                "%(count)s demande copiée à la boîte de sortie : choisissez les options d'envoi.",
                "%(count)s demandes copiées à la boîte de sortie : choisissez les options d'envoi.",
                count,
            )
            % {"count": count},
        )
    ready = list(
        sheet.requests.filter(
            pk__in=[place.pk for place in places], status=PlacementRequest.Status.NEW
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ready:
        messages.error(request, NOTHING_TO_SEND)
        return _back(cohort_course, kind)
    query = urlencode([("ids", pk) for pk in ready])
    return redirect(f"{reverse('placements:outbox_send', args=[cohort_course.pk])}?{query}")


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("placements.view_worksheet", raise_exception=True)
def worksheet(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The worksheet's places, the students copied to it and the tally; POST is the checkbox
    « Action » menu (« Copier à la boîte de sortie », « Envoyer les demandes aux organismes
    receveurs »). Reading never creates the worksheet."""
    cohort_course = cohort_selectors.cohort_course_with_progress(request.user, pk)
    sheet = scope.worksheet_of(cohort_course, kind)
    action_form = PlacesActionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("placements.change_placementrequest"):
            raise PermissionDenied
        ids = scope.ids_from(request.POST.getlist("places"))
        if not ids:
            messages.error(request, NONE_TICKED)
        elif not action_form.is_valid():
            messages.error(request, " ".join(action_form.errors["action"]))
        else:
            if sheet is None:
                scope.pick(PlacementRequest.objects.none(), ids)  # any id is forged: 404
            places = scope.pick(sheet.requests.all(), ids)
            if action_form.cleaned_data["action"] == ACTION_SEND:
                return _copy_and_send(request, cohort_course, kind, sheet, places)
            try:
                count = services.worksheet_copy_to_outbox(
                    actor=request.user, worksheet=sheet, requests=places
                )
            except ValidationError as exc:
                show_refusal(request, exc)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s demande copiée à la boîte de sortie.",
                        "%(count)s demandes copiées à la boîte de sortie.",
                        count,
                    )
                    % {"count": count},
                )
                return _back(cohort_course, kind)
    if request.method == "GET" and request.GET.get("_export") == "xlsx":
        data = documents.worksheet_xlsx(
            selectors.worksheet_places(sheet),
            title=str(Worksheet.Kind(kind).label),
            group=kind == Worksheet.Kind.GROUP,
        )
        slug = "fiche-de-groupe" if kind == Worksheet.Kind.GROUP else "fiche-individuelle"
        name = documents.filename(cohort_course, slug)
        return file_response(data, filename=name, kind="xlsx")
    tally = selectors.worksheet_tally(sheet)
    return render(
        request,
        "placements/worksheets/worksheet.html",
        _context(
            cohort_course,
            kind,
            worksheet=sheet,
            places=selectors.for_display(selectors.worksheet_places(sheet)),
            # Once per page rather than per row.
            can_add=request.user.has_perm("placements.add_placementrequest"),
            can_change=request.user.has_perm("placements.change_placementrequest"),
            can_delete=request.user.has_perm("placements.delete_placementrequest"),
            students=selectors.worksheet_students(sheet),
            tally=tally,
            can_copy=tally.scratch == 0 and tally.from_preferences == 0,
            action_form=action_form,
            editing=request.GET.get("modifier") == "1",
        ),
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("placements.add_placementrequest", raise_exception=True)
def place_create(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """« Ajouter une place »: by agency / site / service / destination, N identical ones."""
    cohort_course = cohort_selectors.cohort_course_with_progress(request.user, pk)
    form = PlaceForm(request.POST or None, kind=kind, initial=PlaceForm.initial_for(cohort_course))
    if (
        request.method == "POST"
        and form.is_valid()
        and _create_places(request, form, cohort_course, kind)
    ):
        return _back(cohort_course, kind)
    return render(
        request,
        "placements/worksheets/place_form.html",
        _context(cohort_course, kind, form=form, title=_("Ajouter une place")),
    )


def _create_places(request: HttpRequest, form, cohort_course, kind: str) -> bool:
    """The places a valid place form (by receiver, or by destination) describes, through
    the service; its refusal goes on the form. True once created."""
    outcome = apply_service(
        form,
        lambda: services.place_create(
            actor=request.user,
            cohort_course=cohort_course,
            kind=kind,
            values=form.place_values(),
            count=form.cleaned_data["count"],
        ),
    )
    if outcome:
        count = len(outcome.value)
        messages.success(
            request,
            ngettext("%(count)s place créée.", "%(count)s places créées.", count)
            % {"count": count},
        )
    return bool(outcome)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("placements.add_placementrequest", raise_exception=True)
def destination_search(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Search a destination by name (accents ignored) and add places there in one step:
    agency, site and service come from the destination."""
    cohort_course = cohort_selectors.cohort_course_with_progress(request.user, pk)
    search = DestinationSearchForm(request.GET if "q" in request.GET else None)
    found = selectors.destination_search(search.cleaned_data["q"]) if search.is_valid() else []
    data = request.POST if request.method == "POST" else request.GET
    chosen = None
    if data.get("destination") is not None:
        # A forged or unknown destination id answers 404 (docs/architecture.md rule 1).
        chosen = scope.pick(
            Destination.objects.select_related("service__site__agency"),
            scope.ids_from([data["destination"]]),
        )[0]
    initial = PlaceForm.initial_for(cohort_course)
    if chosen is not None:
        initial["destination"] = chosen.pk
    form = DestinationPlacesForm(request.POST or None, kind=kind, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _create_places(request, form, cohort_course, kind)
    ):
        return _back(cohort_course, kind)
    return render(
        request,
        "placements/worksheets/destination_search.html",
        _context(cohort_course, kind, search=search, found=found, form=form, chosen=chosen),
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("placements.add_placementrequest", raise_exception=True)
def worksheet_copy(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """« Copier les stages demandés / acceptés la dernière fois » from another worksheet of
    the same kind (this course's previous term by default), while no place of this
    worksheet was created from scratch."""
    cohort_course = cohort_selectors.cohort_course_with_progress(request.user, pk)
    sheet = scope.worksheet_of(cohort_course, kind)
    refusal = services.copy_refusal(sheet)
    if refusal is not None:
        messages.error(request, str(refusal))
        return _back(cohort_course, kind)
    sources = selectors.copy_sources(request.user, cohort_course, kind)
    source_list = list(sources)
    default = selectors.default_copy_source(source_list, cohort_course)
    initial = {"mode": request.GET.get("mode", "all")}
    if default is not None:
        initial["source"] = default.pk
    form = WorksheetCopyForm(request.POST or None, sources=sources, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = apply_service(
            form,
            lambda: services.worksheet_copy_requests(
                actor=request.user,
                target_cohort_course=cohort_course,
                kind=kind,
                source=data["source"],
                accepted_only=data["mode"] == "accepted",
                schedule_from=data["schedule_from"],
            ),
        )
        if outcome:
            messages.success(
                request,
                ngettext(
                    "%(count)s stage copié dans la fiche.",
                    "%(count)s stages copiés dans la fiche.",
                    outcome.value,
                )
                % {"count": outcome.value},
            )
            return _back(cohort_course, kind)
    return render(
        request,
        "placements/worksheets/worksheet_copy.html",
        _context(
            cohort_course, kind, form=form, default_source=default, has_sources=bool(source_list)
        ),
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("placements.change_placementrequest", raise_exception=True)
def place_update(request: HttpRequest, pk: int) -> HttpResponse:
    """« Modifier » a place still planned or « Nouvelle »; a sent request is read-only."""
    place, cohort_course = cohort_selectors.request_with_course(request.user, pk)
    kind = place.worksheet.kind
    if place.status not in (Status.PLANNED, Status.NEW):
        messages.error(request, str(services.NOT_EDITABLE) % {"number": place.pk})
        return redirect("placements:request_detail", place.pk)
    form = PlaceForm(
        request.POST or None,
        kind=kind,
        with_count=False,
        instance=place,
        initial=PlaceForm.initial_of(place),
    )
    if request.method == "POST" and form.is_valid():
        outcome = apply_service(
            form,
            lambda: services.place_update(
                actor=request.user, request=place, values=form.place_values()
            ),
        )
        if outcome:
            messages.success(request, _("Demande %(number)s modifiée.") % {"number": place.pk})
            return _back(cohort_course, kind)
    return render(
        request,
        "placements/worksheets/place_form.html",
        _context(
            cohort_course,
            kind,
            form=form,
            place=place,
            title=_("Modifier la demande %(number)s") % {"number": place.pk},
        ),
    )


@require_POST
@login_required
@permission_required("placements.add_placementrequest", raise_exception=True)
def place_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """« Copier » an entry: a similar planned place, to change with « Modifier »."""
    place, cohort_course = cohort_selectors.request_with_course(request.user, pk)
    copy = services.place_copy(actor=request.user, request=place)
    messages.success(
        request,
        _("Demande %(number)s copiée : la nouvelle place porte le numéro %(copy)s.")
        % {"number": place.pk, "copy": copy.pk},
    )
    return _back(cohort_course, place.worksheet.kind)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("placements.delete_placementrequest", raise_exception=True)
def place_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """« Supprimer » a planned place: a confirmation page, then the deletion."""
    place, cohort_course = cohort_selectors.request_with_course(request.user, pk)
    kind = place.worksheet.kind
    if place.status != Status.PLANNED:
        messages.error(request, str(services.NOT_DELETABLE) % {"number": place.pk})
        return _back(cohort_course, kind)
    if request.method == "POST":
        try:
            services.place_delete(actor=request.user, request=place)
        except ValidationError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, _("Place %(number)s supprimée.") % {"number": pk})
        return _back(cohort_course, kind)
    return render(
        request,
        "placements/worksheets/place_delete.html",
        _context(cohort_course, kind, place=place),
    )
