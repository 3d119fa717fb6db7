"""The « File d'impression » (the guide's step 6–7): the reports of the sends for receivers
that do not use the system, their preview, « Envoyer un courriel » and « Livré »; and the
contact window that completes a contact person's e-mail and phone.

Thin views (docs/architecture.md): reads through placements.selectors.print_queue (scope:
another program's report answers 404), writes through placements.services.print_queue.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from placements import documents, emails
from placements.forms.print_queue import ContactForm, PrintQueueFilterForm, ReportEmailForm
from placements.models import Contact, PrintReport
from placements.selectors import print_queue as selectors
from placements.selectors import scope
from placements.services import print_queue as services
from placements.services.print_queue import contact_update as contact_update_service
from placements.services.print_queue import report_mark_delivered, report_send_email
from registrar.downloads import CONTENT_TYPES, file_response
from registrar.exports import MAX_EXPORT_ROWS, ExportTooLarge
from registrar.forms import apply_service
from registrar.services.mail import EmailNotSent
from registrar.text import parse_id
from registrar.views import show_refusal


def _ready(user, pk: int) -> PrintReport:
    """The report of ``user``'s programs if it is READY with a file; 404 otherwise."""
    report = selectors.ready_report_for(user, pk)
    if report.status != PrintReport.Status.READY or not report.file:
        raise Http404("report not ready")
    return report


@require_GET
@login_required
@permission_required("placements.view_placementrequest", raise_exception=True)
def report_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's PDF shown in the browser (« Prévisualiser »), under its non-guessable
    name; 404 for another program's report or one that is not « Prêt »."""
    report = _ready(request.user, pk)
    try:
        with report.file.open("rb") as stored:
            content = stored.read()
    except OSError as error:
        raise Http404("report file missing") from error
    response = HttpResponse(content, content_type=CONTENT_TYPES["pdf"])
    response["Content-Disposition"] = content_disposition_header(False, report.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


PER_PAGE = 50
view_requests = permission_required("placements.view_placementrequest", raise_exception=True)
change_requests = permission_required("placements.change_placementrequest", raise_exception=True)


def _context(**extra) -> dict:
    return {"nav_active": "placement_print_queue", **extra}


@require_GET
@login_required
@view_requests
def print_queue(request: HttpRequest) -> HttpResponse:
    """« File d'impression »: the reports of the user's programs' sends, « À livrer » by
    default (« Livrés », « Tous »), 50 a page, newest first; ?_export=xlsx for the whole
    filtered list. Four queries whatever the number of rows."""
    filters = PrintQueueFilterForm(request.GET or None)
    which = filters.which()
    reports = selectors.queue_for(request.user, which)
    if request.GET.get("_export") == "xlsx":
        count = reports.count()
        if count > MAX_EXPORT_ROWS:
            messages.error(request, str(ExportTooLarge(count)))
            return redirect(f"{reverse('placements:print_queue')}?livraison={which}")
        name = f"file-impression-{datetime.date.today():%Y-%m-%d}.xlsx"
        return file_response(documents.print_queue_xlsx(reports), filename=name, kind="xlsx")
    page = Paginator(reports, PER_PAGE).get_page(parse_id(request.GET.get("page", "")) or 1)
    return render(
        request,
        "placements/print_queue/queue.html",
        _context(filters=filters, which=which, page=page, reports=page.object_list),
    )


@require_POST
@login_required
@change_requests
def report_delivered(request: HttpRequest, pk: int) -> HttpResponse:
    """« Livré »: the report marked delivered now, by the user (a second click changes
    nothing); a report that is not « Prêt » is refused with a message."""
    report = selectors.ready_report_for(request.user, pk)
    try:
        report_mark_delivered(actor=request.user, report=report)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request, _("Rapport %(name)s marqué comme livré.") % {"name": report.filename}
        )
    return redirect(_back_to_queue(request))


