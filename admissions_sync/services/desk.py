"""The registration desk (« chaîne d'inscription », docs/guide/chaine-inscription.md): every
write of the desk's pages — a document accepted or refused, a pre-registration sent back
or corrected, a payment with its receipt number, the validation that creates or updates
the registrar's student and its admission, a cancellation.

Each service locks the applicant's row (select_for_update) and asks its rules under that
lock (docs/architecture.md rule 2): two agents acting on the same file at once take turns,
and the second sees what the first did. E-mails to the applicant leave after the
transaction commits; a mailer failure is reported as a warning, the change stays."""

import datetime
import re
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions_sync import emails, steps
from admissions_sync.models import (
    PARCOURSUP_TIME_ZONE,
    Applicant,
    ApplicantDocument,
    Fee,
    Formation,
    LinkSending,
    Payment,
    Preregistration,
    Registration,
    RegistrationEvent,
)
from admissions_sync.services.preregistration import REQUIRED_DOCUMENTS
from registrar.models import Student
from registrar.services.students import student_register_or_update

PARIS = zoneinfo.ZoneInfo(PARCOURSUP_TIME_ZONE)
SCREEN = "Chaîne d'inscription"
REASON_MAX_LENGTH = 1000
REFERENCE_MAX_LENGTH = 40
# A payment's reference: a cheque number, a transaction reference — no formula, no markup.
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./_-]*")
RECEIPT_ATTEMPTS = 5
VALID_STATES = (
    Registration.State.MAIN,
    Registration.State.DOUBLE,
    Registration.State.PARALLEL,
    Registration.State.PARALLEL_SECONDARY,
)


@dataclass
class Outcome:
    """What a service did (``value``) and, when its e-mail to the applicant could not
    leave, why (``warning``: the change itself stays)."""

    value: object = None
    warning: str = ""


def paris_day(moment: datetime.datetime | None = None) -> datetime.date:
    """The day in Paris (models.PARCOURSUP_TIME_ZONE) of ``moment`` (now by default)."""
    return (moment or timezone.now()).astimezone(PARIS).date()


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _locked(applicant: Applicant) -> Applicant:
    return Applicant.objects.select_for_update().select_related("formation").get(pk=applicant.pk)


def _preregistration(applicant: Applicant) -> Preregistration | None:
    return Preregistration.objects.select_for_update().filter(applicant=applicant).first()


def _registration(applicant: Applicant) -> Registration | None:
    return Registration.objects.filter(applicant=applicant).first()


def _event(applicant: Applicant, actor, kind: str, **fields) -> RegistrationEvent:
    return RegistrationEvent.objects.create(
        applicant=applicant, at=timezone.now(), actor=_user(actor), kind=kind, **fields
    )


def _clean_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("Indiquez le motif.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {field: _("Le motif compte au plus %(max)s caractères.") % {"max": REASON_MAX_LENGTH}}
        )
    return reason


def _ensure_present(applicant: Applicant) -> None:
    if not applicant.is_active:
        raise ValidationError(
            _(
                "%(name)s est retiré de Parcoursup : son dossier ne peut plus avancer à la "
                "chaîne. Vérifiez sa situation."
            )
            % {"name": f"{applicant.first_name} {applicant.last_name}"}
        )


def _ensure_not_validated(registration: Registration | None) -> None:
    if registration is not None and registration.validated_at is not None:
        raise ValidationError(
            _("L'inscription est déjà validée : le dossier ne peut plus être modifié.")
        )


def _ensure_reviewable(preregistration: Preregistration | None) -> Preregistration:
    if preregistration is None or preregistration.status == Preregistration.Status.DRAFT:
        raise ValidationError(_("Le candidat n'a pas encore validé sa préinscription."))
    return preregistration


