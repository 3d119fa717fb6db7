"""What the scale test's scenarios need beyond `manage.py seed_demo`, written through the
services, then printed as JSON for the harness (scripts/scale_test.py). Run in the
application's environment (production settings, the scale database):

    python scripts/scale_test/seed.py --operation-students 1500 --sessions 100 --export OUT.csv

- a batch enrolment of ``--operation-students`` eligible students, ready to execute
  (« Exécuter », mode réel), by the demo user;
- ``--sessions`` certification sessions of the demo's school centre (their attendance
  sheets are the PDF jobs);
- a user of each kind the scenarios sign in as: « echelle-ecritures » (writes while an app
  server stops), « echelle-verrou » (the login lockout), « echelle-admissions » (the
  Parcoursup import), with their passwords;
- a Parcoursup formation and an export file of its applicants (the upload scenario).
"""

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Echelle-2026-mot-de-passe"
# The batch benchmark's operation (bench/batch_enrollment.py): a course group of the demo.
TERM, COURSE, GROUP, ASSIGNMENT_STATE = "H-2018", "INS-TEE-RA", "08459", "0"
FORMATION = ("9876", "BTS Échelle — test de charge", "0759999Z")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--operation-students", type=int, required=True)
    parser.add_argument("--sessions", type=int, required=True)
    parser.add_argument("--export", required=True, help="the Parcoursup export to write")
    parser.add_argument("--export-lines", type=int, default=200)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registrar.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Exists, OuterRef

    from admissions_sync.demo import export_rows, write_export
    from admissions_sync.models import Formation
    from certification.models import CertificationCenter
    from certification.services.sessions import session_create
    from enrollment.models import BatchOperation
    from enrollment.services.batch import batch_operation_save, batch_selection_add
    from registrar import roles
    from registrar.demo import GENERATED_DA_START
    from registrar.models import Admission, AssignmentState, Course, CourseGroup, Student, Term

    User = get_user_model()
    demo = User.objects.get(username="demo")

    def user(username: str, role) -> object:
        account, _created = User.objects.get_or_create(
            username=username, defaults={"first_name": "Test", "last_name": "Échelle"}
        )
        account.set_password(PASSWORD)
        account.is_staff = True
        account.save()
        account.groups.add(Group.objects.get(name=role.name))
        return account

    user("echelle-ecritures", roles.REGISTRAR_STAFF)
    user("echelle-verrou", roles.REGISTRAR_STAFF)
    user("echelle-admissions", roles.ADMISSIONS_OFFICER)

    open_admission = Admission.objects.filter(
        student=OuterRef("pk"), status__in=[Admission.Status.ADMITTED, Admission.Status.ACTIVE]
    )
    students = list(
        Student.objects.filter(
            Exists(open_admission), da_number__gte=str(GENERATED_DA_START), is_active=True
        )
        .order_by("da_number")
        .values_list("pk", flat=True)[: args.operation_students]
    )
    if len(students) < args.operation_students:
        sys.exit(f"only {len(students)} eligible students; seed_demo --students more")
    term = Term.objects.get(code=TERM)
    course = Course.objects.get(number=COURSE)
    operation = batch_operation_save(
        actor=demo,
        term=term,
        create_term_record=True,
        simulation=False,
        all_or_nothing=False,
        assignment_state=AssignmentState.objects.get(code=ASSIGNMENT_STATE),
        action=BatchOperation.Action.ADD,
        course=course,
        group=CourseGroup.objects.get(course=course, term=term, number=GROUP),
    )
    batch_selection_add(actor=demo, operation=operation, student_ids=students)

    center = CertificationCenter.objects.order_by("pk").first()
    sessions = [
        session_create(
            actor=demo,
            center=center,
            name=f"Échelle {i + 1:03d}",
            site="Bâtiment principal",
            room=f"Salle {i % 12 + 1}",
            date=datetime.date(2027, 3, 1) + datetime.timedelta(days=i % 60),
            start_time=datetime.time(9, 0),
            invigilators="Mme Durand",
        ).pk
        for i in range(args.sessions)
    ]

    code, label, uai = FORMATION
    formation, _created = Formation.objects.get_or_create(
        code=code, defaults={"label": label, "uai": uai}
    )
    with open(args.export, "wb") as stream:
        write_export(stream, export_rows(args.export_lines, seed=16, first_number=9_100_001))

    guide_student = (
        Student.objects.filter(da_number__lt=str(GENERATED_DA_START)).order_by("pk").first()
    )
    print(
        json.dumps(
            {
                "password": PASSWORD,
                "operation": operation.pk,
                "operation_students": len(students),
                "sessions": sessions,
                "formation": formation.pk,
                "formation_code": formation.code,
                "export_lines": args.export_lines,
                "student": guide_student.pk,
                "students": Student.objects.count(),
            }
        )
    )


if __name__ == "__main__":
    main()
