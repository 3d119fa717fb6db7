"""The applicant's online pre-registration (docs/guide/preinscription.md): public pages, no
staff account, reached through the applicant's personal link.

Opening the link (preregistration_link) keeps its token in the visitor's session
(links.SESSION_KEY) and takes it out of the address bar; every other page opens that token
again (``applicant_page``), so a link that expired or was revoked ends the access at once.
Everything is read from the session's applicant, never from an id in the address: another
applicant's data and documents are out of reach (document addresses name the kind)."""

import functools
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from admissions_sync import steps
from admissions_sync.documents.preregistration import summary_filename, summary_pdf
from admissions_sync.forms.preregistration import (
    STEP_FORMS,
    ErrorReportForm,
    LinkRequestForm,
    display_answers,
)
from admissions_sync.models import Applicant, ApplicantDocument, Preregistration, Registration
from admissions_sync.services import links
from admissions_sync.services import preregistration as services
from registrar.downloads import file_response
from registrar.public_links import LinkRefused
from registrar.throttle import ThrottleUnavailable

# The applicant's session ends after this long without a page (seconds).
IDLE_SECONDS = 2 * 60 * 60

# One message whatever ended or refused the access (unknown, expired, revoked, tampered,
# replayed link): nobody learns whether an applicant exists (registrar/public_links.py).
LINK_REFUSED = gettext_lazy(
    "Ce lien de préinscription n'est pas ou plus valable. Demandez un nouveau lien ci-dessous : "
    "il vous sera envoyé par courriel."
)
NO_SESSION = gettext_lazy(
    "Pour accéder à votre préinscription, ouvrez le lien reçu par courriel, ou demandez un "
    "nouveau lien ci-dessous."
)
REQUEST_ANSWER = gettext_lazy(
    "Si ces informations correspondent à un candidat admis, un lien vient d'être envoyé à "
    "cette adresse. Il peut mettre quelques minutes à arriver : pensez à regarder dans vos "
    "courriers indésirables. Le lien reste valable plusieurs jours."
)
REMOVED = gettext_lazy(
    "Votre candidature n'est plus active dans Parcoursup : vous ne pouvez plus modifier votre "
    "préinscription. Ce que vous avez saisi est conservé. Si vous pensez qu'il s'agit d'une "
    "erreur, contactez le service de scolarité ; si votre candidature redevient active, ce "
    "même lien vous permettra de reprendre votre préinscription."
)
SAVED_DRAFT = gettext_lazy("Brouillon enregistré. Vous pouvez reprendre plus tard.")
SAVED = gettext_lazy("Étape « %(step)s » enregistrée.")
UPLOADED = gettext_lazy("« %(kind)s » déposé. La scolarité le vérifiera.")
SUBMITTED = gettext_lazy(
    "Votre préinscription est validée. Téléchargez votre récapitulatif ; la scolarité vous "
    "contactera pour la suite de votre inscription."
)
ERROR_REPORTED = gettext_lazy(
    "Votre signalement est transmis à la scolarité, qui corrigera votre dossier."
)
LOGGED_OUT = gettext_lazy("Vous avez quitté votre préinscription. Votre brouillon est conservé.")


def _unavailable(request: HttpRequest, exc: ThrottleUnavailable) -> HttpResponse:
    """The links' rate limit cannot be read (Redis down): a 503 page; the visitor's session
    keeps its token for later."""
    response = render(
        request,
        "unavailable.html",
        {"message": exc.message, "back_url": request.get_full_path()},
        status=503,
    )
    response["Retry-After"] = "60"
    return response


def applicant_page(view):
    """A page of the applicant: open to visitors without an account, it opens the
    session's token again (LinkRefused: back to « Recevoir mon lien » with LINK_REFUSED;
    no token: with NO_SESSION) and calls ``view(request, applicant, preregistration, …)``
    (preregistration None until the first save); Redis down (ThrottleUnavailable): a 503
    page, the token kept. Never cached; the session's expiry slides."""

    @login_not_required
    @never_cache
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        token = request.session.get(links.SESSION_KEY)
        if not token:
            messages.info(request, str(NO_SESSION))
            return redirect("admissions_sync:preregistration_request")
        try:
            applicant = links.applicant_for_token(request, token)
        except ThrottleUnavailable as exc:
            return _unavailable(request, exc)
        except LinkRefused:
            request.session.pop(links.SESSION_KEY, None)
            messages.error(request, str(LINK_REFUSED))
            return redirect("admissions_sync:preregistration_request")
        request.session.set_expiry(IDLE_SECONDS)
        preregistration = Preregistration.objects.filter(applicant=applicant).first()
        return view(request, applicant, preregistration, *args, **kwargs)

    return wrapper