def _send_after_commit(applicant: Applicant, actor, base_url, compose, purpose) -> str:
    """Send the applicant a new link in a message (links.link_send); the warning to show
    when it could not leave, else ""."""
    from admissions_sync.services.links import EmailNotSent, link_send

    try:
        link_send(
            actor=actor,
            applicant=applicant,
            channel=LinkSending.Channel.DESK,
            base_url=base_url,
            compose=compose,
            purpose=purpose,
        )
    except (EmailNotSent, ValidationError) as exc:
        detail = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return _("Le courriel au candidat n'a pas pu partir (%(detail)s) : prévenez-le.") % {
            "detail": detail or _("erreur d'envoi")
        }
    return ""


# --------------------------------------------------------------------------------------
# Opening the registration
# --------------------------------------------------------------------------------------


def registration_open(*, actor, applicant: Applicant) -> Registration:
    """The applicant's Registration, created when the desk first acts on the file (sets
    ``opened_at``/``opened_by``, once). Locks the applicant's row; joins the caller's
    transaction."""
    with transaction.atomic():
        _locked(applicant)
        registration = Registration.objects.filter(applicant=applicant).first()
        if registration is None:
            registration = Registration.objects.create(
                applicant=applicant, opened_at=timezone.now(), opened_by=_user(actor)
            )
        elif registration.opened_at is None:
            registration.opened_at = timezone.now()
            registration.opened_by = _user(actor)
            registration.save(update_fields=["opened_at", "opened_by"])
    return registration


# --------------------------------------------------------------------------------------
# Documents, return, corrections
# --------------------------------------------------------------------------------------


def document_review(
    *,
    actor,
    document: ApplicantDocument,
    accepted: bool,
    reason: str = "",
    base_url: str | None = None,
) -> Outcome:
    """Accept ``document``, or refuse it with ``reason`` (required, at most 1,000
    characters). Writes the document's status, reason, reviewer and time, opens the
    registration (registration_open) and a DOCUMENT_ACCEPTED / DOCUMENT_REFUSED event; a
    refusal also sends the pre-registration back (RETURNED, the documents step reopened)
    and, once committed, e-mails the applicant a new link with the reason.

    Refused, writing nothing: a pre-registration not submitted, an applicant removed from
    Parcoursup, a validated registration, a missing reason. Returns an Outcome (the
    document; the warning if the e-mail could not leave)."""
    reason = "" if accepted else _clean_reason(reason)
    with transaction.atomic():
        applicant = _locked(document.preregistration.applicant)
        preregistration = _ensure_reviewable(_preregistration(applicant))
        _ensure_present(applicant)
        _ensure_not_validated(_registration(applicant))
        document = ApplicantDocument.objects.select_for_update().get(
            pk=document.pk, preregistration=preregistration
        )
        registration_open(actor=actor, applicant=applicant)
        document.status = (
            ApplicantDocument.Status.ACCEPTED if accepted else ApplicantDocument.Status.REFUSED
        )
        document.refusal_reason = reason
        document.reviewed_at = timezone.now()
        document.reviewed_by = _user(actor)
        document.save(update_fields=["status", "refusal_reason", "reviewed_at", "reviewed_by"])
        if not accepted:
            preregistration.status = Preregistration.Status.RETURNED
            open_steps = list(preregistration.open_steps or [])
            if steps.DOCUMENTS not in open_steps:
                open_steps.append(steps.DOCUMENTS)
            preregistration.open_steps = open_steps
            preregistration.save(update_fields=["status", "open_steps", "updated_at"])
        _event(
            applicant,
            actor,
            RegistrationEvent.Kind.DOCUMENT_ACCEPTED
            if accepted
            else RegistrationEvent.Kind.DOCUMENT_REFUSED,
            step=steps.DOCUMENTS,
            note=f"{document.get_kind_display()}{' : ' + reason if reason else ''}",
        )
    warning = ""
    if not accepted:
        warning = _send_after_commit(
            applicant,
            actor,
            base_url,
            lambda address, expires_on: emails.document_refused_message(
                applicant, document, address
            ),
            emails.REFUSAL_PURPOSE,
        )
    return Outcome(document, warning)


