"""Helpers of the pre-registration tests: an applicant with a link open in a client, and
a pre-registration filled through the services."""

from admissions_sync import steps
from admissions_sync.services import preregistration as services
from tests.admissions_sync.prereg_files import jpeg, pdf

URL = "/admissions/preinscription/"


def step_url(key: str) -> str:
    return f"{URL}etapes/{key}/"


def document_url(kind: str) -> str:
    return f"{URL}pieces/{kind}/"


GOOD = {
    steps.CONTACT: {"email": "lea.martin@example.org", "mobile": "06 12 34 56 78", "phone": ""},
    steps.ADDRESS: {
        "where": "france",
        "address1": "12 rue de la Paix",
        "address2": "",
        "postal_code": "75015",
        "city": "Paris",
        "country": "",
    },
    steps.BAC: {"series": "Générale", "mention": "b", "year": "2026", "ine": "123456789AB"},
    steps.SOCIAL_SECURITY: {"has_number": "on", "number": "2 55 08 14 168 025 38"},
    steps.DOCUMENTS: {"cvec": "PAR1 2345 6789"},
    steps.GUARDIANS: {
        "guardian1_relation": "mere",
        "guardian1_last_name": "Martin",
        "guardian1_first_name": "Anne",
        "guardian1_phone": "06 11 22 33 44",
        "guardian1_email": "",
    },
}


def fill(applicant, *, documents=True):
    """Every step of ``applicant`` saved through the forms and services (documents too)."""
    from admissions_sync.forms.preregistration import STEP_FORMS

    for step in steps.steps_for(applicant):
        if step.key == steps.IDENTITY:
            services.preregistration_save_step(
                applicant=applicant, step=step.key, answers={"confirmed": "1"}
            )
            continue
        form = STEP_FORMS[step.key](GOOD[step.key], applicant=applicant)
        assert form.is_valid(), form.errors
        services.preregistration_save_step(
            applicant=applicant, step=step.key, answers=form.answers()
        )
    if documents:
        services.document_upload(applicant=applicant, kind="identity", uploaded=pdf())
        services.document_upload(applicant=applicant, kind="photo", uploaded=jpeg())
        services.document_upload(applicant=applicant, kind="bac", uploaded=pdf("bac.pdf"))
