"""Writes of the « File d'impression »: « Livré » (report_mark_delivered), « Envoyer un
courriel » (report_send_email: the report's PDF attached under its non-guessable name,
through registrar.services.mail) and the contact window (contact_update).

A report is delivered once: the first « Livré » keeps its date and who; a second click
changes nothing. Only a « Prêt » report is sent or delivered.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements import emails
from placements.models import Contact, PrintReport
from registrar.models import SentEmail
from registrar.services.mail import Attachment, EmailNotSent, send_email

PURPOSE = emails.REPORT_PURPOSE

NOT_READY = _(
    "Le rapport %(name)s n'est pas prêt (%(status)s) : il ne peut être ni envoyé ni livré."
)
FILE_MISSING = _("Le fichier du rapport %(name)s est introuvable : générez l'envoi de nouveau.")
NO_OWN_ADDRESS = _(
    "Votre compte n'a pas d'adresse électronique : la copie ne peut pas vous être envoyée."
)
MESSAGE_REQUIRED = _("Écrivez le message du courriel.")
NOT_FAILED = _("Le PDF du rapport %(name)s n'a pas échoué : rien à refaire.")


def _locked_ready(report: PrintReport) -> PrintReport:
    """The report locked (select_for_update), refused unless READY."""
    locked = PrintReport.objects.select_for_update().get(pk=report.pk)
    if locked.status != PrintReport.Status.READY:
        raise ValidationError(
            NOT_READY % {"name": locked.filename, "status": locked.get_status_display()}
        )
    return locked


def _deliver(report: PrintReport, actor) -> None:
    if report.delivered_at is None:
        report.delivered_at = timezone.now()
        report.delivered_by = actor if getattr(actor, "pk", None) else None
        report.save(update_fields=["delivered_at", "delivered_by"])


def report_mark_delivered(*, actor, report: PrintReport) -> PrintReport:
    """« Livré »: sets the report's ``delivered_at`` (now) and ``delivered_by`` (``actor``)
    unless it was delivered already (then nothing changes). Refuses a report that is not
    « Prêt » (ValidationError). Returns the report as stored."""
    with transaction.atomic():
        locked = _locked_ready(report)
        _deliver(locked, actor)
    report.delivered_at, report.delivered_by = locked.delivered_at, locked.delivered_by
    return locked


def report_retry(*, actor, report: PrintReport) -> PrintReport:
    """« Refaire le PDF » of a report whose PDF failed: back to « En préparation » and, once
    committed, a new job of its send (placements/tasks.py) makes the send's pending reports
    again. Refuses a report that did not fail (ValidationError). Returns the report."""
    from placements.services.sending import SEND_REPORTS
    from registrar.services.jobs import job_enqueue

    with transaction.atomic():
        locked = PrintReport.objects.select_for_update().select_related("batch").get(pk=report.pk)
        if locked.status != PrintReport.Status.FAILED:
            raise ValidationError(NOT_FAILED, params={"name": locked.filename})
        locked.status = PrintReport.Status.PENDING
        locked.save(update_fields=["status"])
        transaction.on_commit(
            lambda: job_enqueue(actor=actor, kind=SEND_REPORTS, target=locked.batch)
        )
    return locked


def report_send_email(
    *,
    actor,
    report: PrintReport,
    to: Sequence[str],
    cc: Sequence[str] = (),
    subject: str,
    message: str,
    files: Sequence[tuple[str, bytes]] = (),
    copy_to_me: bool = False,
    mark_delivered: bool = True,
) -> SentEmail:
    """Send the report by e-mail: its PDF attached as ``report.filename``
    (« demande-stage-<jeton>.pdf »), then ``files`` ((name, content), already checked by the
    form), to ``to`` with ``cc`` (and ``actor``'s own address when ``copy_to_me``).

    Changes: a SentEmail (registrar.services.mail) added to ``report.emails``; with
    ``mark_delivered``, the report's « Livré » date and who (unless already delivered).
    The report row is locked while sending, so two clicks never send it twice at once.

    Raises ValidationError keyed by ``to``, ``cc``, ``subject``, ``message``, ``copy_to_me``
    or ``attachments`` (nothing sent, nothing written); EmailNotSent when the mailer fails
    (the « failed » SentEmail is kept and listed on the report; not delivered).
    """
    errors: dict[str, list] = {}
    if not str(message).strip():
        errors.setdefault("message", []).append(MESSAGE_REQUIRED)
    cc = list(cc)
    if copy_to_me:
        own = (getattr(actor, "email", "") or "").strip()
        if not own:
            errors.setdefault("copy_to_me", []).append(NO_OWN_ADDRESS)
        elif own not in cc and own not in to:
            cc.append(own)
    if errors:
        raise ValidationError(errors)
    failure: EmailNotSent | None = None
    with transaction.atomic():
        locked = _locked_ready(report)
        try:
            with locked.file.open("rb") as stored:
                pdf = stored.read()
        except (OSError, ValueError) as error:
            raise ValidationError(FILE_MISSING % {"name": locked.filename}) from error
        attachments = [Attachment(locked.filename, pdf, "application/pdf")]
        attachments += [Attachment(name, content) for name, content in files]
        try:
            record = send_email(
                actor=actor,
                to=list(to),
                cc=cc,
                subject=subject,
                body=message,
                attachments=attachments,
                purpose=PURPOSE,
            )
        except EmailNotSent as error:
            failure = error
            locked.emails.add(error.sent_email)
        else:
            locked.emails.add(record)
            if mark_delivered:
                _deliver(locked, actor)
    if failure is not None:
        raise failure
    report.delivered_at, report.delivered_by = locked.delivered_at, locked.delivered_by
    return record


def contact_update(
    *, actor, contact: Contact, name: str, role: str = "", email: str = "", phone: str = ""
) -> Contact:
    """The contact window: sets ``contact``'s name, role (« fonction »), e-mail and phone,
    checked by the model (full_clean). ``actor`` is who changes it (the view requires
    placements.change_contact). Raises ValidationError keyed by field."""
    with transaction.atomic():
        locked = Contact.objects.select_for_update().get(pk=contact.pk)
        locked.name = name.strip()
        locked.role = role.strip()
        locked.email = email.strip()
        locked.phone = phone.strip()
        locked.full_clean()
        locked.save(update_fields=["name", "role", "email", "phone"])
    return locked
