"""The registration desk's services (admissions_sync/services/desk.py): each change and each
refusal (a French message, nothing written)."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from admissions_sync import steps
from admissions_sync.models import (
    ApplicantDocument,
    Payment,
    Preregistration,
    Registration,
    RegistrationEvent,
)
from admissions_sync.selectors.desk import registration_matches
from admissions_sync.selectors.export import report_lines
from admissions_sync.services import desk
from registrar.models import Admission, AuditEntry, Student
from tests.admissions_sync.desk_support import add_document, ready, submit
from tests.admissions_sync.support import desk_formation, imported_applicants
from tests.factories import FeeFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def formation():
    return desk_formation()


@pytest.fixture
def applicant(formation):
    return imported_applicants(formation, 2)[0]


def _counts():
    return (
        RegistrationEvent.objects.count(),
        Registration.objects.count(),
        Payment.objects.count(),
        Student.objects.count(),
        Admission.objects.count(),
    )


# --- documents --------------------------------------------------------------------------


def test_accepting_a_document_opens_the_registration(applicant, admissions_officer):
    preregistration = submit(applicant)
    document = preregistration.documents.get(kind="identity")
    outcome = desk.document_review(actor=admissions_officer, document=document, accepted=True)
    document.refresh_from_db()
    assert document.status == ApplicantDocument.Status.ACCEPTED
    assert document.reviewed_by == admissions_officer
    registration = Registration.objects.get(applicant=applicant)
    assert registration.opened_by == admissions_officer and registration.validated_at is None
    event = RegistrationEvent.objects.get(applicant=applicant)
    assert event.kind == RegistrationEvent.Kind.DOCUMENT_ACCEPTED
    assert outcome.warning == "" and mail.outbox == []


def test_refusing_a_document_reopens_its_step_and_mails_a_new_link(applicant, admissions_officer):
    preregistration = submit(applicant)
    document = preregistration.documents.get(kind="photo")
    outcome = desk.document_review(
        actor=admissions_officer,
        document=document,
        accepted=False,
        reason="Photo floue",
        base_url="https://inscriptions.example.org/",
    )
    assert outcome.warning == ""
    document.refresh_from_db()
    preregistration.refresh_from_db()
    assert document.status == ApplicantDocument.Status.REFUSED
    assert document.refusal_reason == "Photo floue"
    assert preregistration.status == Preregistration.Status.RETURNED
    assert preregistration.open_steps == [steps.DOCUMENTS]
    assert steps.may_change(preregistration, steps.DOCUMENTS)
    assert not steps.may_change(preregistration, steps.CONTACT)
    [message] = mail.outbox
    assert message.to == [applicant.email]
    assert "Photo floue" in message.body
    assert "https://inscriptions.example.org/admissions/preinscription/lien/" in message.body
    kinds = list(
        RegistrationEvent.objects.filter(applicant=applicant).values_list("kind", flat=True)
    )
    assert RegistrationEvent.Kind.DOCUMENT_REFUSED in kinds
    assert RegistrationEvent.Kind.LINK_SENT in kinds


def test_a_mail_failure_is_a_warning_and_the_refusal_stays(applicant, admissions_officer):
    applicant.email = ""
    applicant.save()
    preregistration = submit(applicant)
    document = preregistration.documents.get(kind="photo")
    outcome = desk.document_review(
        actor=admissions_officer, document=document, accepted=False, reason="Floue"
    )
    assert "n'a pas pu partir" in outcome.warning
    document.refresh_from_db()
    assert document.status == ApplicantDocument.Status.REFUSED


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_a_refusal_needs_a_reason_of_at_most_1000_characters(applicant, admissions_officer, reason):
    preregistration = submit(applicant)
    document = preregistration.documents.get(kind="photo")
    before = _counts()
    with pytest.raises(ValidationError) as error:
        desk.document_review(
            actor=admissions_officer, document=document, accepted=False, reason=reason
        )
    assert "motif" in str(error.value)
    document.refresh_from_db()
    assert document.status == ApplicantDocument.Status.PENDING
    assert _counts() == before


def test_no_review_of_a_draft_or_of_a_removed_applicant(formation, admissions_officer):
    first, second = imported_applicants(formation, 2)
    draft = submit(first)
    draft.status = Preregistration.Status.DRAFT
    draft.save()
    with pytest.raises(ValidationError, match="pas encore validé"):
        desk.document_review(
            actor=admissions_officer, document=draft.documents.first(), accepted=True
        )
    submitted = submit(second)
    from admissions_sync.models import Applicant

    Applicant.objects.filter(pk=second.pk).update(
        removed_at=timezone.now(), removed_by=second.first_import
    )
    with pytest.raises(ValidationError, match="retiré de Parcoursup"):
        desk.document_review(
            actor=admissions_officer, document=submitted.documents.first(), accepted=True
        )
    assert not Registration.objects.exists()


# --- return and corrections ------------------------------------------------------------


def test_return_reopens_every_typed_step_and_mails(applicant, admissions_officer):
    preregistration = submit(applicant)
    outcome = desk.preregistration_return(
        actor=admissions_officer, applicant=applicant, reason="Adresse incomplète"
    )
    preregistration.refresh_from_db()
    assert outcome.warning == ""
    assert preregistration.status == Preregistration.Status.RETURNED
    assert preregistration.return_reason == "Adresse incomplète"
    assert set(preregistration.open_steps) == {
        step.key for step in steps.steps_for(applicant) if step.typed
    }
    assert steps.IDENTITY not in preregistration.open_steps
    [message] = mail.outbox
    assert "Adresse incomplète" in message.body


def test_return_refused_for_a_returned_one_and_without_reason(applicant, admissions_officer):
    submit(applicant)
    with pytest.raises(ValidationError):
        desk.preregistration_return(actor=admissions_officer, applicant=applicant, reason="")
    desk.preregistration_return(actor=admissions_officer, applicant=applicant, reason="A")
    with pytest.raises(ValidationError, match="Seule une préinscription validée"):
        desk.preregistration_return(actor=admissions_officer, applicant=applicant, reason="B")


def test_a_correction_keeps_each_changed_field_before_and_after(applicant, admissions_officer):
    preregistration = submit(applicant)
    changes = desk.preregistration_correct(
        actor=admissions_officer,
        applicant=applicant,
        step=steps.CONTACT,
        answers={"email": "lea@example.org", "mobile": "+33612345678", "phone": ""},
    )
    assert changes == {"email": ["lea.martin@example.fr", "lea@example.org"]}
    preregistration.refresh_from_db()
    assert preregistration.answers[steps.CONTACT]["email"] == "lea@example.org"
    event = RegistrationEvent.objects.get(kind=RegistrationEvent.Kind.CORRECTED)
    assert event.step == steps.CONTACT and event.changes == changes
    assert event.actor == admissions_officer


def test_a_correction_that_changes_nothing_writes_nothing(applicant, admissions_officer):
    submit(applicant)
    before = _counts()
    changes = desk.preregistration_correct(
        actor=admissions_officer,
        applicant=applicant,
        step=steps.CONTACT,
        answers={"email": "lea.martin@example.fr"},
    )
    assert changes == {} and _counts() == before


@pytest.mark.parametrize("step", [steps.IDENTITY, steps.DOCUMENTS, "forged", steps.GUARDIANS])
def test_a_correction_of_a_step_not_typed_here_is_refused(applicant, admissions_officer, step):
    submit(applicant)
    with pytest.raises(ValidationError, match="ne se corrige pas"):
        desk.preregistration_correct(
            actor=admissions_officer, applicant=applicant, step=step, answers={"x": "y"}
        )


# --- payment ---------------------------------------------------------------------------


def test_fees_due_with_and_without_the_scholarship(formation):
    FeeFactory(formation=formation, label="CVEC", amount="103.00", scholarship_exempt=False)
    FeeFactory(formation=formation, label="Ancienne", amount="9.00", is_active=False)
    total, lines = desk.fees_due(formation, scholarship=False)
    assert total == Decimal("281.00") and len(lines) == 2
    total, lines = desk.fees_due(formation, scholarship=True)
    assert total == Decimal("103.00") and [line.label for line in lines] == ["CVEC"]


def test_a_payment_gets_the_next_receipt_number_of_the_year(formation, admissions_officer):
    first, second = imported_applicants(formation, 2)
    payment = ready(first, admissions_officer)
    year = desk.paris_day().year
    assert payment.receipt_number == f"{year}-000001"
    assert payment.amount == Decimal("178.00")
    assert ready(second, admissions_officer).receipt_number == f"{year}-000002"
    registration = Registration.objects.get(applicant=first)
    assert registration.paid_at is not None and registration.reported_on is None
    assert RegistrationEvent.objects.filter(
        applicant=first, kind=RegistrationEvent.Kind.PAID
    ).exists()


def test_paying_twice_is_refused(applicant, admissions_officer):
    ready(applicant, admissions_officer)
    with pytest.raises(ValidationError, match="déjà enregistré"):
        desk.payment_record(
            actor=admissions_officer, applicant=applicant, method="cash", scholarship=False
        )
    assert Payment.objects.count() == 1


def test_the_scholarship_needs_an_accepted_attestation(applicant, admissions_officer):
    preregistration = submit(applicant)
    before = _counts()
    with pytest.raises(ValidationError) as error:
        desk.payment_record(
            actor=admissions_officer, applicant=applicant, method="exemption", scholarship=True
        )
    assert "attestation de bourse" in str(error.value)
    assert _counts() == before
    add_document(preregistration, "scholarship", status=ApplicantDocument.Status.ACCEPTED)
    with pytest.raises(ValidationError, match="Exonération"):
        desk.payment_record(
            actor=admissions_officer, applicant=applicant, method="card", scholarship=True
        )
    payment = desk.payment_record(
        actor=admissions_officer, applicant=applicant, method="exemption", scholarship=True
    )
    assert payment.amount == 0 and payment.scholarship_proof.kind == "scholarship"


def test_exemption_is_refused_to_a_payer(applicant, admissions_officer):
    submit(applicant)
    with pytest.raises(ValidationError, match="Exonération"):
        desk.payment_record(
            actor=admissions_officer, applicant=applicant, method="exemption", scholarship=False
        )


@pytest.mark.parametrize(
    "method,reference",
    [
        ("bitcoin", ""),
        ("card", '=HYPERLINK("http://x")'),
        ("card", "x" * 41),
        ("cheque", "١٢٣"),
        ("cheque", "<script>"),
    ],
)
def test_bad_payment_input_is_refused(applicant, admissions_officer, method, reference):
    submit(applicant)
    before = _counts()
    with pytest.raises(ValidationError):
        desk.payment_record(
            actor=admissions_officer,
            applicant=applicant,
            method=method,
            scholarship=False,
            reference=reference,
        )
    assert _counts() == before


# --- validation ------------------------------------------------------------------------


def test_validation_creates_the_student_and_the_admission(applicant, admissions_officer):
    ready(applicant, admissions_officer)
    registration = desk.registration_validate(
        actor=admissions_officer, applicant=applicant, student=None
    )
    student = registration.student
    assert (student.last_name, student.first_name) == (applicant.last_name, applicant.first_name)
    assert student.birth_date == applicant.birth_date
    assert student.sex == ("F" if applicant.civility == "MME" else "M")
    assert student.email == "lea.martin@example.fr"
    assert student.address_line1 == "12 rue des Lilas" and student.postal_code == "75011"
    assert student.city == "Paris" and student.country == "France"
    admission = registration.admission
    formation = applicant.formation
    assert admission.program == formation.program and admission.grid_code == formation.grid_code
    assert admission.term == formation.admission_term
    assert admission.status == Admission.Status.ADMITTED
    assert registration.reported_on == desk.paris_day()
    assert registration.validated_by == admissions_officer
    screens = set(AuditEntry.objects.filter(student=student).values_list("screen", flat=True))
    assert screens == {desk.SCREEN}
    numbers = [line.candidate_number for line in report_lines(desk.paris_day())]
    assert numbers == [applicant.candidate_number]


def test_validating_twice_writes_nothing_more(applicant, admissions_officer):
    ready(applicant, admissions_officer)
    first = desk.registration_validate(actor=admissions_officer, applicant=applicant, student=None)
    before = _counts()
    again = desk.registration_validate(actor=admissions_officer, applicant=applicant, student=None)
    assert again.pk == first.pk and again.student_id == first.student_id
    assert _counts() == before


def test_validation_updates_the_confirmed_match(applicant, admissions_officer):
    existing = StudentFactory(
        last_name=applicant.last_name.title(),
        first_name=applicant.first_name,
        birth_date=applicant.birth_date,
        email="",
        permanent_code="",
    )
    assert registration_matches(applicant) == [existing]
    ready(applicant, admissions_officer)
    registration = desk.registration_validate(
        actor=admissions_officer, applicant=applicant, student=existing, state=2
    )
    assert registration.student == existing and registration.state == 2
    existing.refresh_from_db()
    assert existing.email == "lea.martin@example.fr"
    assert Student.objects.count() == 1
    assert AuditEntry.objects.filter(
        student=existing, action=AuditEntry.Action.UPDATE, screen=desk.SCREEN
    ).exists()


def test_an_ine_match_comes_first(applicant, admissions_officer):
    applicant.ine = "1234567890A"
    applicant.save()
    by_ine = StudentFactory(ine="1234567890A")
    homonym = StudentFactory(
        last_name=applicant.last_name,
        first_name=applicant.first_name,
        birth_date=applicant.birth_date,
    )
    assert registration_matches(applicant) == [by_ine, homonym]


def test_a_new_student_with_a_taken_ine_is_refused(applicant, admissions_officer):
    applicant.ine = "1234567890A"
    applicant.save()
    StudentFactory(ine="1234567890A")
    ready(applicant, admissions_officer)
    before = _counts()
    with pytest.raises(ValidationError, match="INE"):
        desk.registration_validate(actor=admissions_officer, applicant=applicant, student=None)
    assert _counts() == before


@pytest.mark.parametrize("what", ["documents", "payment", "formation", "state", "draft"])
def test_validation_refusals_write_nothing(applicant, admissions_officer, what):
    state = 1
    if what == "documents":
        submit(applicant)
        desk.payment_record(
            actor=admissions_officer, applicant=applicant, method="card", scholarship=False
        )
        expected = "Pièces à accepter"
    elif what == "payment":
        submit(applicant, status=ApplicantDocument.Status.ACCEPTED)
        expected = "paiement"
    elif what == "formation":
        ready(applicant, admissions_officer)
        formation = applicant.formation
        formation.grid_code = ""
        formation.admission_term = None
        formation.save()
        expected = "la grille, la session d'admission"
    elif what == "state":
        ready(applicant, admissions_officer)
        state = 3
        expected = "état"
    else:
        ready(applicant, admissions_officer)
        Preregistration.objects.filter(applicant=applicant).update(status="returned")
        expected = "pas encore validé"
    before = _counts()
    with pytest.raises(ValidationError) as error:
        desk.registration_validate(
            actor=admissions_officer, applicant=applicant, student=None, state=state
        )
    assert expected in " ".join(error.value.messages)
    assert _counts() == before


def test_paid_after_validation_is_reported_that_day(formation, admissions_officer):
    """Reported_on is set by whichever of the payment and the validation comes last."""
    applicant = imported_applicants(formation, 1)[0]
    submit(applicant, status=ApplicantDocument.Status.ACCEPTED)
    registration = desk.registration_open(actor=admissions_officer, applicant=applicant)
    assert registration.reported_on is None
    desk.payment_record(
        actor=admissions_officer,
        applicant=applicant,
        method="transfer",
        scholarship=False,
        reference="VIR-2026/07",
    )
    registration.refresh_from_db()
    assert registration.reported_on is None and registration.paid_at is not None


# --- cancellation ----------------------------------------------------------------------


def test_cancellation_is_reported_with_state_3(applicant, admissions_officer):
    ready(applicant, admissions_officer)
    registration = desk.registration_validate(
        actor=admissions_officer, applicant=applicant, student=None
    )
    Registration.objects.filter(pk=registration.pk).update(
        reported_on=desk.paris_day() - datetime.timedelta(days=2)
    )
    desk.registration_cancel(actor=admissions_officer, applicant=applicant, reason="Désistement")
    registration.refresh_from_db()
    assert registration.cancelled_on == desk.paris_day()
    assert registration.cancel_reason == "Désistement"
    registration.admission.refresh_from_db()
    assert registration.admission.status == Admission.Status.CANCELLED
    [line] = report_lines(desk.paris_day())
    assert line.state == 3
    with pytest.raises(ValidationError, match="déjà annulée"):
        desk.registration_cancel(actor=admissions_officer, applicant=applicant, reason="x")
    with pytest.raises(ValidationError, match="annulée"):
        desk.registration_validate(actor=admissions_officer, applicant=applicant, student=None)


def test_cancelling_needs_a_validated_registration_and_a_reason(applicant, admissions_officer):
    ready(applicant, admissions_officer)
    with pytest.raises(ValidationError, match="Seule une inscription validée"):
        desk.registration_cancel(actor=admissions_officer, applicant=applicant, reason="x")
    desk.registration_validate(actor=admissions_officer, applicant=applicant, student=None)
    with pytest.raises(ValidationError):
        desk.registration_cancel(actor=admissions_officer, applicant=applicant, reason=" ")
