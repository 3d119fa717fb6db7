"""The applicant's own writes to their online pre-registration (docs/guide/preinscription.md):
a step's answers, a document, the error report on their Parcoursup identity, the submission.

Every one is refused (ValidationError, French) for an applicant removed from Parcoursup, a
step the applicant may no longer change (steps.may_change) and a submitted pre-registration,
and locks the applicant's Preregistration row (created if needed, then SELECT … FOR UPDATE)
so two tabs cannot interleave. The applicant has no account: the events' ``actor`` is empty."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions_sync import steps
from admissions_sync.models import (
    Applicant,
    ApplicantDocument,
    Preregistration,
    RegistrationEvent,
)
from admissions_sync.steps import Step
from admissions_sync.uploads import check_upload

__all__ = [
    "OPTIONAL_DOCUMENTS",
    "REQUIRED_DOCUMENTS",
    "document_upload",
    "ensure_step_changeable",
    "identity_error_report",
    "missing_steps",
    "preregistration_save_step",
    "preregistration_submit",
    "step_done",
]

# The documents a pre-registration needs before it can be submitted; the scholarship
# attestation is asked of scholarship holders only and never required here (the desk's
# exemption needs it, decision 0018).
REQUIRED_DOCUMENTS = (
    ApplicantDocument.Kind.IDENTITY,
    ApplicantDocument.Kind.PHOTO,
    ApplicantDocument.Kind.BAC,
)
OPTIONAL_DOCUMENTS = (ApplicantDocument.Kind.SCHOLARSHIP,)
MAX_ERROR_REPORT = 1000


def _removed_message() -> str:
    return _(
        "Votre candidature n'est plus active dans Parcoursup : votre préinscription ne peut "
        "plus être modifiée."
    )


def _locked(applicant: Applicant) -> Preregistration:
    """The applicant's pre-registration, created if needed, locked for the transaction."""
    try:
        with transaction.atomic():
            Preregistration.objects.get_or_create(applicant=applicant)
    except IntegrityError:
        # Another request created it at the same moment: it exists now.
        pass
    return Preregistration.objects.select_for_update().get(applicant=applicant)


def _ensure_active(applicant: Applicant) -> None:
    # Read again: the import may have removed the applicant since the page was built.
    removed = Applicant.objects.filter(pk=applicant.pk, removed_at__isnull=False).exists()
    if removed:
        raise ValidationError(_removed_message())


def ensure_step_changeable(preregistration: Preregistration | None, key: str) -> None:
    """Refuse a change of step ``key`` once the pre-registration is submitted (or the desk
    did not reopen that step)."""
    if preregistration is not None and preregistration.status == Preregistration.Status.SUBMITTED:
        raise ValidationError(
            _("Votre préinscription est validée : elle ne peut plus être modifiée.")
        )
    if not steps.may_change(preregistration, key):
        raise ValidationError(
            _(
                "Cette étape ne peut plus être modifiée : la chaîne d'inscription ne l'a "
                "pas rouverte."
            )
        )


def _ensure_step(applicant: Applicant, key: str) -> Step:
    step = steps.step_of(applicant, key)
    if step is None:
        raise ValidationError(_("Cette étape n'existe pas dans votre préinscription."))
    return step


def _clean_answers(answers: dict) -> dict[str, str]:
    if not isinstance(answers, dict):
        raise ValidationError(_("Réponses illisibles."))
    cleaned = {}
    for name, value in answers.items():
        if not isinstance(name, str) or not isinstance(value, str) or len(value) > 1000:
            raise ValidationError(_("Réponses illisibles."))
        cleaned[name] = value
    return cleaned


def preregistration_save_step(*, applicant: Applicant, step: str, answers: dict) -> Preregistration:
    """Save ``answers`` (strings, from the step's form, admissions_sync/forms/preregistration.py)
    as the applicant's answers to ``step``: sets Preregistration.answers[step] (creating the
    pre-registration as a draft if needed). The identity step only takes {"confirmed": "1"}."""
    answers = _clean_answers(answers)
    _ensure_step(applicant, step)
    if step == steps.IDENTITY and answers != {"confirmed": "1"}:
        raise ValidationError(_("Réponses illisibles."))
    with transaction.atomic():
        _ensure_active(applicant)
        preregistration = _locked(applicant)
        ensure_step_changeable(preregistration, step)
        if step == steps.DOCUMENTS:
            # The documents' answers (the CVEC number) never drop what the uploads wrote.
            answers = {**steps.answers_of(preregistration, step), **answers}
        preregistration.answers = {**(preregistration.answers or {}), step: answers}
        preregistration.save(update_fields=["answers", "updated_at"])
    return preregistration


