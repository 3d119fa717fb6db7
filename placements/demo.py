"""Demo data of the placement cycle (docs/guide/stages.md): three receiving agencies — one
connected (« utilise le système »), two receiving PDFs — with their sites, services,
destinations and contact persons; demo_stages coordinating « 180.A0 Soins infirmiers »;
the cohort « Soins infirmiers – entrée A-2025 » whose last term's course has a group
worksheet whose requests were answered (several accepted: « Copier les stages acceptés la
dernière fois » has something to copy), whose current term's course is set up with its
students enrolled and no worksheet yet; the previous cohort, whose same course was placed
last year; and a second program's cohort that demo_stages does not see.

Idempotent, like registrar.demo; called by ``manage.py seed_demo`` through
registrar.demo.seed_apps(). Request statuses move through
placements.services.requests.requests_set_status, so each request has its history.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from placements.models import (
    Agency,
    Assignment,
    Cohort,
    CohortCourse,
    CohortEnrollment,
    Contact,
    Destination,
    PlacementRequest,
    ProgramCoordinator,
    ReceivingCoordinator,
    Service,
    ServiceCapacity,
    Site,
    Worksheet,
)
from placements.services.requests import record_creation, requests_set_status
from registrar.models import Admission, Course, Discipline, OrgUnit, Program, Student, Term
from registrar.validators import build_permanent_code

COORDINATOR = "demo_stages"  # registrar.demo's placement coordinator (« Coordination des stages »)
# registrar.demo's receiving coordinator, who answers for the connected agency below.
RECEIVER = "demo_receveur"
RECEIVER_AGENCY = "CISSS de la Montérégie-Centre"
# (agency, site, service, start, end, students at once): the services' « capacité d'accueil »
# for the autumn 2026 term, all programs together (the over-allocation check).
CAPACITIES = [
    (
        "CISSS de la Montérégie-Centre",
        "Hôpital Charles-Le Moyne",
        "Médecine 3e",
        datetime.date(2026, 8, 17),
        datetime.date(2026, 12, 18),
        8,
    ),
    (
        "CISSS de la Montérégie-Centre",
        "Hôpital Charles-Le Moyne",
        "Chirurgie 4e",
        datetime.date(2026, 8, 17),
        datetime.date(2026, 12, 18),
        6,
    ),
    (
        "CIUSSS de l'Est-de-l'Île-de-Montréal",
        "Hôpital Maisonneuve-Rosemont",
        "Médecine 5e",
        datetime.date(2026, 8, 17),
        datetime.date(2026, 12, 18),
        4,
    ),
]
NURSING = ("180.A0", "Soins infirmiers")
RESPIRATORY = ("141.A0", "Techniques d'inhalothérapie")

# (name, uses the system, address, city, postal code, sites); a site: (name, address, city,
# postal code, services); a service: (name, destinations).
AGENCIES = [
    (
        "CISSS de la Montérégie-Centre",
        True,
        "3120, boulevard Taschereau",
        "Greenfield Park",
        "J4V 2H1",
        [
            (
                "Hôpital Charles-Le Moyne",
                "3120, boulevard Taschereau",
                "Greenfield Park",
                "J4V 2H1",
                [
                    ("Médecine 3e", ["Unité 3A", "Unité 3B"]),
                    ("Chirurgie 4e", ["Unité 4A"]),
                    ("Pédiatrie", []),
                    ("Soins intensifs", []),
                ],
            ),
            (
                "Hôpital du Haut-Richelieu",
                "920, boulevard du Séminaire Nord",
                "Saint-Jean-sur-Richelieu",
                "J3A 1B7",
                [("Médecine 2e", []), ("Gériatrie", [])],
            ),
        ],
    ),
    (
        "CIUSSS de l'Est-de-l'Île-de-Montréal",
        False,
        "5415, boulevard de l'Assomption",
        "Montréal",
        "H1T 2M4",
        [
            (
                "Hôpital Maisonneuve-Rosemont",
                "5415, boulevard de l'Assomption",
                "Montréal",
                "H1T 2M4",
                [("Médecine 5e", ["Aile A", "Aile B"]), ("Chirurgie 6e", []), ("Oncologie", [])],
            ),
            (
                "Hôpital Santa Cabrini",
                "5655, rue Saint-Zotique Est",
                "Montréal",
                "H1T 1P7",
                [("Médecine 2e", []), ("Urgence", [])],
            ),
        ],
    ),
    (
        "CISSS de Laval",
        False,
        "1755, boulevard René-Laennec",
        "Laval",
        "H7M 3L9",
        [
            (
                "Hôpital de la Cité-de-la-Santé",
                "1755, boulevard René-Laennec",
                "Laval",
                "H7M 3L9",
                [("Obstétrique", []), ("Médecine 4e", []), ("Psychiatrie", [])],
            ),
        ],
    ),
]
# (agency, site or "", service or "", name, role, e-mail, phone)
CONTACTS = [
    (
        "CISSS de la Montérégie-Centre",
        "",
        "",
        "Josée Tremblay",
        "Coordonnatrice des stages",
        "stages.monteregie-centre@example.org",
        "450 466-5000",
    ),
    (
        "CISSS de la Montérégie-Centre",
        "Hôpital Charles-Le Moyne",
        "Médecine 3e",
        "Martin Gagnon",
        "Chef d'unité",
        "martin.gagnon@example.org",
        "450 466-5000 poste 2301",
    ),
    (
        "CIUSSS de l'Est-de-l'Île-de-Montréal",
        "",
        "",
        "Isabelle Côté",
        "Coordonnatrice de l'enseignement",
        "stages.est-mtl@example.org",
        "514 252-3400",
    ),
    (
        "CIUSSS de l'Est-de-l'Île-de-Montréal",
        "Hôpital Santa Cabrini",
        "",
        "Luc Bergeron",
        "Responsable des stages",
        "luc.bergeron@example.org",
        "514 252-6000",
    ),
    (
        "CISSS de Laval",
        "",
        "",
        "Nathalie Lavoie",
        "Agente de planification des stages",
        "stages.laval@example.org",
        "450 668-1010",
    ),
]

TERMS = [
    ("A-2024", datetime.date(2024, 8, 21), datetime.date(2024, 12, 20)),
    ("H-2025", datetime.date(2025, 1, 20), datetime.date(2025, 5, 23)),
    ("A-2025", datetime.date(2025, 8, 20), datetime.date(2025, 12, 19)),
    ("H-2026", datetime.date(2026, 1, 19), datetime.date(2026, 5, 22)),
    ("A-2026", datetime.date(2026, 8, 19), datetime.date(2026, 12, 18)),
    ("H-2027", datetime.date(2027, 1, 18), datetime.date(2027, 5, 21)),
]
# number, title, discipline
COURSES = [
    ("180-3P4-MV", "Soins infirmiers en médecine et en chirurgie", "180"),
    ("180-4P5-MV", "Soins infirmiers en périnatalité et en pédiatrie", "180"),
    ("180-5P3-MV", "Soins infirmiers en santé mentale", "180"),
    ("141-4B4-MV", "Assistance ventilatoire en soins critiques", "141"),
]
DISCIPLINES = [("180", "Soins infirmiers"), ("141", "Techniques d'inhalothérapie")]

# The students of the cohort (12, as in the guide's tally) and of the previous one (8):
# DA number, last name, first name, sex, birth date.
COHORT_STUDENTS = [
    ("7200001", "Bouchard", "Émilie", "F", datetime.date(2005, 2, 11)),
    ("7200002", "Caron", "Jérémie", "M", datetime.date(2004, 9, 30)),
    ("7200003", "Dubé", "Océane", "F", datetime.date(2005, 6, 3)),
    ("7200004", "Fortin", "Maude", "F", datetime.date(2003, 12, 19)),
    ("7200005", "Girard", "Samuel", "M", datetime.date(2005, 4, 25)),
    ("7200006", "Hébert", "Ariane", "F", datetime.date(2004, 1, 14)),
    ("7200007", "Lachance", "Noémie", "F", datetime.date(2005, 8, 8)),
    ("7200008", "Michaud", "Félix", "M", datetime.date(2004, 11, 2)),
    ("7200009", "Nadeau", "Rosalie", "F", datetime.date(2005, 3, 17)),
    ("7200010", "Paquette", "Camille", "F", datetime.date(2002, 7, 21)),
    ("7200011", "Savard", "Xavier", "M", datetime.date(2005, 10, 9)),
    ("7200012", "Thibault", "Juliette", "F", datetime.date(2004, 5, 27)),
]
PREVIOUS_STUDENTS = [
    ("7200013", "Allard", "Gabrielle", "F", datetime.date(2004, 2, 2)),
    ("7200014", "Boivin", "Olivier", "M", datetime.date(2003, 6, 12)),
    ("7200015", "Cyr", "Laurence", "F", datetime.date(2004, 10, 5)),
    ("7200016", "Demers", "Anaïs", "F", datetime.date(2003, 3, 29)),
    ("7200017", "Gravel", "Mathis", "M", datetime.date(2004, 8, 16)),
    ("7200018", "Lemay", "Chloé", "F", datetime.date(2003, 1, 23)),
    ("7200019", "Perron", "Zoé", "F", datetime.date(2004, 12, 1)),
    ("7200020", "Roy", "Antoine", "M", datetime.date(2003, 9, 7)),
]
RESPIRATORY_STUDENTS = [
    ("7200021", "Audet", "Léa", "F", datetime.date(2004, 4, 4)),
    ("7200022", "Blais", "Hugo", "M", datetime.date(2003, 11, 11)),
]

COHORT = "Soins infirmiers – entrée A-2025"
PREVIOUS_COHORT = "Soins infirmiers – entrée A-2024"
RESPIRATORY_COHORT = "Inhalothérapie – entrée A-2025"
TUESDAY_WEDNESDAY_THURSDAY = 2 + 4 + 8
MONDAY_TUESDAY = 1 + 2

# The places of the answered worksheets: (agency, site, service, destination, group size,
# teacher, the statuses the request goes through after « Nouvelle »).
ACCEPTED_VIA_SYSTEM = ("sent", "accepted")
ACCEPTED_VIA_PDF = ("sent_pdf", "accepted")
LAST_TERM_PLACES = [
    (
        "CISSS de la Montérégie-Centre",
        "Hôpital Charles-Le Moyne",
        "Médecine 3e",
        "Unité 3A",
        4,
        "Sophie Lapointe",
        ACCEPTED_VIA_SYSTEM,
    ),
    (
        "CISSS de la Montérégie-Centre",
        "Hôpital Charles-Le Moyne",
        "Chirurgie 4e",
        "",
        4,
        "Marc Leclerc",
        ACCEPTED_VIA_SYSTEM,
    ),
    (
        "CIUSSS de l'Est-de-l'Île-de-Montréal",
        "Hôpital Maisonneuve-Rosemont",
        "Médecine 5e",
        "Aile A",
        5,
        "Julie Poulin",
        ACCEPTED_VIA_PDF,
    ),
    (
        "CIUSSS de l'Est-de-l'Île-de-Montréal",
        "Hôpital Santa Cabrini",
        "Médecine 2e",
        "",
        4,
        "",
        ("sent_pdf", "refused"),
    ),
    ("CISSS de Laval", "Hôpital de la Cité-de-la-Santé", "Médecine 4e", "", 4, "", ("cancelled",)),
]
PREVIOUS_YEAR_PLACES = [
    (
        "CISSS de la Montérégie-Centre",
        "Hôpital Charles-Le Moyne",
        "Pédiatrie",
        "",
        4,
        "Anne Bélanger",
        ACCEPTED_VIA_SYSTEM,
    ),
    (
        "CISSS de Laval",
        "Hôpital de la Cité-de-la-Santé",
        "Obstétrique",
        "",
        4,
        "Chantal Dion",
        ACCEPTED_VIA_PDF,
    ),
    (
        "CIUSSS de l'Est-de-l'Île-de-Montréal",
        "Hôpital Santa Cabrini",
        "Urgence",
        "",
        2,
        "",
        ("sent_pdf", "refused"),
    ),
]


def seed(report) -> None:
    """Create, when missing: the agencies, sites, services, destinations and contacts; the
    terms A-2024 to H-2027, the nursing and respiratory courses and students; demo_stages
    as coordinator of 180.A0; the cohorts, their set-up courses and enrolments, and the
    answered group worksheets. A second run finds everything and adds nothing."""
    User = get_user_model()
    with transaction.atomic():
        coordinator, created = User.objects.get_or_create(
            username=COORDINATOR,
            defaults={
                "first_name": "Nadia",
                "last_name": "Roy",
                "email": "demo_stages@registrar.example",
            },
        )
        if created:  # seed() called on its own: registrar.demo makes this user otherwise
            coordinator.set_unusable_password()
            coordinator.save(update_fields=["password"])
        _receiving_side(report)
        terms = _terms(report)
        courses = _courses(report)
        nursing = _program(*NURSING, report)
        respiratory = _program(*RESPIRATORY, report)
        _, created = ProgramCoordinator.objects.get_or_create(program=nursing, user=coordinator)
        report.count("coordinations de stages", created)

        students = _students(COHORT_STUDENTS, nursing, terms["A-2025"], report)
        previous_students = _students(PREVIOUS_STUDENTS, nursing, terms["A-2024"], report)
        respiratory_students = _students(RESPIRATORY_STUDENTS, respiratory, terms["A-2025"], report)

        # The previous cohort: its 180-4P5-MV was placed last year (A-2025).
        previous = _cohort(
            nursing, PREVIOUS_COHORT, terms["A-2024"], terms["H-2026"], coordinator, report
        )
        previous_course = _cohort_course(
            previous, courses["180-4P5-MV"], terms["A-2025"], coordinator, report
        )
        _enroll(previous_course, previous_students, coordinator, report)
        _answered_worksheet(previous_course, PREVIOUS_YEAR_PLACES, coordinator, report)

        # The cohort of the guide: last term's course answered, this term's set up.
        cohort = _cohort(nursing, COHORT, terms["A-2025"], terms["H-2027"], coordinator, report)
        last_term = _cohort_course(
            cohort, courses["180-3P4-MV"], terms["H-2026"], coordinator, report
        )
        _enroll(last_term, students, coordinator, report)
        _answered_worksheet(last_term, LAST_TERM_PLACES, coordinator, report)
        current = _cohort_course(
            cohort, courses["180-4P5-MV"], terms["A-2026"], coordinator, report
        )
        _enroll(current, students, coordinator, report)
        _cohort_course(
            cohort, courses["180-5P3-MV"], terms["H-2027"], coordinator, report, set_up=False
        )

        # Another program: demo_stages does not see it (demo, an administrator, does).
        other = _cohort(
            respiratory, RESPIRATORY_COHORT, terms["A-2026"], terms["H-2027"], coordinator, report
        )
        other_course = _cohort_course(
            other, courses["141-4B4-MV"], terms["A-2026"], coordinator, report
        )
        _enroll(other_course, respiratory_students, coordinator, report)


# --------------------------------------------------------------------------------------
# Receiving side
# --------------------------------------------------------------------------------------


def _receiving_side(report) -> None:
    for name, uses_system, address, city, postal_code, sites in AGENCIES:
        agency, created = Agency.objects.get_or_create(
            name=name,
            defaults={
                "uses_system": uses_system,
                "address": address,
                "city": city,
                "province": "QC",
                "postal_code": postal_code,
            },
        )
        report.count("organismes receveurs", created)
        for site_name, site_address, site_city, site_postal, services in sites:
            site, created = Site.objects.get_or_create(
                agency=agency,
                name=site_name,
                defaults={
                    "address": site_address,
                    "city": site_city,
                    "province": "QC",
                    "postal_code": site_postal,
                },
            )
            report.count("sites", created)
            for service_name, destinations in services:
                service, created = Service.objects.get_or_create(site=site, name=service_name)
                report.count("services", created)
                for destination_name in destinations:
                    _, created = Destination.objects.get_or_create(
                        service=service, name=destination_name
                    )
                    report.count("destinations", created)
    for agency_name, site_name, service_name, start, end, capacity in CAPACITIES:
        _agency, _site, service, _destination = _place(agency_name, site_name, service_name, "")
        _, created = ServiceCapacity.objects.get_or_create(
            service=service, start_date=start, end_date=end, defaults={"capacity": capacity}
        )
        report.count("capacités d'accueil", created)
    receiver = get_user_model().objects.filter(username=RECEIVER).first()
    if receiver is not None:  # registrar.demo makes this user; seed() alone does not
        _, created = ReceivingCoordinator.objects.get_or_create(
            agency=Agency.objects.get(name=RECEIVER_AGENCY), user=receiver
        )
        report.count("coordinations receveurs", created)
    for agency_name, site_name, service_name, name, role, email, phone in CONTACTS:
        agency = Agency.objects.get(name=agency_name)
        site = agency.sites.get(name=site_name) if site_name else None
        service = site.services.get(name=service_name) if service_name else None
        _, created = Contact.objects.get_or_create(
            agency=agency,
            site=site,
            service=service,
            name=name,
            defaults={"role": role, "email": email, "phone": phone},
        )
        report.count("personnes-ressources", created)


def _place(agency_name: str, site_name: str, service_name: str, destination_name: str):
    agency = Agency.objects.get(name=agency_name)
    site = agency.sites.get(name=site_name)
    service = site.services.get(name=service_name) if service_name else None
    destination = service.destinations.get(name=destination_name) if destination_name else None
    return agency, site, service, destination


# --------------------------------------------------------------------------------------
# Placing side
# --------------------------------------------------------------------------------------


def _terms(report) -> dict[str, Term]:
    terms = {}
    for code, start, end in TERMS:
        terms[code], created = Term.objects.get_or_create(
            code=code, defaults={"start_date": start, "end_date": end}
        )
        report.count("sessions", created)
    return terms


def _courses(report) -> dict[str, Course]:
    disciplines = {}
    for code, title in DISCIPLINES:
        disciplines[code], created = Discipline.objects.get_or_create(
            code=code, defaults={"title": title}
        )
        report.count("disciplines", created)
    courses = {}
    for number, title, discipline in COURSES:
        courses[number], created = Course.objects.get_or_create(
            number=number,
            defaults={
                "title": title,
                "discipline": disciplines[discipline],
                "official_number": number,
                "sobec_number": number.replace("-", ""),
                "weighting": "1-8-2",
                "units": Decimal("3.66"),
                "hours": 135,
            },
        )
        report.count("cours", created)
    return courses


def _program(code: str, title: str, report) -> Program:
    program, created = Program.objects.get_or_create(code=code, defaults={"title": title})
    report.count("programmes", created)
    return program


def _students(rows, program: Program, term: Term, report) -> list[Student]:
    org_unit = OrgUnit.objects.filter(code="RG").first()
    students = []
    for index, (da_number, last_name, first_name, sex, birth_date) in enumerate(rows, start=40):
        student, created = Student.objects.get_or_create(
            da_number=da_number,
            defaults={
                "last_name": last_name,
                "first_name": first_name,
                "sex": sex,
                "birth_date": birth_date,
                "permanent_code": build_permanent_code(
                    last_name, first_name, birth_date, sex, index
                ),
                "email": f"{da_number}@etu.example",
                "city": "Longueuil",
                "region": "Québec",
                "country": "Canada",
            },
        )
        report.count("étudiants en stage", created)
        if org_unit is not None:
            _, created = Admission.objects.get_or_create(
                student=student,
                program=program,
                term=term,
                defaults={
                    "grid_code": f"{program.code.replace('.', '')}-25A-RG",
                    "org_unit": org_unit,
                    "status": Admission.Status.ACTIVE,
                },
            )
            report.count("admissions", created)
        students.append(student)
    return students


def _cohort(program, name, start_term, end_term, coordinator, report) -> Cohort:
    cohort, created = Cohort.objects.get_or_create(
        program=program,
        name=name,
        defaults={"start_term": start_term, "end_term": end_term, "created_by": coordinator},
    )
    report.count("cohortes", created)
    return cohort


def _cohort_course(cohort, course, term, coordinator, report, *, set_up=True) -> CohortCourse:
    """The course of ``cohort`` in ``term``, set up (« Horaire », responsible, default
    comment) unless ``set_up`` is false: then only its dates, from the term's."""
    start = term.start_date + datetime.timedelta(days=28)
    start -= datetime.timedelta(days=start.weekday())  # a Monday
    defaults = {"start_date": start, "end_date": start + datetime.timedelta(weeks=7, days=4)}
    if set_up:
        defaults.update(
            weekdays=TUESDAY_WEDNESDAY_THURSDAY
            if term.season != Term.Season.AUTUMN
            else MONDAY_TUESDAY,
            start_time=datetime.time(7, 30),
            end_time=datetime.time(15, 30),
            shift_code="D8",
            default_comment=(
                "Stage de groupe encadré par une enseignante du cégep ; les étudiants ont "
                "leur carnet de vaccination à jour."
            ),
        )
    cohort_course, created = CohortCourse.objects.get_or_create(
        cohort=cohort, course=course, term=term, defaults=defaults
    )
    if created and set_up:
        cohort_course.supervisors.add(coordinator)
    report.count("cours des cohortes", created)
    return cohort_course