def preregistration_return(
    *, actor, applicant: Applicant, reason: str, base_url: str | None = None
) -> Outcome:
    """« Renvoyer au candidat »: the pre-registration becomes RETURNED with every step the
    applicant types reopened (steps.steps_for) and ``reason`` (required, at most 1,000
    characters); a RETURNED event; once committed, an e-mail with a new link and the
    reason (emails.returned_message). Refused, writing nothing: a pre-registration not
    submitted, an applicant removed, a validated registration."""
    reason = _clean_reason(reason)
    with transaction.atomic():
        applicant = _locked(applicant)
        preregistration = _preregistration(applicant)
        if preregistration is None or preregistration.status != Preregistration.Status.SUBMITTED:
            raise ValidationError(
                _("Seule une préinscription validée par le candidat peut lui être renvoyée.")
            )
        _ensure_present(applicant)
        _ensure_not_validated(_registration(applicant))
        preregistration.status = Preregistration.Status.RETURNED
        preregistration.open_steps = [step.key for step in steps.steps_for(applicant) if step.typed]
        preregistration.return_reason = reason
        preregistration.save(update_fields=["status", "open_steps", "return_reason", "updated_at"])
        _event(applicant, actor, RegistrationEvent.Kind.RETURNED, note=reason)
    warning = _send_after_commit(
        applicant,
        actor,
        base_url,
        lambda address, expires_on: emails.returned_message(applicant, reason, address),
        emails.RETURN_PURPOSE,
    )
    return Outcome(preregistration, warning)


def preregistration_correct(
    *, actor, applicant: Applicant, step: str, answers: dict
) -> dict[str, list]:
    """« Corriger »: merge ``answers`` (JSON values, as the step's form cleans them) into
    the pre-registration's answers of ``step``, with a CORRECTED event listing each changed
    field {field: [before, after]}. Returns those changes: empty when nothing changed, and
    then nothing is written. Refused, writing nothing: a step the applicant does not type,
    a pre-registration not submitted, a validated registration."""
    step_found = steps.step_of(applicant, step)
    if step_found is None or not step_found.typed or step == steps.DOCUMENTS:
        raise ValidationError(_("Cette étape ne se corrige pas ici."))
    with transaction.atomic():
        applicant = _locked(applicant)
        preregistration = _ensure_reviewable(_preregistration(applicant))
        _ensure_not_validated(_registration(applicant))
        before = steps.answers_of(preregistration, step)
        changes = {
            name: [before.get(name, ""), value]
            for name, value in answers.items()
            if before.get(name, "") != value
        }
        if not changes:
            return {}
        all_answers = dict(preregistration.answers or {})
        all_answers[step] = {**before, **answers}
        preregistration.answers = all_answers
        preregistration.save(update_fields=["answers", "updated_at"])
        registration_open(actor=actor, applicant=applicant)
        _event(applicant, actor, RegistrationEvent.Kind.CORRECTED, step=step, changes=changes)
    return changes


# --------------------------------------------------------------------------------------
# Payment
# --------------------------------------------------------------------------------------


def fees_due(formation: Formation, *, scholarship: bool) -> tuple[Decimal, list[Fee]]:
    """The amount a registration to ``formation`` pays and its fee lines: the formation's
    active lines, less those a scholarship holder is exempted from when ``scholarship``."""
    lines = [
        fee
        for fee in Fee.objects.filter(formation=formation, is_active=True).order_by("order", "pk")
        if not (scholarship and fee.scholarship_exempt)
    ]
    return sum((fee.amount for fee in lines), Decimal("0.00")), lines


def scholarship_proof(applicant: Applicant) -> ApplicantDocument | None:
    """The applicant's accepted « Attestation de bourse », if any."""
    return ApplicantDocument.objects.filter(
        preregistration__applicant=applicant,
        kind=ApplicantDocument.Kind.SCHOLARSHIP,
        status=ApplicantDocument.Status.ACCEPTED,
    ).first()


