"""Demo data of the certification workflow: a SCO centre (a collège, linked to its own org
unit, whose class 3eB holds the guide's pupils) and a PRO centre, with sessions in each
state. Idempotent, like
registrar.demo; called by ``manage.py seed_demo`` through registrar.demo.seed_apps()."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from certification.models import Candidate, CertificationCenter, CertificationSession
from certification.services.candidate_entry import candidate_create
from certification.services.sessions import new_access_code, new_invigilator_password
from registrar.geography import load_communes
from registrar.models import Admission, Commune, OrgUnit, Program, Student, Term

# The guide's pupils (« Ajouter des candidats à une session »), class 3eB, and where they
# were born: (DA number, last name, first name, sex, commune, département).
GUIDE_PUPILS = [
    ("7100001", "Jefferson", "Thomas", "M", "Besançon", "Doubs"),
    ("7100002", "Washington", "George", "M", "Bourg-en-Bresse", "Ain"),
    ("7100003", "Monroe", "James", "M", "Montpellier", "Hérault"),
    ("7100004", "Tyler", "John", "M", "Valence", "Drôme"),
    ("7100005", "Jackson", "Andrew", "M", "Évreux", "Eure"),
    ("7100006", "Lincoln", "Abraham", "M", "Chartres", "Eure-et-Loir"),
    ("7100007", "Baradon", "Christopher", "M", "Lyon", "Rhône"),
    ("7100008", "Chapelain", "Quentin", "M", "Villeurbanne", "Rhône"),
    ("7100009", "Daruino", "Céline", "F", "Grenoble", "Isère"),
]
GUIDE_BIRTH_DATE = datetime.date(1997, 5, 20)
OTHER_CLASS = [
    ("7100010", "Martin", "Léa", "F", "Lyon", "Rhône", "3eA"),
    ("7100011", "Bernard", "Hugo", "M", "Annecy", "Haute-Savoie", "3eA"),
]
SCO_CENTER = ("Collège Jean-Moulin", "0690001A")
# The collège's org unit, linked to the SCO centre: its pupils are admitted to it, so its
# « Ajouter des élèves » lists them and none of the cégep's students.
SCO_ORG_UNIT = ("CJM", "Collège Jean-Moulin (UAI 0690001A)")
SCO_PROGRAM = ("CYCLE4", "Cycle 4 — collège (5e, 4e, 3e)")
SCO_GRID = "CYCLE4-CJM"
PRO_CENTER = ("Centre de formation Ampère", "PRO-0042")
DEMO_CENTRE_STAFF = "demo_certif"


def seed(report) -> None:
    """Create the two centres (the demo users demo and demo_certif on their staff), the
    collège's org unit linked to the SCO centre, the pupils of 3eB and 3eA admitted to it,
    and sessions: one « Créée » with the guide's six candidates, one
    « En cours » (a candidate has joined); at the PRO centre one « Créée » with four adults
    typed in (born in France and abroad, each pricing), one finalized, one with results
    sent."""
    User = get_user_model()
    with transaction.atomic():
        sco, created = CertificationCenter.objects.get_or_create(
            external_id=SCO_CENTER[1], defaults={"name": SCO_CENTER[0], "type": "SCO"}
        )
        report.count("centres de certification", created)
        pro, created = CertificationCenter.objects.get_or_create(
            external_id=PRO_CENTER[1], defaults={"name": PRO_CENTER[0], "type": "PRO"}
        )
        report.count("centres de certification", created)
        staff = list(User.objects.filter(username__in=["demo", DEMO_CENTRE_STAFF]))
        for center in (sco, pro):
            for user in staff:
                center.memberships.get_or_create(user=user)
        school = _school(sco, report)
        pupils = _pupils(school, report)
        demo = User.objects.get(username="demo")
        today = timezone.localdate()
        created_session = _session(
            sco, demo, "Certification Pix 3eB", today + datetime.timedelta(days=14), report
        )
        _candidates(created_session, pupils[:6], demo)
        started = _session(sco, demo, "Certification Pix 3eA", today, report)
        joined = _candidates(started, pupils[-2:], demo)
        if joined and joined[0].checked_in_at is None:
            joined[0].checked_in_at = timezone.now()
            joined[0].save(update_fields=["checked_in_at"])
        upcoming = _session(
            pro, demo, "Session adultes — décembre", today + datetime.timedelta(days=10), report
        )
        _adult_candidates(upcoming, demo)
        finalized = _session(
            pro, demo, "Session adultes — mars", today - datetime.timedelta(days=20), report
        )
        if finalized.finalized_at is None:
            finalized.finalized_at = timezone.now()
            finalized.finalized_by = demo
            finalized.save(update_fields=["finalized_at", "finalized_by"])
        sent = _session(
            pro, demo, "Session adultes — février", today - datetime.timedelta(days=50), report
        )
        if sent.results_sent_at is None:
            sent.finalized_at = sent.finalized_at or timezone.now()
            sent.finalized_by = demo
            sent.results_sent_at = timezone.now()
            sent.save(update_fields=["finalized_at", "finalized_by", "results_sent_at"])


def _school(center: CertificationCenter, report) -> OrgUnit:
    """The collège's org unit, linked to ``center`` (the SCO centre)."""
    school, created = OrgUnit.objects.get_or_create(
        code=SCO_ORG_UNIT[0], defaults={"name": SCO_ORG_UNIT[1]}
    )
    report.count("unités organisationnelles", created)
    center.org_units.add(school)
    return school


