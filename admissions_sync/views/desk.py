"""The registration desk (« chaîne d'inscription », docs/guide/chaine-inscription.md): the
day's dashboard, the search, an applicant's file and its actions. Thin views: a form
parses, admissions_sync.services.desk writes, admissions_sync.selectors.desk reads.
Permission admissions_sync.register_applicants (the admissions officers); 403 otherwise."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from admissions_sync import steps
from admissions_sync.documents.desk import certificate_pdf, receipt_pdf
from admissions_sync.forms.desk import (
    DeskSearchForm,
    DocumentReviewForm,
    PaymentForm,
    ReasonForm,
    ValidateForm,
)
from admissions_sync.forms.preregistration import STEP_FORMS, display_answers
from admissions_sync.models import Applicant, Preregistration, RegistrationEvent
from admissions_sync.selectors import desk as selectors
from admissions_sync.services import desk as services
from admissions_sync.tables.desk import DeskSearchTable
from registrar.downloads import file_response
from registrar.exports import ExportTooLarge, table_xlsx_response
from registrar.forms import apply_service
from registrar.paginators import RequestConfig

# The desk looks for one person: a short page (its rendering is most of the search's time,
# docs/performance.md).
PER_PAGE = 25
NAV = "admissions_desk"

desk_permission = permission_required("admissions_sync.register_applicants", raise_exception=True)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _file_url(applicant: Applicant) -> str:
    return reverse("admissions_sync:desk_file", args=[applicant.pk])


def _warn(request: HttpRequest, outcome: services.Outcome) -> None:
    if outcome.warning:
        messages.warning(request, outcome.warning)


@require_GET
@desk_permission
def desk_dashboard(request: HttpRequest) -> HttpResponse:
    """The Paris day's dashboard by formation, and the search box."""
    return render(
        request,
        "admissions_sync/desk/dashboard.html",
        {
            "nav_active": NAV,
            "dashboard": selectors.dashboard(services.paris_day()),
            "form": DeskSearchForm(),
        },
    )


@require_GET
@desk_permission
def desk_search(request: HttpRequest) -> HttpResponse:
    """?q= number or name with wildcards, ?naissance= JJ/MM/AAAA: the applicants found,
    sortable, paginated, exportable to .xlsx."""
    form = DeskSearchForm(request.GET)
    table = None
    if form.is_searching and form.is_valid():
        rows = selectors.search_rows(form.cleaned_data["q"], form.cleaned_data["naissance"])
        table = DeskSearchTable(rows)
        if request.GET.get("_export") == "xlsx":
            try:
                return table_xlsx_response(
                    table, rows, basename="chaine-recherche", sheet_title=_("Recherche")
                )
            except ExportTooLarge as exc:
                messages.error(request, str(exc))
        RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    elif not form.is_searching:
        form = DeskSearchForm()
    return render(
        request,
        "admissions_sync/desk/search.html",
        {"nav_active": NAV, "form": form, "table": table},
    )


def _file_context(applicant: Applicant, review_forms: dict | None = None) -> dict:
    preregistration = services.has_one(applicant, "preregistration")
    registration = services.has_one(applicant, "registration")
    review_forms = review_forms or {}
    documents = [
        (document, review_forms.get(document.pk) or DocumentReviewForm(prefix=f"doc{document.pk}"))
        for document in selectors.documents_of(preregistration)
    ]
    answers = []
    for step in steps.steps_for(applicant):
        if step.key == steps.IDENTITY:
            continue
        answers.append(
            (
                step,
                display_answers(step.key, steps.answers_of(preregistration, step.key)),
                step.key in STEP_FORMS and step.key != steps.DOCUMENTS,
                preregistration is not None and step.key in (preregistration.open_steps or []),
            )
        )
    events = selectors.events_of(applicant)
    for event in events:
        # A correction's fields by their form labels (« Adresse électronique », not « email »).
        fields = getattr(STEP_FORMS.get(event.step), "base_fields", {})
        event.change_lines = [
            (str(fields[name].label) if name in fields else name, *pair)
            for name, pair in (event.changes or {}).items()
            if isinstance(pair, list) and len(pair) == 2
        ]
    return {
        "nav_active": NAV,
        "applicant": applicant,
        "preregistration": preregistration,
        "registration": registration,
        "payment": selectors.payment_of(registration),
        "answers": answers,
        "documents": documents,
        "identity_errors": [
            event for event in events if event.kind == RegistrationEvent.Kind.ERROR_REPORTED
        ],
        "events": events,
        "link_sendings": selectors.link_sendings_of(applicant),
        "submitted": preregistration is not None
        and preregistration.status == Preregistration.Status.SUBMITTED,
        "reviewable": preregistration is not None
        and preregistration.status != Preregistration.Status.DRAFT
        and (registration is None or registration.validated_at is None),
        "gaps": services.formation_gaps(applicant.formation),
        "missing_documents": services.missing_documents(preregistration) if preregistration else [],
    }


