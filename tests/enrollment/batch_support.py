"""What the batch-operation tests share: the guide's institution, an operation built through
the services, and many students at once."""

from enrollment.models import BatchOperation
from enrollment.services import batch
from registrar.demo import SeedReport, seed_guide_students, seed_reference_data
from registrar.models import Admission, AssignmentState, Course, CourseGroup, Student, Term
from tests.factories import AdmissionFactory

# The guide's five students (Image 2.11), by numéro DA.
GUIDE_DA = ["1234567", "2345678", "3456789", "4567890", "5678901"]


def guide_institution() -> dict:
    """The batch guide's institution: INS-TEE-RA group 08459 in H-2018, five students."""
    report = SeedReport()
    seed_reference_data(report)
    seed_guide_students(report)
    return {
        "term": Term.objects.get(code="H-2018"),
        "course": Course.objects.get(number="INS-TEE-RA"),
        "group": CourseGroup.objects.get(course__number="INS-TEE-RA", number="08459"),
        "students": list(Student.objects.filter(da_number__in=GUIDE_DA).order_by("da_number")),
    }


def make_operation(actor, guide, *, students=None, **options) -> BatchOperation:
    """The guide's operation (options overridable) with ``students`` (the guide's five by
    default) selected, through the services."""
    values = {
        "term": guide["term"],
        "create_term_record": True,
        "simulation": True,
        "all_or_nothing": True,
        "assignment_state": AssignmentState.objects.get(code="0"),
        "action": BatchOperation.Action.ADD,
        "course": guide["course"],
        "group": guide["group"],
    }
    values.update(options)
    operation = batch.batch_operation_save(actor=actor, **values)
    students = guide["students"] if students is None else students
    batch.batch_selection_add(
        actor=actor, operation=operation, student_ids=[s.pk for s in students]
    )
    return operation


def bulk_students(count: int, guide) -> list[Student]:
    """``count`` students (DA 800-0000 up), each admitted like Lise Leblanc, in DA order."""
    admission = guide["students"][0].admissions.get()
    students = []
    for i in range(count):
        student = Student(da_number=f"{8000000 + i:07d}", last_name=f"Nom{i}", first_name="P")
        student.refresh_search_fields()
        students.append(student)
    Student.objects.bulk_create(students)
    students = list(Student.objects.filter(da_number__startswith="8").order_by("da_number"))
    Admission.objects.bulk_create(
        AdmissionFactory.build(
            student=student,
            program=admission.program,
            org_unit=admission.org_unit,
            term=admission.term,
        )
        for student in students
    )
    return students