# --------------------------------------------------------------------------------------
# Session: the link, « Recevoir mon lien », leaving
# --------------------------------------------------------------------------------------


@login_not_required
@never_cache
@require_GET
def preregistration_link(request: HttpRequest, token: str) -> HttpResponse:
    """The personal link: opens the pre-registration (the token moves to the session and
    leaves the address bar), or « Recevoir mon lien » with LINK_REFUSED whatever the reason."""
    try:
        links.applicant_for_token(request, token)
    except ThrottleUnavailable as exc:
        return _unavailable(request, exc)
    except LinkRefused:
        request.session.pop(links.SESSION_KEY, None)
        messages.error(request, str(LINK_REFUSED))
        return redirect("admissions_sync:preregistration_request")
    request.session.cycle_key()
    request.session[links.SESSION_KEY] = token
    request.session.set_expiry(IDLE_SECONDS)
    return redirect("admissions_sync:preregistration_home")


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def preregistration_request(request: HttpRequest) -> HttpResponse:
    """« Recevoir mon lien »: number, birth date, e-mail; always the same answer
    (REQUEST_ANSWER) once the form is valid — matched, not matched or rate-limited."""
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            links.link_request(
                request,
                number=form.cleaned_data["number"],
                birth_date=form.cleaned_data["birth_date"],
                email=form.cleaned_data["email"],
            )
        except ThrottleUnavailable as exc:
            # Fail closed: nothing is sent while the requests cannot be counted
            # (docs/decisions/0020-rate-limits-in-redis.md).
            form.add_error(None, exc.message)
            return render(
                request, "admissions_sync/preregistration/request.html", {"form": form}, status=503
            )
        return render(
            request,
            "admissions_sync/preregistration/request_sent.html",
            {"answer": REQUEST_ANSWER},
        )
    return render(request, "admissions_sync/preregistration/request.html", {"form": form})


@login_not_required
@never_cache
@require_POST
def preregistration_logout(request: HttpRequest) -> HttpResponse:
    """« Quitter »: forgets the link (the whole session)."""
    request.session.flush()
    messages.success(request, str(LOGGED_OUT))
    return redirect("admissions_sync:preregistration_request")


# --------------------------------------------------------------------------------------
# Pages of the pre-registration
# --------------------------------------------------------------------------------------


def _documents(preregistration: Preregistration | None) -> dict[str, ApplicantDocument]:
    if preregistration is None:
        return {}
    return {document.kind: document for document in preregistration.documents.all()}


def _step_rows(applicant, preregistration, documents) -> list[dict]:
    kinds = set(documents)
    return [
        {
            "step": step,
            "done": services.step_done(applicant, preregistration, step.key, kinds),
            "open": applicant.is_active
            and steps.may_change(preregistration, step.key)
            and not _submitted(preregistration),
        }
        for step in steps.steps_for(applicant)
    ]


def _submitted(preregistration: Preregistration | None) -> bool:
    return (
        preregistration is not None and preregistration.status == Preregistration.Status.SUBMITTED
    )


def _may_change(applicant, preregistration, key: str) -> bool:
    return (
        applicant.is_active
        and not _submitted(preregistration)
        and steps.may_change(preregistration, key)
    )


def _base_context(applicant, preregistration, documents, **extra) -> dict:
    rows = _step_rows(applicant, preregistration, documents)
    return {
        "applicant": applicant,
        "preregistration": preregistration,
        "removed_message": None if applicant.is_active else REMOVED,
        "step_rows": rows,
        "done_count": sum(1 for row in rows if row["done"]),
        **extra,
    }


@applicant_page
@require_GET
def preregistration_home(request, applicant, preregistration) -> HttpResponse:
    """The applicant's welcome page: status (draft, validated, sent back with the desk's
    reason and the reopened steps) and the steps, done or to do."""
    documents = _documents(preregistration)
    reopened = []
    if preregistration and preregistration.status == Preregistration.Status.RETURNED:
        reopened = [
            steps.BY_KEY[key] for key in preregistration.open_steps or [] if key in steps.BY_KEY
        ]
    return render(
        request,
        "admissions_sync/preregistration/home.html",
        _base_context(
            applicant,
            preregistration,
            documents,
            reopened=reopened,
            registered=bool(
                preregistration
                and preregistration.status == Preregistration.Status.SUBMITTED
                and Registration.objects.filter(
                    applicant=applicant, validated_at__isnull=False, cancelled_at__isnull=True
                ).exists()
            ),
            refused=[
                document
                for document in documents.values()
                if document.status == ApplicantDocument.Status.REFUSED
            ],
            next_todo=next(
                (
                    row["step"]
                    for row in _step_rows(applicant, preregistration, documents)
                    if not row["done"]
                ),
                None,
            ),
        ),
    )