@require_GET
@desk_permission
def desk_file(request: HttpRequest, pk: int) -> HttpResponse:
    """An applicant's registration file."""
    applicant = selectors.applicant_for(pk)
    return render(request, "admissions_sync/desk/file.html", _file_context(applicant))


@require_GET
@desk_permission
def desk_document(request: HttpRequest, pk: int, document: int) -> HttpResponse:
    """The stored file of the applicant's document, inline (another applicant's: 404)."""
    applicant = selectors.applicant_for(pk)
    found = selectors.document_for(applicant, document)
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    extension = found.file.name.rsplit(".", 1)[-1]
    response = FileResponse(
        handle,
        content_type=found.content_type,
        as_attachment=False,
        filename=f"{found.kind}-{applicant.candidate_number}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    if found.content_type != "application/pdf":
        # An image opened in its own tab runs nothing. (A sandboxed PDF would not open in
        # the browser's viewer: a PDF keeps the site's policy.)
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@desk_permission
def desk_document_review(request: HttpRequest, pk: int, document: int) -> HttpResponse:
    """« Accepter » or « Refuser » (with a reason) a document."""
    applicant = selectors.applicant_for(pk)
    found = selectors.document_for(applicant, document)
    form = DocumentReviewForm(request.POST, prefix=f"doc{found.pk}")
    if form.is_valid():
        outcome = apply_service(
            form,
            lambda: services.document_review(
                actor=request.user,
                document=found,
                accepted=form.accepted,
                reason=form.cleaned_data["reason"],
                base_url=_base_url(request),
            ),
        )
        if outcome:
            _warn(request, outcome.value)
            messages.success(
                request,
                _("Pièce acceptée : %(kind)s.") % {"kind": found.get_kind_display()}
                if form.accepted
                else _("Pièce refusée : %(kind)s. Le candidat est prévenu par courriel.")
                % {"kind": found.get_kind_display()},
            )
            return redirect(_file_url(applicant) + f"#document-{found.pk}")
    return render(
        request,
        "admissions_sync/desk/file.html",
        _file_context(applicant, {found.pk: form}),
        status=200,
    )


@require_http_methods(["GET", "POST"])
@desk_permission
def desk_correct(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """« Corriger » a step the applicant typed, with the history of each changed field."""
    applicant = selectors.applicant_for(pk)
    found = steps.step_of(applicant, step)
    if found is None or step not in STEP_FORMS or step == steps.DOCUMENTS:
        raise Http404
    preregistration = services.has_one(applicant, "preregistration")
    answers = steps.answers_of(preregistration, step)
    form_class = STEP_FORMS[step]
    if request.method == "POST":
        form = form_class(request.POST, applicant=applicant, initial=answers or None)
        if form.is_valid():
            outcome = apply_service(
                form,
                lambda: services.preregistration_correct(
                    actor=request.user, applicant=applicant, step=step, answers=form.answers()
                ),
            )
            if outcome:
                if outcome.value:
                    messages.success(
                        request,
                        _("« %(step)s » corrigée : %(count)s champ(s) modifié(s).")
                        % {"step": found.label, "count": len(outcome.value)},
                    )
                else:
                    messages.info(request, _("Aucun changement : rien n'a été enregistré."))
                return redirect(_file_url(applicant) + f"#step-{step}")
    else:
        form = form_class(applicant=applicant, initial=answers or None)
    return render(
        request,
        "admissions_sync/desk/correct.html",
        {"nav_active": NAV, "applicant": applicant, "step": found, "form": form},
    )


def _reason_page(request, applicant, *, template, call, success) -> HttpResponse:
    if request.method == "POST":
        form = ReasonForm(request.POST)
        if form.is_valid():
            outcome = apply_service(form, lambda: call(form.cleaned_data["reason"]))
            if outcome:
                if isinstance(outcome.value, services.Outcome):
                    _warn(request, outcome.value)
                messages.success(request, success)
                return redirect(_file_url(applicant))
    else:
        form = ReasonForm()
    return render(
        request,
        template,
        {
            "nav_active": NAV,
            "applicant": applicant,
            "registration": services.has_one(applicant, "registration"),
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
@desk_permission
def desk_return(request: HttpRequest, pk: int) -> HttpResponse:
    """« Renvoyer au candidat » with a reason: every step reopened, an e-mail sent."""
    applicant = selectors.applicant_for(pk)
    return _reason_page(
        request,
        applicant,
        template="admissions_sync/desk/return.html",
        call=lambda reason: services.preregistration_return(
            actor=request.user, applicant=applicant, reason=reason, base_url=_base_url(request)
        ),
        success=_("Préinscription renvoyée au candidat."),
    )


@require_http_methods(["GET", "POST"])
@desk_permission
def desk_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """« Annuler l'inscription » with a reason (reported to Parcoursup with état 3)."""
    applicant = selectors.applicant_for(pk)
    return _reason_page(
        request,
        applicant,
        template="admissions_sync/desk/cancel.html",
        call=lambda reason: services.registration_cancel(
            actor=request.user, applicant=applicant, reason=reason
        ),
        success=_("Inscription annulée : elle sera remontée à Parcoursup avec l'état 3."),
    )


@require_http_methods(["GET", "POST"])
@desk_permission
def desk_payment(request: HttpRequest, pk: int) -> HttpResponse:
    """The payment: the amount due (with and without the scholarship exemption), the
    method, the reference; then the receipt."""
    applicant = selectors.applicant_for(pk)
    registration = services.has_one(applicant, "registration")
    payment = selectors.payment_of(registration)
    if request.method == "POST" and payment is None:
        form = PaymentForm(request.POST)
        if form.is_valid():
            outcome = apply_service(
                form,
                lambda: services.payment_record(
                    actor=request.user,
                    applicant=applicant,
                    method=form.cleaned_data["method"],
                    scholarship=form.cleaned_data["scholarship"],
                    reference=form.cleaned_data["reference"],
                ),
            )
            if outcome:
                messages.success(
                    request,
                    _("Paiement enregistré : reçu n° %(number)s.")
                    % {"number": outcome.value.receipt_number},
                )
                return redirect("admissions_sync:desk_payment", pk=applicant.pk)
    elif request.method == "POST":
        messages.error(request, _("Le paiement de cette inscription est déjà enregistré."))
        return redirect("admissions_sync:desk_payment", pk=applicant.pk)
    else:
        form = PaymentForm()
    full, full_lines = services.fees_due(applicant.formation, scholarship=False)
    reduced, _reduced_lines = services.fees_due(applicant.formation, scholarship=True)
    return render(
        request,
        "admissions_sync/desk/payment.html",
        {
            "nav_active": NAV,
            "applicant": applicant,
            "payment": payment,
            "form": form,
            "full": full,
            "full_lines": full_lines,
            "reduced": reduced,
            "proof": services.scholarship_proof(applicant),
        },
    )


@require_GET
@desk_permission
def desk_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The « Reçu de paiement » PDF (no payment: 404)."""
    applicant = selectors.applicant_for(pk)
    payment = selectors.payment_of(services.has_one(applicant, "registration"))
    if payment is None:
        raise Http404
    return file_response(
        receipt_pdf(applicant, payment),
        filename=f"recu-{payment.receipt_number}.pdf",
        kind="pdf",
    )


@require_http_methods(["GET", "POST"])
@desk_permission
def desk_validate(request: HttpRequest, pk: int) -> HttpResponse:
    """« Valider l'inscription administrative »: what is missing, the students who may be
    the applicant (to confirm « C'est la même personne »), or a new student."""
    applicant = selectors.applicant_for(pk)
    registration = services.has_one(applicant, "registration")
    validated = registration is not None and registration.validated_at is not None
    matches = [] if validated else selectors.registration_matches(applicant)
    form = ValidateForm(request.POST if request.method == "POST" else None, matches=matches)
    if request.method == "POST" and validated:
        messages.info(request, _("Cette inscription est déjà validée."))
        return redirect(_file_url(applicant))
    if request.method == "POST" and form.is_valid():
        outcome = apply_service(
            form,
            lambda: services.registration_validate(
                actor=request.user,
                applicant=applicant,
                student=form.chosen_student,
                state=form.cleaned_data["state"],
            ),
        )
        if outcome:
            messages.success(
                request,
                _("Inscription validée : %(student)s.") % {"student": outcome.value.student},
            )
            return redirect(_file_url(applicant) + "#validation")
    preregistration = services.has_one(applicant, "preregistration")
    return render(
        request,
        "admissions_sync/desk/validate.html",
        {
            "nav_active": NAV,
            "applicant": applicant,
            "registration": registration,
            "validated": validated,
            "form": form,
            "matches": matches,
            "submitted": preregistration is not None
            and preregistration.status == Preregistration.Status.SUBMITTED,
            "missing_documents": services.missing_documents(preregistration)
            if preregistration
            else [],
            "payment": selectors.payment_of(registration),
            "gaps": services.formation_gaps(applicant.formation),
        },
    )


@require_GET
@desk_permission
def desk_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The « Certificat de scolarité » PDF of a validated registration (else 404)."""
    applicant = selectors.applicant_for(pk)
    registration = services.has_one(applicant, "registration")
    if registration is None or registration.validated_at is None or registration.student is None:
        raise Http404
    return file_response(
        certificate_pdf(applicant, registration),
        filename=f"certificat-scolarite-{registration.student.da_number}.pdf",
        kind="pdf",
    )
