"""The applicant's pre-registration summary as a PDF (« Récapitulatif de préinscription »,
docs/guide/preinscription.md), through registrar/pdf.py. Writes nothing."""

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from admissions_sync.models import Applicant, Preregistration
from registrar import pdf
from registrar.formats import short_date

TEMPLATE = "admissions_sync/pdf/preregistration_summary.html"


def summary_filename(applicant: Applicant) -> str:
    """« recapitulatif-preinscription-1200001-dupont.pdf »."""
    return (
        f"recapitulatif-preinscription-{applicant.candidate_number}-"
        f"{slugify(applicant.last_name) or 'candidat'}.pdf"
    )


def summary_pdf(
    applicant: Applicant, preregistration: Preregistration | None, sections: list[dict]
) -> bytes:
    """The summary's PDF bytes: the applicant, the status, then each step's ``sections``
    (views.preregistration._summary_sections: step, pairs, documents)."""
    title = _("Récapitulatif de préinscription")
    submitted = (
        preregistration is not None and preregistration.status == Preregistration.Status.SUBMITTED
    )
    if submitted:
        status = _("Préinscription validée le %(date)s") % {
            "date": short_date(timezone.localdate(preregistration.submitted_at))
        }
    else:
        status = _("Brouillon : préinscription pas encore validée")
    name = f"{applicant.last_name} {applicant.first_name}"
    context = {
        "language": get_language() or "fr",
        "title": title,
        "applicant": applicant,
        "formation": str(applicant.formation),
        "status": status,
        "submitted": submitted,
        "sections": sections,
        "printed_on": short_date(timezone.localdate()),
        "css": {
            "heading": pdf.css_string(f"{title} — {name}"),
            "footer": pdf.css_string(
                _("Numéro Parcoursup %(number)s") % {"number": applicant.candidate_number}
            ),
            "page": pdf.css_string(_("Page")),
        },
    }
    return pdf.render_pdf(TEMPLATE, context)