def _next_receipt_number(year: int) -> str:
    prefix = f"{year}-"
    last = Payment.objects.filter(receipt_number__startswith=prefix).aggregate(
        m=Max("receipt_number")
    )["m"]
    number = last[len(prefix) :] if last else ""
    # Receipt numbers are written here, in ASCII digits; anything else restarts the count.
    following = int(number) + 1 if number.isascii() and number.isdigit() else 1
    return f"{prefix}{following:06d}"


def payment_record(
    *,
    actor,
    applicant: Applicant,
    method: str,
    scholarship: bool,
    reference: str = "",
) -> Payment:
    """Record the payment of the applicant's fees (fees_due): a Payment with the next
    receipt number of the year (« 2026-000042 »), the registration's ``paid_at`` (and its
    ``reported_on``, the Paris day, when it is already validated), a PAID event.

    Refused, writing nothing: an unknown method; a reference that is not a plain
    reference; a scholarship holder without an accepted « Attestation de bourse »;
    « Exonération » unless the amount due is 0 for a scholarship holder; a pre-registration
    not submitted; an applicant removed; a registration already paid."""
    if method not in Payment.Method.values:
        raise ValidationError({"method": _("Choisissez un moyen de paiement de la liste.")})
    reference = " ".join((reference or "").split())
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise ValidationError(
            {
                "reference": _("La référence compte au plus %(max)s caractères.")
                % {"max": REFERENCE_MAX_LENGTH}
            }
        )
    if reference and not (reference.isascii() and _REFERENCE.fullmatch(reference)):
        raise ValidationError(
            {
                "reference": _(
                    "La référence ne contient que des lettres, des chiffres, des espaces et "
                    "les signes . / _ - (elle commence par une lettre ou un chiffre)."
                )
            }
        )
    with transaction.atomic():
        applicant = _locked(applicant)
        preregistration = _preregistration(applicant)
        if preregistration is None or preregistration.status != Preregistration.Status.SUBMITTED:
            raise ValidationError(_("Le candidat n'a pas encore validé sa préinscription."))
        _ensure_present(applicant)
        registration = registration_open(actor=actor, applicant=applicant)
        if Payment.objects.filter(registration=registration).exists():
            raise ValidationError(_("Le paiement de cette inscription est déjà enregistré."))
        proof = None
        if scholarship:
            proof = scholarship_proof(applicant)
            if proof is None:
                raise ValidationError(
                    {
                        "scholarship": _(
                            "L'attestation de bourse du candidat n'est pas acceptée : "
                            "vérifiez-la d'abord, ou décochez « Boursier »."
                        )
                    }
                )
        amount, _lines = fees_due(applicant.formation, scholarship=scholarship)
        if method == Payment.Method.EXEMPTION and not (scholarship and amount == 0):
            raise ValidationError(
                {"method": _("« Exonération » seulement pour un boursier qui n'a rien à payer.")}
            )
        if scholarship and amount == 0 and method != Payment.Method.EXEMPTION:
            raise ValidationError(
                {"method": _("Ce boursier n'a rien à payer : choisissez « Exonération ».")}
            )
        now = timezone.now()
        payment = Payment(
            registration=registration,
            amount=amount,
            method=method,
            scholarship=scholarship,
            scholarship_proof=proof,
            reference=reference,
            recorded_at=now,
            recorded_by=actor,
        )
        for _attempt in range(RECEIPT_ATTEMPTS):
            payment.receipt_number = _next_receipt_number(paris_day(now).year)
            try:
                # A savepoint: another agent's receipt taking the number rolls back this
                # insert only; the next number is tried.
                with transaction.atomic():
                    payment.save()
                break
            except IntegrityError:
                payment.pk = None
                if Payment.objects.filter(registration=registration).exists():
                    raise ValidationError(
                        _("Le paiement de cette inscription est déjà enregistré.")
                    ) from None
        else:
            raise ValidationError(_("Aucun numéro de reçu libre : réessayez."))
        registration.paid_at = now
        fields = ["paid_at"]
        if registration.validated_at is not None and registration.cancelled_at is None:
            registration.reported_on = paris_day(now)
            fields.append("reported_on")
        registration.save(update_fields=fields)
        _event(
            applicant,
            actor,
            RegistrationEvent.Kind.PAID,
            note=f"{payment.receipt_number} — {amount} € — {payment.get_method_display()}",
        )
    return payment