def document_upload(*, applicant: Applicant, kind: str, uploaded) -> ApplicantDocument:
    """Store ``uploaded`` (checked by content, admissions_sync/uploads.py) as the applicant's
    document of ``kind``: creates or replaces their ApplicantDocument of that kind (status
    back to « À vérifier », the former review cleared), writes the file through Django's
    storage (the replaced file is deleted once committed) and a « Pièce déposée » event."""
    if kind not in ApplicantDocument.Kind.values:
        raise ValidationError(_("Cette pièce n'existe pas."))
    checked = check_upload(uploaded)
    written: list[str] = []
    try:
        with transaction.atomic():
            _ensure_active(applicant)
            preregistration = _locked(applicant)
            ensure_step_changeable(preregistration, steps.DOCUMENTS)
            document = (
                ApplicantDocument.objects.select_for_update()
                .filter(preregistration=preregistration, kind=kind)
                .first()
            )
            old_name = document.file.name if document is not None else None
            now = timezone.now()
            if document is None:
                document = ApplicantDocument(preregistration=preregistration, kind=kind)
            document.content_type = checked.content_type
            document.original_name = checked.original_name
            document.size = checked.size
            document.checksum = checked.checksum
            document.uploaded_at = now
            document.status = ApplicantDocument.Status.PENDING
            document.refusal_reason = ""
            document.reviewed_at = None
            document.reviewed_by = None
            document.file.save("upload", ContentFile(checked.content), save=False)
            written.append(document.file.name)
            document.save()
            if old_name and old_name != document.file.name:
                transaction.on_commit(lambda: default_storage.delete(old_name))
            RegistrationEvent.objects.create(
                applicant=applicant,
                at=now,
                kind=RegistrationEvent.Kind.DOCUMENT_UPLOADED,
                step=steps.DOCUMENTS,
                note=str(ApplicantDocument.Kind(kind).label),
            )
    except BaseException:
        # Nothing was committed: the file written for it goes too.
        for name in written:
            default_storage.delete(name)
        raise
    return document


def identity_error_report(*, applicant: Applicant, message: str) -> RegistrationEvent:
    """Record the applicant's report of an error in their Parcoursup identity (at most 1000
    characters): an « Erreur signalée » event the desk reads in the applicant's file."""
    text = (message or "").strip() if isinstance(message, str) else ""
    if not text:
        raise ValidationError({"message": _("Décrivez l'erreur.")})
    if len(text) > MAX_ERROR_REPORT:
        raise ValidationError({"message": _("1 000 caractères au plus.")})
    with transaction.atomic():
        _ensure_active(applicant)
        preregistration = _locked(applicant)
        ensure_step_changeable(preregistration, steps.IDENTITY)
        return RegistrationEvent.objects.create(
            applicant=applicant,
            at=timezone.now(),
            kind=RegistrationEvent.Kind.ERROR_REPORTED,
            step=steps.IDENTITY,
            note=text,
        )


def step_done(
    applicant: Applicant, preregistration: Preregistration | None, key: str, kinds: set[str]
) -> bool:
    """Whether step ``key`` counts as done: its answers are stored (documents: the required
    kinds uploaded — ``kinds``, the kinds the applicant has — and the CVEC number stored)."""
    answers = steps.answers_of(preregistration, key)
    if key == steps.DOCUMENTS:
        return bool(answers.get("cvec")) and set(REQUIRED_DOCUMENTS) <= kinds
    return bool(answers)


def document_kinds(preregistration: Preregistration | None) -> set[str]:
    if preregistration is None or preregistration.pk is None:
        return set()
    return set(preregistration.documents.values_list("kind", flat=True))


def missing_steps(applicant: Applicant, preregistration: Preregistration | None) -> list[Step]:
    """The applicant's steps not done yet, in order."""
    kinds = document_kinds(preregistration)
    return [
        step
        for step in steps.steps_for(applicant)
        if not step_done(applicant, preregistration, step.key, kinds)
    ]


def preregistration_submit(*, applicant: Applicant) -> Preregistration:
    """« Valider ma préinscription »: every step done, the pre-registration becomes
    « validée » (status SUBMITTED, submitted_at now, no step open) and a « Préinscription
    validée » event is written. Refused with the missing steps' names otherwise."""
    with transaction.atomic():
        _ensure_active(applicant)
        preregistration = _locked(applicant)
        if preregistration.status == Preregistration.Status.SUBMITTED:
            raise ValidationError(_("Votre préinscription est déjà validée."))
        missing = missing_steps(applicant, preregistration)
        if missing:
            raise ValidationError(
                _("Il reste à compléter : %(steps)s.")
                % {"steps": ", ".join(str(step.label) for step in missing)}
            )
        now = timezone.now()
        preregistration.status = Preregistration.Status.SUBMITTED
        preregistration.submitted_at = now
        preregistration.open_steps = []
        preregistration.save(update_fields=["status", "submitted_at", "open_steps", "updated_at"])
        RegistrationEvent.objects.create(
            applicant=applicant, at=now, kind=RegistrationEvent.Kind.SUBMITTED
        )
    return preregistration
