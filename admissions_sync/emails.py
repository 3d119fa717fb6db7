"""The messages the admissions app sends to applicants (docs/architecture.md « emails »),
through registrar/services/mail.py, which records each one. French first: the applicants
are French; the English line follows for those who read it better."""

from django.template.loader import render_to_string

from admissions_sync.models import Applicant

LINK_PURPOSE = "Lien de préinscription"
REFUSAL_PURPOSE = "Pièce refusée"
RETURN_PURPOSE = "Préinscription renvoyée"


def link_message(applicant: Applicant, address: str, expires_on) -> tuple[str, str]:
    """Subject and body of the personal link's message."""
    context = {"applicant": applicant, "address": address, "expires_on": expires_on}
    subject = f"Votre préinscription – {applicant.formation.label}"
    return subject[:200], render_to_string("admissions_sync/emails/link.txt", context)


def document_refused_message(applicant: Applicant, document, address: str) -> tuple[str, str]:
    """Subject and body telling the applicant a document was refused, why, and where to
    upload another."""
    context = {"applicant": applicant, "document": document, "address": address}
    subject = f"Préinscription : pièce à remplacer – {document.get_kind_display()}"
    return subject[:200], render_to_string("admissions_sync/emails/document_refused.txt", context)


def returned_message(applicant: Applicant, reason: str, address: str) -> tuple[str, str]:
    """Subject and body telling the applicant the desk sent the pre-registration back."""
    context = {"applicant": applicant, "reason": reason, "address": address}
    subject = "Votre préinscription vous est renvoyée"
    return subject, render_to_string("admissions_sync/emails/returned.txt", context)