# --------------------------------------------------------------------------------------
# Validation and cancellation
# --------------------------------------------------------------------------------------


def formation_gaps(formation: Formation) -> list[str]:
    """What ``formation`` lacks for a validation (to set in the admin), in French."""
    gaps = []
    if formation.program_id is None:
        gaps.append(_("le programme"))
    if not formation.grid_code:
        gaps.append(_("la grille"))
    if formation.org_unit_id is None:
        gaps.append(_("l'unité org."))
    if formation.admission_term_id is None:
        gaps.append(_("la session d'admission"))
    return gaps


def missing_documents(preregistration: Preregistration) -> list[str]:
    """The labels of the required documents not accepted yet."""
    accepted = set(
        preregistration.documents.filter(status=ApplicantDocument.Status.ACCEPTED).values_list(
            "kind", flat=True
        )
    )
    return [
        str(ApplicantDocument.Kind(kind).label)
        for kind in REQUIRED_DOCUMENTS
        if kind not in accepted
    ]


def _text(answers: dict, *names: str) -> str:
    for name in names:
        value = answers.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def student_values(applicant: Applicant, preregistration: Preregistration) -> tuple[dict, dict]:
    """The identity and contacts the validation hands the student record: identity from
    Parcoursup (civilité M → M, Mme → F), INE from Parcoursup or the bac step; e-mail and
    phone from the contact step, the address from the address step."""
    contact = steps.answers_of(preregistration, steps.CONTACT)
    address = steps.answers_of(preregistration, steps.ADDRESS)
    bac = steps.answers_of(preregistration, steps.BAC)
    ine = (applicant.ine or _text(bac, "ine")).upper()
    identity = {
        "last_name": applicant.last_name,
        "first_name": applicant.first_name,
        "birth_date": applicant.birth_date,
        "sex": "F" if applicant.civility == Applicant.Civility.MRS else "M",
        "ine": ine if len(ine) == 11 else "",
        "birth_city": applicant.birth_city,
        "birth_country": applicant.birth_country,
    }
    abroad = address.get("where") == "etranger"
    contacts = {
        "email": _text(contact, "email") or applicant.email,
        "phone": _text(contact, "mobile", "phone") or applicant.mobile or applicant.phone,
        "address_line1": _text(address, "address1"),
        "address_line2": _text(address, "address2"),
        "postal_code": _text(address, "postal_code"),
        "city": _text(address, "city"),
        "country": (_text(address, "country") if abroad else "") or "France",
    }
    return identity, contacts


