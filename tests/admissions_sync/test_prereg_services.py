"""The applicant's services (admissions_sync/services/preregistration.py): every refusal
writes nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from admissions_sync import steps
from admissions_sync.forms.preregistration import STEP_FORMS, display_answers
from admissions_sync.models import (
    Applicant,
    ApplicantDocument,
    ParcoursupImport,
    Preregistration,
    RegistrationEvent,
)
from admissions_sync.services import preregistration as services
from tests.admissions_sync.prereg_files import jpeg, pdf, upload
from tests.admissions_sync.prereg_support import GOOD, fill
from tests.admissions_sync.support import desk_formation, imported_applicants

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("communes")]


@pytest.fixture
def applicant():
    return imported_applicants(desk_formation(), 2)[0]


def snapshot(applicant):
    prereg = Preregistration.objects.filter(applicant=applicant).first()
    return (
        prereg and (prereg.status, prereg.answers, prereg.submitted_at),
        list(ApplicantDocument.objects.values_list("kind", "checksum", "file")),
        RegistrationEvent.objects.filter(applicant=applicant).count(),
    )


def test_save_step_creates_a_draft(applicant):
    prereg = services.preregistration_save_step(
        applicant=applicant,
        step=steps.CONTACT,
        answers={"email": "a@b.fr", "mobile": "+33612345678"},
    )
    assert prereg.status == Preregistration.Status.DRAFT
    assert prereg.answers == {"contact": {"email": "a@b.fr", "mobile": "+33612345678"}}


@pytest.mark.parametrize(
    "step,answers",
    [
        ("inconnue", {"a": "b"}),
        (steps.GUARDIANS, {"guardian1_last_name": "X"}),  # an adult has no guardians step
        (steps.IDENTITY, {"confirmed": "0"}),
        (steps.CONTACT, {"email": 12}),
        (steps.CONTACT, {"email": "x" * 1001}),
        (steps.CONTACT, ["not", "a", "dict"]),
    ],
)
def test_save_step_refusals_write_nothing(applicant, step, answers):
    before = snapshot(applicant)
    with pytest.raises(ValidationError):
        services.preregistration_save_step(applicant=applicant, step=step, answers=answers)
    assert snapshot(applicant) == before


def remove(applicant):
    run = ParcoursupImport.objects.order_by("pk").first()
    Applicant.objects.filter(pk=applicant.pk).update(removed_at=timezone.now(), removed_by=run)
    applicant.refresh_from_db()


def test_removed_applicant_refused_everywhere(applicant):
    services.preregistration_save_step(
        applicant=applicant, step=steps.CONTACT, answers={"email": "a@b.fr"}
    )
    remove(applicant)
    before = snapshot(applicant)
    calls = [
        lambda: services.preregistration_save_step(
            applicant=applicant, step=steps.CONTACT, answers={"email": "c@d.fr"}
        ),
        lambda: services.document_upload(applicant=applicant, kind="photo", uploaded=jpeg()),
        lambda: services.identity_error_report(applicant=applicant, message="Mon nom"),
        lambda: services.preregistration_submit(applicant=applicant),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as caught:
            call()
        assert "n'est plus active dans Parcoursup" in " ".join(caught.value.messages)
    assert snapshot(applicant) == before
    assert Preregistration.objects.get(applicant=applicant).answers == {
        "contact": {"email": "a@b.fr"}
    }


def test_submit_incomplete_lists_missing_steps(applicant):
    services.preregistration_save_step(
        applicant=applicant, step=steps.IDENTITY, answers={"confirmed": "1"}
    )
    before = snapshot(applicant)
    with pytest.raises(ValidationError) as caught:
        services.preregistration_submit(applicant=applicant)
    text = " ".join(caught.value.messages)
    assert "Coordonnées" in text and "Pièces justificatives" in text and "Identité" not in text
    assert snapshot(applicant) == before


def test_documents_step_needs_the_three_files_and_cvec(applicant):
    fill(applicant, documents=False)
    prereg = Preregistration.objects.get(applicant=applicant)
    assert [step.key for step in services.missing_steps(applicant, prereg)] == [steps.DOCUMENTS]
    services.document_upload(applicant=applicant, kind="identity", uploaded=pdf())
    services.document_upload(applicant=applicant, kind="photo", uploaded=jpeg())
    assert services.missing_steps(applicant, prereg)
    services.document_upload(applicant=applicant, kind="bac", uploaded=pdf())
    assert services.missing_steps(applicant, prereg) == []


def test_submit_then_read_only(applicant):
    fill(applicant)
    prereg = services.preregistration_submit(applicant=applicant)
    assert prereg.status == Preregistration.Status.SUBMITTED
    assert prereg.submitted_at is not None and prereg.open_steps == []
    assert (
        RegistrationEvent.objects.filter(
            applicant=applicant, kind=RegistrationEvent.Kind.SUBMITTED
        ).count()
        == 1
    )
    before = snapshot(applicant)
    for call in [
        lambda: services.preregistration_save_step(
            applicant=applicant, step=steps.CONTACT, answers={"email": "c@d.fr"}
        ),
        lambda: services.document_upload(applicant=applicant, kind="photo", uploaded=jpeg()),
        lambda: services.preregistration_submit(applicant=applicant),
        lambda: services.identity_error_report(applicant=applicant, message="Erreur"),
    ]:
        with pytest.raises(ValidationError):
            call()
    assert snapshot(applicant) == before


def test_returned_opens_only_its_steps(applicant):
    fill(applicant)
    services.preregistration_submit(applicant=applicant)
    Preregistration.objects.filter(applicant=applicant).update(
        status=Preregistration.Status.RETURNED,
        open_steps=[steps.DOCUMENTS],
        return_reason="Photo floue",
    )
    services.document_upload(applicant=applicant, kind="photo", uploaded=jpeg("nouvelle.jpg"))
    with pytest.raises(ValidationError):
        services.preregistration_save_step(
            applicant=applicant, step=steps.CONTACT, answers={"email": "c@d.fr"}
        )
    prereg = services.preregistration_submit(applicant=applicant)
    assert prereg.status == Preregistration.Status.SUBMITTED and prereg.open_steps == []


def test_upload_replaces_and_resets_review(applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.document_upload(applicant=applicant, kind="photo", uploaded=jpeg())
    old_name = first.file.name
    ApplicantDocument.objects.filter(pk=first.pk).update(
        status=ApplicantDocument.Status.REFUSED, refusal_reason="Floue"
    )
    with django_capture_on_commit_callbacks(execute=True):
        second = services.document_upload(applicant=applicant, kind="photo", uploaded=pdf("p.pdf"))
    assert second.pk == first.pk
    second.refresh_from_db()
    assert second.status == ApplicantDocument.Status.PENDING and second.refusal_reason == ""
    assert second.content_type == "application/pdf" and second.original_name == "p.pdf"
    assert not default_storage.exists(old_name)
    assert default_storage.exists(second.file.name)
    assert second.file.name.startswith(f"preinscriptions/{applicant.pk}/photo-")
    assert (
        RegistrationEvent.objects.filter(
            applicant=applicant, kind=RegistrationEvent.Kind.DOCUMENT_UPLOADED
        ).count()
        == 2
    )


@pytest.mark.parametrize(
    "uploaded",
    [
        lambda: upload(b"", "vide.pdf", "application/pdf"),
        lambda: upload(b"<html></html>", "page.pdf", "application/pdf"),
        lambda: pdf("photo.jpg"),
        None,
    ],
)
def test_upload_refusals_write_nothing(applicant, uploaded):
    before = snapshot(applicant)
    with pytest.raises(ValidationError):
        services.document_upload(
            applicant=applicant, kind="photo", uploaded=uploaded() if uploaded else None
        )
    assert snapshot(applicant) == before


def test_upload_forged_kind(applicant):
    with pytest.raises(ValidationError):
        services.document_upload(applicant=applicant, kind="../etc", uploaded=pdf())
    assert not ApplicantDocument.objects.exists()


def test_error_report(applicant):
    event = services.identity_error_report(applicant=applicant, message="  Mon prénom est Léa  ")
    assert (
        event.kind == RegistrationEvent.Kind.ERROR_REPORTED and event.note == "Mon prénom est Léa"
    )
    for bad in ["", "   ", "x" * 1001]:
        with pytest.raises(ValidationError):
            services.identity_error_report(applicant=applicant, message=bad)
    assert RegistrationEvent.objects.filter(kind=RegistrationEvent.Kind.ERROR_REPORTED).count() == 1


def test_minor_has_guardians_step(applicant):
    Applicant.objects.filter(pk=applicant.pk).update(
        birth_date=timezone.localdate() - datetime.timedelta(days=365 * 16)
    )
    applicant.refresh_from_db()
    fill(applicant)
    answers = Preregistration.objects.get(applicant=applicant).answers
    assert answers[steps.GUARDIANS]["guardian1_phone"] == "+33611223344"
    shown = display_answers(steps.GUARDIANS, answers[steps.GUARDIANS])
    assert ("Responsable légal 1", "Anne Martin (Mère)") in shown


# --- the forms' contract (the desk's corrections use them) ---------------------------


def test_every_typed_step_has_a_form_with_answers(applicant):
    for key, form_class in STEP_FORMS.items():
        form = form_class(GOOD[key], applicant=applicant)
        assert form.is_valid(), (key, form.errors)
        answers = form.answers()
        assert all(isinstance(value, str) for value in answers.values())
        assert display_answers(key, answers)


def test_form_prefilled_from_parcoursup(applicant):
    form = STEP_FORMS[steps.CONTACT](applicant=applicant)
    assert form.initial["email"] == applicant.email
    form = STEP_FORMS[steps.BAC](applicant=applicant)
    assert form.initial["ine"] == applicant.ine


@pytest.mark.parametrize(
    "key,field,value",
    [
        (steps.CONTACT, "mobile", "١٢٣٤٥٦٧٨٩٠"),
        (steps.CONTACT, "email", "pas-une-adresse"),
        (steps.CONTACT, "email", "a" * 250 + "@b.fr"),
        (steps.ADDRESS, "address1", '=HYPERLINK("http://x","y")'),
        (steps.ADDRESS, "address1", "x" * 151),
        (steps.ADDRESS, "city", "Lyon"),
        (steps.ADDRESS, "postal_code", "٧٥٠١٥"),
        (steps.ADDRESS, "where", "lune"),
        (steps.BAC, "year", "٢٠٢٦"),
        (steps.BAC, "year", "1949"),
        (steps.BAC, "mention", "forgée"),
        (steps.BAC, "ine", "=1+1"),
        (steps.SOCIAL_SECURITY, "number", "2 55 08 14 168 025 39"),
        (steps.SOCIAL_SECURITY, "number", ""),
        (steps.DOCUMENTS, "cvec", "PAR1 2345"),
        (steps.GUARDIANS, "guardian1_relation", "voisin"),
        (steps.GUARDIANS, "guardian2_phone", "0"),
    ],
)
def test_bad_input_at_its_field(applicant, key, field, value):
    data = {**GOOD[key], field: value}
    form = STEP_FORMS[key](data, applicant=applicant)
    assert not form.is_valid()
    assert field in form.errors, form.errors


def test_address_abroad(applicant):
    data = {
        "where": "etranger",
        "address1": "Rue Neuve 1",
        "city": "Bruxelles",
        "country": "belgique",
        "postal_code": "1000",
    }
    form = STEP_FORMS[steps.ADDRESS](data, applicant=applicant)
    assert form.is_valid(), form.errors
    assert form.answers()["country"] == "Belgique"
    form = STEP_FORMS[steps.ADDRESS]({**data, "country": "Atlantide"}, applicant=applicant)
    assert not form.is_valid() and "country" in form.errors
    form = STEP_FORMS[steps.ADDRESS]({**data, "country": ""}, applicant=applicant)
    assert not form.is_valid() and "country" in form.errors
