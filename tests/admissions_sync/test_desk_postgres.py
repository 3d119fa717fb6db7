"""What only PostgreSQL shows of the desk: two agents validating the same applicant at once
make ONE student and ONE admission; two paying at once record one payment; two receipts of
different applicants at once get two numbers (row locks between connections)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from admissions_sync.models import ApplicantDocument, Payment, Registration, RegistrationEvent
from admissions_sync.services import desk
from registrar.models import Admission, Student
from tests.admissions_sync.desk_support import ready, submit
from tests.admissions_sync.support import desk_formation, imported_applicants

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks between connections need PostgreSQL",
    ),
]


def _race(calls):
    """Run each of ``calls`` in its own thread (its own connection), all released at once;
    what each returned, or the text of its refusal."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except ValidationError as error:
            outcomes[index] = " ".join(error.messages)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_two_agents_validating_at_once_make_one_student_and_one_admission(admissions_officer):
    applicant = imported_applicants(desk_formation(), 1)[0]
    ready(applicant, admissions_officer)
    outcomes = _race(
        [
            lambda: desk.registration_validate(
                actor=admissions_officer, applicant=applicant, student=None
            ),
            lambda: desk.registration_validate(
                actor=admissions_officer, applicant=applicant, student=None
            ),
        ]
    )
    assert all(isinstance(outcome, Registration) for outcome in outcomes), outcomes
    assert outcomes[0].student_id == outcomes[1].student_id
    assert Student.objects.count() == 1
    assert Admission.objects.count() == 1
    assert RegistrationEvent.objects.filter(kind=RegistrationEvent.Kind.VALIDATED).count() == 1


def test_two_agents_paying_at_once_record_one_payment(admissions_officer):
    applicant = imported_applicants(desk_formation(), 1)[0]
    submit(applicant, status=ApplicantDocument.Status.ACCEPTED)

    def pay():
        return desk.payment_record(
            actor=admissions_officer, applicant=applicant, method="card", scholarship=False
        )

    outcomes = _race([pay, pay])
    assert sum(isinstance(outcome, Payment) for outcome in outcomes) == 1
    assert any("déjà enregistré" in str(outcome) for outcome in outcomes)
    assert Payment.objects.count() == 1


def test_receipts_of_two_applicants_at_once_get_two_numbers(admissions_officer):
    first, second = imported_applicants(desk_formation(), 2)
    for applicant in (first, second):
        submit(applicant, status=ApplicantDocument.Status.ACCEPTED)
    outcomes = _race(
        [
            lambda: desk.payment_record(
                actor=admissions_officer, applicant=first, method="card", scholarship=False
            ),
            lambda: desk.payment_record(
                actor=admissions_officer, applicant=second, method="cash", scholarship=False
            ),
        ]
    )
    assert all(isinstance(outcome, Payment) for outcome in outcomes), outcomes
    assert len({outcome.receipt_number for outcome in outcomes}) == 2