def _next_step(applicant, key: str) -> str | None:
    keys = [step.key for step in steps.steps_for(applicant)]
    index = keys.index(key)
    return keys[index + 1] if index + 1 < len(keys) else None


def _after_save(request, applicant, step) -> HttpResponse:
    if request.POST.get("action") == "draft":
        messages.success(request, str(SAVED_DRAFT))
        return redirect("admissions_sync:preregistration_step", step=step.key)
    messages.success(request, str(SAVED) % {"step": step.label})
    following = _next_step(applicant, step.key)
    if following is None:
        return redirect("admissions_sync:preregistration_summary")
    return redirect("admissions_sync:preregistration_step", step=following)


def _document_rows(applicant, documents, upload_errors=None) -> list[dict]:
    upload_errors = upload_errors or {}
    return [
        {
            "kind": kind,
            "label": ApplicantDocument.Kind(kind).label,
            "required": kind in services.REQUIRED_DOCUMENTS,
            "document": documents.get(kind),
            "errors": upload_errors.get(kind, []),
        }
        for kind in (*services.REQUIRED_DOCUMENTS, *services.OPTIONAL_DOCUMENTS)
    ]


def _render_step(
    request, applicant, preregistration, step, form=None, upload_errors=None, status=200
):
    documents = _documents(preregistration)
    changeable = _may_change(applicant, preregistration, step.key)
    answers = steps.answers_of(preregistration, step.key)
    if form is None and step.typed and changeable:
        form = STEP_FORMS[step.key](applicant=applicant, initial=answers or None)
    context = _base_context(
        applicant,
        preregistration,
        documents,
        step=step,
        form=form,
        changeable=changeable,
        shown=display_answers(step.key, answers),
        next_step=_next_step(applicant, step.key),
        document_rows=_document_rows(applicant, documents, upload_errors)
        if step.key == steps.DOCUMENTS
        else [],
        identity=_identity(applicant) if step.key == steps.IDENTITY else [],
    )
    return render(request, "admissions_sync/preregistration/step.html", context, status=status)


def _identity(applicant: Applicant) -> list[tuple[str, str]]:
    from registrar.formats import short_date

    pairs = [
        (_("Civilité"), applicant.get_civility_display()),
        (_("Nom"), applicant.last_name),
        (_("Prénom"), applicant.first_name),
        (_("Date de naissance"), short_date(applicant.birth_date)),
        (
            _("Lieu de naissance"),
            ", ".join(part for part in (applicant.birth_city, applicant.birth_country) if part),
        ),
        (_("Nationalité"), applicant.nationality),
        (_("INE"), applicant.ine),
        (_("Numéro Parcoursup"), applicant.candidate_number),
        (_("Formation"), str(applicant.formation)),
    ]
    return [(label, value or "—") for label, value in pairs]


@applicant_page
@require_http_methods(["GET", "POST"])
def preregistration_step(request, applicant, preregistration, step: str) -> HttpResponse:
    """One step: its form while the applicant may change it (saved as is — « Enregistrer le
    brouillon » — or then the next step — « Enregistrer et continuer »), else what was saved,
    read-only. A step the applicant does not have: 404."""
    found = steps.step_of(applicant, step)
    if found is None:
        raise Http404
    if request.method == "GET":
        return _render_step(request, applicant, preregistration, found)
    if not _may_change(applicant, preregistration, found.key):
        messages.error(
            request,
            str(REMOVED)
            if not applicant.is_active
            else _("Cette étape ne peut plus être modifiée."),
        )
        return redirect("admissions_sync:preregistration_step", step=found.key)
    if not found.typed:
        answers = {"confirmed": "1"}
        form = None
    else:
        form = STEP_FORMS[found.key](request.POST, applicant=applicant)
        if not form.is_valid():
            return _render_step(request, applicant, preregistration, found, form=form)
        answers = form.answers()
    try:
        services.preregistration_save_step(applicant=applicant, step=found.key, answers=answers)
    except ValidationError as exc:
        if form is None:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("admissions_sync:preregistration_step", step=found.key)
        form.add_error(None, exc)
        return _render_step(request, applicant, preregistration, found, form=form)
    return _after_save(request, applicant, found)


def _kind(kind: str) -> str:
    if kind not in ApplicantDocument.Kind.values:
        raise Http404
    return kind