def _pupils(school: OrgUnit, report) -> list[Student]:
    """The pupils of 3eB and 3eA, each admitted (« Actif dans la démarche ») to ``school``."""
    program, created = Program.objects.get_or_create(
        code=SCO_PROGRAM[0], defaults={"title": SCO_PROGRAM[1]}
    )
    report.count("programmes", created)
    # An existing term (registrar.demo's): a new one would become the current term of the
    # whole demo and change what the other workflows show.
    term = Term.objects.current()
    if term is None:
        term = Term.objects.create(
            code="A-2017",
            start_date=datetime.date(2017, 8, 21),
            end_date=datetime.date(2017, 12, 22),
        )
    pupils = []
    rows = [(*row, "3eB") for row in GUIDE_PUPILS] + OTHER_CLASS
    for da, last, first, sex, city, department, class_name in rows:
        student, created = Student.objects.get_or_create(
            da_number=da,
            defaults={
                "last_name": last,
                "first_name": first,
                "sex": sex,
                "birth_date": GUIDE_BIRTH_DATE,
                "birth_city": city,
                "birth_department": department,
                "birth_country": "France",
                "class_division": class_name,
                "country": "France",
            },
        )
        report.count("élèves (certification)", created)
        admitted = Admission.objects.filter(student=student, org_unit=school).exists()
        if not admitted:
            Admission.objects.create(
                student=student,
                program=program,
                grid_code=SCO_GRID,
                org_unit=school,
                term=term,
                status=Admission.Status.ACTIVE,
            )
        report.count("admissions", not admitted)
        pupils.append(student)
    return pupils


def _session(center, actor, name, date, report) -> CertificationSession:
    session = CertificationSession.objects.filter(center=center, name=name).first()
    report.count("sessions de certification", session is None)
    if session is not None:
        return session
    last = CertificationSession.objects.order_by("-number").values_list("number", flat=True)
    return CertificationSession.objects.create(
        center=center,
        number=(last.first() or 100_000) + 1,
        name=name,
        site="Bâtiment principal",
        room="Salle informatique 2",
        date=date,
        start_time=datetime.time(14, 0),
        invigilators="Mme Durand, M. Petit",
        access_code=new_access_code(),
        invigilator_password=new_invigilator_password(),
        created_by=actor,
    )


# A PRO centre's candidates are typed in: they go through the service, birth place checked.
ADULTS = [
    {
        "last_name": "Durand",
        "first_name": "Éloïse",
        "sex": "F",
        "birth_date": datetime.date(1988, 3, 14),
        "birth_country": "FR",
        "birth_insee_code": "69123",
        "convocation_email": "eloise.durand@example.fr",
        "local_id": "CFA-0042",
        "pricing": "PAID",
    },
    {
        "last_name": "Nguyen",
        "first_name": "Minh",
        "sex": "M",
        "birth_date": datetime.date(1985, 7, 1),
        "birth_country": "VN",
        "birth_city": "Hanoï",
        "extra_time_percent": 33,
        "pricing": "PREPAID",
        "prepayment_code": "PIX-2026-0042",
    },
    {
        "last_name": "Petit",
        "first_name": "Jules",
        "sex": "M",
        "birth_date": datetime.date(2002, 2, 2),
        "birth_country": "FR",
        "birth_postal_code": "01400",
        "birth_city": "Abergement-Clémenciat",
        "accessibility_needed": True,
        "pricing": "FREE",
    },
    {
        "last_name": "Haddad",
        "first_name": "Yasmine",
        "sex": "F",
        "birth_date": datetime.date(1979, 11, 23),
        "birth_country": "MA",
        "birth_city": "Casablanca",
        "results_email": "rh@example.fr",
        "pricing": "PAID",
    },
]


def _adult_candidates(session, actor) -> None:
    if session.candidates.exists():
        return
    if not Commune.objects.exists():
        load_communes()
    for values in ADULTS:
        candidate_create(actor=actor, session=session, values=values)


def _candidates(session, pupils, actor) -> list[Candidate]:
    candidates = []
    for pupil in pupils:
        candidate = Candidate.objects.filter(session=session, student=pupil).first()
        if candidate is None:
            candidate = Candidate.objects.create(
                session=session,
                student=pupil,
                last_name=pupil.last_name,
                first_name=pupil.first_name,
                sex=pupil.sex,
                birth_date=pupil.birth_date,
                birth_city=pupil.birth_city,
                birth_department=pupil.birth_department,
                birth_country=pupil.birth_country,
                class_name=pupil.class_division,
                added_by=actor,
            )
        candidates.append(candidate)
    return candidates