def registration_validate(
    *,
    actor,
    applicant: Applicant,
    student: Student | None,
    state: int = Registration.State.MAIN,
) -> Registration:
    """« Valider l'inscription administrative »: in one transaction under the applicant's
    row lock, create the student (``student`` None) or update ``student``, the match the
    agent confirmed (registrar.services.students.student_register_or_update, audited), its
    admission in the formation's program, and the registration (student, admission,
    ``state``, validated_at/by, reported_on when paid), a VALIDATED event.

    Idempotent: an already validated registration is returned, nothing written (two agents
    at once: the second waits for the first's lock, then finds it validated). Refused,
    writing nothing: a state other than 1, 2, 4, 5; a pre-registration not submitted; a
    required document not accepted; no payment; an applicant removed; a formation without
    program, grid, org unit or admission term."""
    with transaction.atomic():
        applicant = _locked(applicant)
        registration = _registration(applicant)
        if (
            registration is not None
            and registration.validated_at is not None
            and registration.cancelled_at is None
        ):
            return registration
        if registration is not None and registration.cancelled_at is not None:
            raise ValidationError(_("Cette inscription a été annulée : elle ne se valide plus."))
        if state not in VALID_STATES:
            raise ValidationError({"state": _("Choisissez un état d'inscription de la liste.")})
        preregistration = _preregistration(applicant)
        if preregistration is None or preregistration.status != Preregistration.Status.SUBMITTED:
            raise ValidationError(_("Le candidat n'a pas encore validé sa préinscription."))
        _ensure_present(applicant)
        missing = missing_documents(preregistration)
        if missing:
            raise ValidationError(
                _("Pièces à accepter d'abord : %(kinds)s.") % {"kinds": ", ".join(missing)}
            )
        if registration is None or not Payment.objects.filter(registration=registration).exists():
            raise ValidationError(_("Enregistrez d'abord le paiement."))
        formation = applicant.formation
        gaps = formation_gaps(formation)
        if gaps:
            raise ValidationError(
                _(
                    "La formation %(formation)s n'a pas %(gaps)s : complétez-la dans "
                    "l'administration (Formations Parcoursup)."
                )
                % {"formation": formation.code, "gaps": ", ".join(gaps)}
            )
        identity, contacts = student_values(applicant, preregistration)
        student, admission = student_register_or_update(
            actor=actor,
            student=student,
            identity=identity,
            contacts=contacts,
            program=formation.program,
            grid_code=formation.grid_code,
            org_unit=formation.org_unit,
            term=formation.admission_term,
            screen=SCREEN,
        )
        now = timezone.now()
        registration.student = student
        registration.admission = admission
        registration.state = state
        registration.validated_at = now
        registration.validated_by = _user(actor)
        if registration.paid_at is not None:
            registration.reported_on = paris_day(now)
        registration.full_clean()
        registration.save()
        _event(
            applicant,
            actor,
            RegistrationEvent.Kind.VALIDATED,
            note=f"{student.da_display} — {registration.get_state_display()}",
        )
    return registration


def registration_cancel(*, actor, applicant: Applicant, reason: str) -> Registration:
    """Cancel the applicant's validated registration: ``cancelled_at`` (now),
    ``cancelled_on`` (the Paris day: the report back lists it with état 3 that day),
    ``cancel_reason``; its admission's status « Annulée »; a CANCELLED event. Refused,
    writing nothing: no validated registration, one already cancelled, a missing reason."""
    reason = _clean_reason(reason)
    from registrar.audit import record_change, snapshot
    from registrar.models import Admission, AuditEntry

    with transaction.atomic():
        applicant = _locked(applicant)
        registration = _registration(applicant)
        if registration is None or registration.validated_at is None:
            raise ValidationError(_("Seule une inscription validée peut être annulée."))
        if registration.cancelled_at is not None:
            raise ValidationError(_("Cette inscription est déjà annulée."))
        now = timezone.now()
        registration.cancelled_at = now
        registration.cancelled_on = paris_day(now)
        registration.cancel_reason = reason
        registration.save(update_fields=["cancelled_at", "cancelled_on", "cancel_reason"])
        if registration.admission_id is not None:
            admission = Admission.objects.select_for_update().get(pk=registration.admission_id)
            before = snapshot(admission, ["status"])
            admission.status = Admission.Status.CANCELLED
            admission.save(update_fields=["status"])
            record_change(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                instance=admission,
                student=admission.student_id,
                screen=SCREEN,
                before=before,
                after=snapshot(admission, ["status"]),
            )
        _event(applicant, actor, RegistrationEvent.Kind.CANCELLED, note=reason)
    return registration


def has_one(applicant: Applicant, name: str):
    """``applicant``'s one-to-one ``name`` or None."""
    try:
        return getattr(applicant, name)
    except ObjectDoesNotExist:
        return None