@applicant_page
@require_POST
def preregistration_document(request, applicant, preregistration, kind: str) -> HttpResponse:
    """Upload the applicant's document of ``kind`` (checked by content); a refusal is
    shown at that document's field, nothing written."""
    kind = _kind(kind)
    documents_step = steps.BY_KEY[steps.DOCUMENTS]
    uploaded = request.FILES.get("file")
    try:
        services.document_upload(applicant=applicant, kind=kind, uploaded=uploaded)
    except ValidationError as exc:
        preregistration = Preregistration.objects.filter(applicant=applicant).first()
        return _render_step(
            request,
            applicant,
            preregistration,
            documents_step,
            upload_errors={kind: exc.messages},
        )
    messages.success(request, str(UPLOADED) % {"kind": ApplicantDocument.Kind(kind).label})
    return redirect("admissions_sync:preregistration_step", step=steps.DOCUMENTS)


@applicant_page
@require_GET
def preregistration_document_file(request, applicant, preregistration, kind: str):
    """The applicant's own document of ``kind``, from storage (images inline, PDF as a
    download); none: 404."""
    kind = _kind(kind)
    document = ApplicantDocument.objects.filter(
        preregistration__applicant=applicant, kind=kind
    ).first()
    if document is None or not document.file.name:
        raise Http404
    try:
        stream = default_storage.open(document.file.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    inline = document.content_type in ("image/jpeg", "image/png")
    extension = mimetypes.guess_extension(document.content_type) or ".bin"
    filename = f"{ApplicantDocument.Kind(kind).label}{'.jpg' if extension == '.jpe' else extension}"
    response = FileResponse(stream, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if inline:
        # An image opened in its own tab runs nothing (as the desk's copy: views/desk.py).
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    return response


@applicant_page
@require_http_methods(["GET", "POST"])
def preregistration_error(request, applicant, preregistration) -> HttpResponse:
    """« Signaler une erreur » in the Parcoursup identity: a text for the desk."""
    changeable = _may_change(applicant, preregistration, steps.IDENTITY)
    form = ErrorReportForm(request.POST or None)
    if request.method == "POST" and changeable and form.is_valid():
        try:
            services.identity_error_report(
                applicant=applicant, message=form.cleaned_data["message"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("message", message)
        else:
            messages.success(request, str(ERROR_REPORTED))
            return redirect("admissions_sync:preregistration_step", step=steps.IDENTITY)
    elif request.method == "POST" and not changeable:
        messages.error(
            request,
            str(REMOVED)
            if not applicant.is_active
            else _("Votre préinscription est validée : elle ne peut plus être modifiée."),
        )
        return redirect("admissions_sync:preregistration_step", step=steps.IDENTITY)
    documents = _documents(preregistration)
    return render(
        request,
        "admissions_sync/preregistration/error.html",
        _base_context(applicant, preregistration, documents, form=form, changeable=changeable),
    )


def _summary_sections(applicant, preregistration, documents) -> list[dict]:
    sections = []
    for step in steps.steps_for(applicant):
        shown = (
            _identity(applicant)
            if step.key == steps.IDENTITY
            else display_answers(step.key, steps.answers_of(preregistration, step.key))
        )
        sections.append(
            {
                "step": step,
                "pairs": shown,
                "done": services.step_done(applicant, preregistration, step.key, set(documents)),
                "changeable": _may_change(applicant, preregistration, step.key),
                "documents": _document_rows(applicant, documents)
                if step.key == steps.DOCUMENTS
                else [],
            }
        )
    return sections


@applicant_page
@require_GET
def preregistration_summary(request, applicant, preregistration) -> HttpResponse:
    """Everything entered, by step, with « Modifier » while allowed; « Valider ma
    préinscription »; after, the PDF."""
    documents = _documents(preregistration)
    context = _base_context(
        applicant,
        preregistration,
        documents,
        sections=_summary_sections(applicant, preregistration, documents),
        submitted=_submitted(preregistration),
        can_submit=applicant.is_active and not _submitted(preregistration),
    )
    return render(request, "admissions_sync/preregistration/summary.html", context)


@applicant_page
@require_POST
def preregistration_submit(request, applicant, preregistration) -> HttpResponse:
    """« Valider ma préinscription »: refused with the missing steps while incomplete."""
    try:
        services.preregistration_submit(applicant=applicant)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, str(SUBMITTED))
    return redirect("admissions_sync:preregistration_summary")


@applicant_page
@require_GET
def preregistration_pdf(request, applicant, preregistration) -> HttpResponse:
    """The summary as a PDF (once validated: what the applicant submitted; before, the
    draft, marked so)."""
    documents = _documents(preregistration)
    sections = _summary_sections(applicant, preregistration, documents)
    content = summary_pdf(applicant, preregistration, sections)
    return file_response(content, filename=summary_filename(applicant), kind="pdf")