@require_POST
@login_required
@change_requests
def report_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """« Refaire le PDF » of a failed report: its send's job runs again."""
    report = get_object_or_404(scope.reports_visible_to(request.user), pk=pk)
    try:
        services.report_retry(actor=request.user, report=report)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request,
            _("Le PDF du rapport %(name)s est en cours de préparation.")
            % {"name": report.filename},
        )
    return redirect(_back_to_queue(request))


def _back_to_queue(request: HttpRequest) -> str:
    queue = reverse("placements:print_queue")
    which = request.POST.get("livraison", "")
    if which in selectors.FILTERS:
        return f"{queue}?livraison={which}"
    return queue


@require_http_methods(["GET", "POST"])
@login_required
@change_requests
def report_email(request: HttpRequest, pk: int) -> HttpResponse:
    """« Envoyer un courriel » for one « Prêt » report (404 otherwise): « À » proposed with
    the nearest contact person who has an e-mail; the report's PDF attached automatically;
    on success the report is listed with the e-mail and, if asked, marked « Livré »."""
    report = _ready(request.user, pk)
    contacts = selectors.report_contacts(report)
    if request.method == "POST":
        form = ReportEmailForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                report_send_email(
                    actor=request.user,
                    report=report,
                    to=form.recipients(),
                    cc=data["cc"],
                    subject=data["subject"],
                    message=data["message"],
                    files=data["files"],
                    copy_to_me=data["copy_to_me"],
                    mark_delivered=data["mark_delivered"],
                )
            except ValidationError as exc:
                _refusal_on_form(form, exc)
            except EmailNotSent as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Le rapport %(name)s a été envoyé à %(to)s.")
                    % {"name": report.filename, "to": ", ".join(form.recipients())},
                )
                return redirect("placements:print_queue")
    else:
        form = ReportEmailForm(initial=_initial(report, contacts))
    return render(
        request,
        "placements/print_queue/email.html",
        _context(
            form=form,
            report=report,
            contacts=contacts,
            requests=list(report.requests.order_by("pk")),
            back=request.get_full_path(),
        ),
    )


FIELD_OF = {"attachments": "files"}


def _refusal_on_form(form: ReportEmailForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            field = FIELD_OF.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _initial(report: PrintReport, contacts) -> dict:
    with_email = [contact for contact in contacts if contact.email]
    return {
        "to": with_email[0].email if with_email else "",
        "subject": emails.report_subject(report),
        "message": emails.report_message(report),
        "mark_delivered": True,
    }


def _safe_next(request: HttpRequest, target: str) -> str | None:
    """``target`` when it is a path of this site, else None (registrar.views.shell's rule)."""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("placements.change_contact", raise_exception=True)
def contact_update(request: HttpRequest, pk: int) -> HttpResponse:
    """The contact window: a contact person's name, role, e-mail and phone; back to
    ``?next=`` (a path of this site) or to the agency's page."""
    contact = get_object_or_404(Contact.objects.select_related("agency", "site", "service"), pk=pk)
    source = request.POST if request.method == "POST" else request.GET
    back = _safe_next(request, source.get("next", "")) or reverse(
        "placements:agency_detail", args=[contact.agency_id]
    )
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            outcome = apply_service(
                form,
                lambda: contact_update_service(
                    actor=request.user,
                    contact=contact,
                    name=data["name"],
                    role=data["role"],
                    email=data["email"],
                    phone=data["phone"],
                ),
            )
            if outcome:
                messages.success(
                    request,
                    _("Personne-ressource « %(name)s » mise à jour.") % {"name": data["name"]},
                )
                return redirect(back)
    else:
        form = ContactForm(
            initial={
                "name": contact.name,
                "role": contact.role,
                "email": contact.email,
                "phone": contact.phone,
                "next": back,
            }
        )
    return render(
        request,
        "placements/print_queue/contact.html",
        _context(form=form, contact=contact, back=back),
    )