def _enroll(cohort_course, students, coordinator, report) -> None:
    for student in students:
        _, created = CohortEnrollment.objects.get_or_create(
            cohort_course=cohort_course, student=student, defaults={"added_by": coordinator}
        )
        report.count("inscriptions aux stages", created)


def _answered_worksheet(cohort_course, places, coordinator, report) -> None:
    """The group worksheet of ``cohort_course`` with ``places`` in the outbox and answered.
    Written once: a worksheet that holds requests is left as it is."""
    worksheet, created = Worksheet.objects.get_or_create(
        cohort_course=cohort_course, kind=Worksheet.Kind.GROUP
    )
    report.count("fiches de travail", created)
    if worksheet.requests.exists():
        report.add("demandes de stage", 0, worksheet.requests.count())
        return
    schedule = {name: getattr(cohort_course, name) for name in CohortCourse.schedule_fields()}
    requests = []
    for agency_name, site_name, service_name, destination_name, size, teacher, path in places:
        agency, site, service, destination = _place(
            agency_name, site_name, service_name, destination_name
        )
        request = PlacementRequest(
            worksheet=worksheet,
            agency=agency,
            site=site,
            service=service,
            destination=destination,
            group_size=size,
            destination_group_size=size,
            teacher=teacher,
            comment=cohort_course.default_comment,
            origin=PlacementRequest.Origin.SCRATCH,
            created_by=coordinator,
            **schedule,
        )
        request.full_clean()
        request.save()
        requests.append((request, path))
    record_creation(actor=coordinator, requests=[request for request, _path in requests])
    requests_set_status(
        actor=coordinator,
        requests=[request for request, _path in requests],
        to_status=PlacementRequest.Status.NEW,
        reason="Copiée à la boîte de sortie",
    )
    for request, path in requests:
        for status in path:
            reason = "Réponse de l'organisme" if status in ("accepted", "refused") else ""
            requests_set_status(
                actor=coordinator, requests=[request], to_status=status, reason=reason
            )
    report.add("demandes de stage", len(requests), 0)
    _assign(worksheet, coordinator, report)


def _assign(worksheet, coordinator, report) -> None:
    """The course's students copied to the worksheet and placed, group by group, in its
    accepted requests (final, disclosed), as a finished term looks."""
    enrollments = list(
        CohortEnrollment.objects.filter(cohort_course=worksheet.cohort_course).order_by("pk")
    )
    CohortEnrollment.objects.filter(pk__in=[e.pk for e in enrollments]).update(worksheet=worksheet)
    accepted = worksheet.requests.filter(status=PlacementRequest.Status.ACCEPTED).order_by("pk")
    places = [request for request in accepted for _seat in range(request.group_size)]
    now = timezone.now()
    assignments = [
        Assignment(
            request=request,
            enrollment=enrollment,
            status=Assignment.Status.FINAL,
            assigned_by=coordinator,
            disclosed_at=now,
        )
        for request, enrollment in zip(places, enrollments, strict=False)
    ]
    Assignment.objects.bulk_create(assignments)
    report.add("affectations", len(assignments), 0)
