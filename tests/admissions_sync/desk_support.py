"""Set-up shared by the desk's tests (tests/admissions_sync/test_desk_*.py): submitted
pre-registrations written directly, with their documents saved through Django's storage
(the applicant side's services are not needed)."""

import datetime
import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from admissions_sync import steps
from admissions_sync.models import ApplicantDocument, Preregistration

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x8d\x9a\x1e"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)

ANSWERS = {
    steps.CONTACT: {"email": "lea.martin@example.fr", "mobile": "+33612345678", "phone": ""},
    steps.ADDRESS: {
        "where": "france",
        "address1": "12 rue des Lilas",
        "address2": "",
        "postal_code": "75011",
        "city": "Paris",
        "country": "",
    },
    steps.BAC: {"series": "Générale", "mention": "b", "year": "2026", "ine": ""},
    steps.SOCIAL_SECURITY: {"has_number": "0", "number": ""},
    steps.DOCUMENTS: {"cvec": ""},
}


def add_document(preregistration, kind, *, status=ApplicantDocument.Status.PENDING, reason=""):
    content, content_type = (PNG, "image/png") if kind == "photo" else (PDF, "application/pdf")
    document = ApplicantDocument(
        preregistration=preregistration,
        kind=kind,
        original_name=f"{kind}.{'png' if content_type == 'image/png' else 'pdf'}",
        content_type=content_type,
        size=len(content),
        checksum=hashlib.sha256(content).hexdigest(),
        uploaded_at=timezone.now(),
        status=status,
        refusal_reason=reason,
    )
    document.file.save("piece", ContentFile(content), save=False)
    document.save()
    return document


def submit(
    applicant,
    *,
    documents=("identity", "photo", "bac"),
    status=ApplicantDocument.Status.PENDING,
    answers=None,
):
    """A SUBMITTED pre-registration of ``applicant`` with ``documents`` in ``status``."""
    preregistration = Preregistration.objects.create(
        applicant=applicant,
        status=Preregistration.Status.SUBMITTED,
        answers=answers if answers is not None else {k: dict(v) for k, v in ANSWERS.items()},
        submitted_at=timezone.now() - datetime.timedelta(hours=1),
    )
    for kind in documents:
        add_document(preregistration, kind, status=status)
    return preregistration


def ready(applicant, actor):
    """Submitted, every required document accepted, paid by card: ready to validate."""
    from admissions_sync.services.desk import payment_record

    submit(applicant, status=ApplicantDocument.Status.ACCEPTED)
    return payment_record(actor=actor, applicant=applicant, method="card", scholarship=False)
