"""The desk's PDFs (docs/architecture.md rule 8): the « Reçu de paiement » and the
« Certificat de scolarité », through registrar/pdf.py. Read only; nothing fetched."""

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from admissions_sync.models import PARCOURSUP_TIME_ZONE, Applicant, Payment, Registration
from admissions_sync.services.desk import PARIS, fees_due, paris_day
from registrar import pdf

RECEIPT_TEMPLATE = "admissions_sync/pdf/receipt.html"
CERTIFICATE_TEMPLATE = "admissions_sync/pdf/certificate.html"


def _language() -> str:
    return (get_language() or "fr")[:2]


def _user_label(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def receipt_pdf(applicant: Applicant, payment: Payment) -> bytes:
    """The « Reçu de paiement » n° ``payment.receipt_number``: the applicant, the
    formation, the fee lines, the total, the method, the reference, who and when."""
    _total, lines = fees_due(applicant.formation, scholarship=payment.scholarship)
    title = _("Reçu de paiement")
    heading = f"{title} n° {payment.receipt_number}"
    return pdf.render_pdf(
        RECEIPT_TEMPLATE,
        {
            "language": _language(),
            "title": title,
            "heading": heading,
            "institution": settings.INSTITUTION_NAME,
            "css": {
                "center": pdf.css_string(settings.INSTITUTION_NAME),
                "heading": pdf.css_string(heading),
            },
            "applicant": applicant,
            "payment": payment,
            "lines": lines,
            "recorded_at": date_format(
                timezone.localtime(payment.recorded_at, PARIS), "SHORT_DATETIME_FORMAT"
            ),
            "recorded_by": _user_label(payment.recorded_by),
            "time_zone": PARCOURSUP_TIME_ZONE,
        },
    )


def certificate_pdf(applicant: Applicant, registration: Registration) -> bytes:
    """The « Certificat de scolarité » of a validated registration: the institution, the
    student's DA, name, birth date, the formation, the program, the term, the day, a
    signature line."""
    title = _("Certificat de scolarité")
    student = registration.student
    formation = applicant.formation
    return pdf.render_pdf(
        CERTIFICATE_TEMPLATE,
        {
            "language": _language(),
            "title": title,
            "institution": settings.INSTITUTION_NAME,
            "css": {
                "center": pdf.css_string(settings.INSTITUTION_NAME),
                "heading": pdf.css_string(title),
            },
            "applicant": applicant,
            "student": student,
            "registration": registration,
            "formation": formation,
            "program": registration.admission.program if registration.admission else None,
            "term": registration.admission.term if registration.admission else None,
            "day": date_format(paris_day(), "j F Y"),
            "birth_date": date_format(student.birth_date, "j F Y") if student.birth_date else "",
        },
    )
