"""Demo data: a realistic institution to try every workflow, and large volumes for benchmarks.

Everything here is idempotent: rows are found by their natural keys (codes, numbers, user
names) and created only when missing, so running the builder twice writes nothing new.
"""

import datetime
import importlib
import importlib.util
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from registrar import roles
from registrar.models import (
    Admission,
    Course,
    CourseGroup,
    Discipline,
    Language,
    OrgUnit,
    Program,
    RacCorrespondence,
    Student,
    Term,
)
from registrar.text import fold
from registrar.validators import build_permanent_code

# Generated students take DA numbers from here up; the guide's five are below it.
GENERATED_DA_START = 6_000_000
BATCH_SIZE = 5_000

ORG_UNITS = [
    ("RA", "Cégep Marie-Victorin - Reconnaissance des acquis"),
    ("RG", "Cégep Marie-Victorin - Enseignement régulier"),
    ("FC", "Cégep Marie-Victorin - Formation continue"),
]
TERMS = [
    ("H-2017", datetime.date(2017, 1, 16), datetime.date(2017, 5, 19)),
    ("A-2017", datetime.date(2017, 8, 21), datetime.date(2017, 12, 22)),
    ("H-2018", datetime.date(2018, 1, 15), datetime.date(2018, 5, 18)),
]
PROGRAMS = [
    ("JEE.0K", "Techniques d'éducation à l'enfance"),
    ("180.A0", "Soins infirmiers"),
    ("322.A0", "Techniques d'éducation à l'enfance (DEC)"),
    ("351.A0", "Techniques d'éducation spécialisée"),
    ("410.B0", "Techniques de comptabilité et de gestion"),
    ("081.06", "Tremplin DEC"),
]
DISCIPLINES = [
    ("322", "Techniques d'éducation à l'enfance"),
    ("350", "Psychologie"),
    ("601", "Français, langue d'enseignement et littérature"),
    ("INS", "Inscriptions administratives"),
]
# number, title, discipline, objective, weighting, units, hours, placeholder
COURSES = [
    (
        "322-409-MV",
        "Observation de l'enfant en milieu de garde",
        "322",
        "019L",
        "2-2-2",
        "2.00",
        60,
    ),
    ("350-710-MV", "Développement de l'enfant de 0 à 5 ans", "350", "019M", "2-1-2", "1.66", 45),
    ("350-711-MV", "Psychologie de l'attachement", "350", "019N", "2-1-2", "1.66", 45),
    ("601-103-MQ", "Littérature et imaginaire", "601", "4EF1", "3-1-3", "2.33", 60),
]
PLACEHOLDER_COURSE = (
    "INS-TEE-RA",
    "Inscription RAC - Techniques d'éducation à l'enfance",
    "INS",
    "",
    "",
    "0.00",
    0,
)
# course number, term, group, RAC type, capacity, teacher
GROUPS = [
    ("322-409-MV", "A-2017", "00992", "EE", 30, "Nathalie Gagnon"),
    ("350-710-MV", "A-2017", "00990", "EE", 30, "Marc-André Roy"),
    ("350-711-MV", "A-2017", "00991", "EE", 30, "Marc-André Roy"),
    ("601-103-MQ", "H-2018", "01010", "", 35, "Isabelle Côté"),
    ("322-409-MV", "H-2018", "00992", "EE", 30, "Nathalie Gagnon"),
    ("INS-TEE-RA", "H-2018", "08459", "EE", None, ""),
]

# The « grille de correspondance cours/compétences » of the RAC program.
RAC_GRID = [
    ("322-409-MV", "00992", "EE", "019L", "Observer le comportement de l'enfant"),
    ("350-710-MV", "00990", "EE", "019M", "Situer les besoins de l'enfant"),
    ("350-711-MV", "00991", "EE", "019N", "Établir une relation significative avec l'enfant"),
    ("322-409-MV", "00993", "EE_SR", "019L", "Observer le comportement de l'enfant"),
    ("350-710-MV", "00994", "FM", "019M", "Situer les besoins de l'enfant"),
]


@dataclass(frozen=True)
class GuideStudent:
    da_number: str
    last_name: str
    first_name: str
    sex: str
    birth_date: datetime.date
    street: str
    phone: str


# The five students of the batch-enrolment guide.
GUIDE_STUDENTS = [
    GuideStudent(
        "1234567",
        "Leblanc",
        "Lise",
        "F",
        datetime.date(1990, 3, 15),
        "1250, rue Ontario Est",
        "514 555-0147",
    ),
    GuideStudent(
        "2345678",
        "Lebrun",
        "Luc",
        "M",
        datetime.date(1987, 11, 2),
        "88, boulevard Lacordaire",
        "514 555-0188",
    ),
    GuideStudent(
        "3456789",
        "Lenoir",
        "Léo",
        "M",
        datetime.date(1992, 7, 4),
        "4021, rue Jarry Est",
        "438 555-0121",
    ),
    GuideStudent(
        "4567890",
        "Larose",
        "Lucie",
        "F",
        datetime.date(1985, 5, 28),
        "7300, avenue Papineau",
        "514 555-0163",
    ),
    GuideStudent(
        "5678901",
        "Levert",
        "Lyette",
        "F",
        datetime.date(1979, 9, 9),
        "215, rue Fleury Ouest",
        "450 555-0199",
    ),
]

LAST_NAMES = (
    "Tremblay Gagnon Roy Côté Bouchard Gauthier Morin Lavoie Fortin Gagné Ouellet Pelletier "
    "Bélanger Lévesque Bergeron Leblanc Paquette Girard Simard Boucher Caron Beaulieu Cloutier "
    "Dubé Poirier Fournier Lapointe Leclerc Lefebvre Poulin Thibault St-Pierre Nadeau Martin "
    "Landry Martel Bédard Grenier Lessard Bernier Richard Michaud Hébert Desjardins Couture "
    "Turcotte Lachance Parent Blais Gosselin Savard Proulx Beaudoin Demers Perreault Boudreau "
    "Lemieux Cyr Perron Dufour Dion Mercier Bolduc Bérubé Boisvert Langlois Ménard Therrien "
    "Plante Bilodeau Blanchette Dussault Champagne Paradis Fortier Arsenault Dupuis Gaudreault "
    "Hamel Houle Villeneuve Rousseau Gravel Thériault Lemay Robert Allard Deschênes Giroux "
    "Guay Leduc Boivin Charbonneau Lambert Raymond Vachon Gilbert Audet Jean Larouche Legault"
).split()
FEMALE_FIRST_NAMES = (
    "Léa Emma Olivia Alice Florence Zoé Chloé Béatrice Charlotte Rosalie Juliette Camille "
    "Mia Sofia Jade Laurence Éloïse Maëlle Noémie Anaïs Sarah Gabrielle Marianne Élodie "
    "Mélissa Catherine Geneviève Isabelle Nathalie Sophie Valérie Julie Mélanie Josée Chantal "
    "Hélène Françoise Ginette Lucie Lise Lyette Andrée Émilie Audrée Maude Ariane Océane"
).split()
MALE_FIRST_NAMES = (
    "William Liam Thomas Noah Jacob Félix Léo Nathan Samuel Logan Raphaël Édouard Émile "
    "Alexis Antoine Gabriel Olivier Mathis Zacharie Xavier Benjamin Charles Louis Vincent "
    "Maxime Jérôme François Éric Stéphane Sébastien Pierre-Luc Marc-André Jean-François "
    "Mathieu Simon Étienne Guillaume Hugo Jérémie Dominic Frédéric René Luc André Denis"
).split()
STREETS = (
    "rue Sherbrooke Est",
    "boulevard Saint-Laurent",
    "rue Beaubien Est",
    "avenue du Mont-Royal",
    "rue Jean-Talon Ouest",
    "boulevard Pie-IX",
    "rue Fleury Est",
    "avenue Christophe-Colomb",
    "rue de Bellechasse",
    "boulevard Henri-Bourassa Est",
)
CITIES = (
    ("Montréal", "H1H"),
    ("Montréal", "H2M"),
    ("Laval", "H7N"),
    ("Longueuil", "J4K"),
    ("Terrebonne", "J6W"),
    ("Repentigny", "J6A"),
)
BIRTH_PLACES = (
    ("Montréal", "Québec", "Canada"),
    ("Québec", "Québec", "Canada"),
    ("Sherbrooke", "Québec", "Canada"),
    ("Gatineau", "Québec", "Canada"),
    ("Port-au-Prince", "", "Haïti"),
    ("Lyon", "Rhône", "France"),
    ("Casablanca", "", "Maroc"),
)
GENERATED_GRIDS = {
    "JEE.0K": ("JEE0K-17R-RA", "RA"),
    "180.A0": ("180A0-16A-RG", "RG"),
    "322.A0": ("322A0-10A-RG", "RG"),
    "351.A0": ("351A0-16A-RG", "RG"),
    "410.B0": ("410B0-12A-RG", "RG"),
    "081.06": ("08106-17A-FC", "FC"),
}

DEMO_PASSWORD_USERS = {
    # user name: (first name, last name, roles); the password is the user name.
    "demo_registrariat": ("Sylvie", "Gagnon", (roles.REGISTRAR_STAFF,)),
    "demo_readonly": ("Paul", "Bédard", (roles.READONLY_STAFF,)),
    "demo_stages": ("Nadia", "Roy", (roles.PLACEMENT_COORDINATOR,)),
    "demo_certif": ("Hugo", "Martel", (roles.CENTRE_STAFF,)),
    "demo_admissions": ("Chantal", "Lévesque", (roles.ADMISSIONS_OFFICER,)),
    "demo_receveur": ("Josée", "Tremblay", (roles.RECEIVING_COORDINATOR,)),
}


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    present: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, created: bool) -> None:
        bucket = self.created if created else self.present
        bucket[what] = bucket.get(what, 0) + 1

    def add(self, what: str, created: int, present: int) -> None:
        self.created[what] = self.created.get(what, 0) + created
        self.present[what] = self.present.get(what, 0) + present


Progress = Callable[[int, int], None]


def seed_demo(*, students: int = 300, progress: Progress | None = None) -> SeedReport:
    """Write the demo institution: org units, terms, programs, courses and groups, the
    guide's five students with their admissions, ``students`` generated students (added
    up to that count), and the demo users. Returns what was created and what was there."""
    report = SeedReport()
    with transaction.atomic():
        seed_reference_data(report)
        seed_guide_students(report)
        seed_demo_users(report)
        seed_apps(report)
    seed_generated_students(students, report=report, progress=progress)
    return report


def seed_apps(report: SeedReport) -> None:
    """Each workflow app's own demo data: the ``seed(report)`` of its ``demo`` module, if it
    has one (registrar does not know the other apps' models)."""
    for app_config in apps.get_app_configs():
        name = f"{app_config.name}.demo"
        if app_config.name == "registrar" or importlib.util.find_spec(name) is None:
            continue
        importlib.import_module(name).seed(report)


def seed_reference_data(report: SeedReport) -> None:
    """Create the org units, terms, programs, disciplines, courses, groups and the RAC
    correspondence grid if missing."""
    for code, name in ORG_UNITS:
        _, created = OrgUnit.objects.get_or_create(code=code, defaults={"name": name})
        report.count("unités organisationnelles", created)
    for code, start, end in TERMS:
        _, created = Term.objects.get_or_create(
            code=code, defaults={"start_date": start, "end_date": end}
        )
        report.count("sessions", created)
    for code, title in PROGRAMS:
        _, created = Program.objects.get_or_create(code=code, defaults={"title": title})
        report.count("programmes", created)
    disciplines = {}
    for code, title in DISCIPLINES:
        disciplines[code], created = Discipline.objects.get_or_create(
            code=code, defaults={"title": title}
        )
        report.count("disciplines", created)
    for number, title, discipline, objective, weighting, units, hours in COURSES:
        _create_course(
            report, disciplines, number, title, discipline, objective, weighting, units, hours
        )
    _create_course(report, disciplines, *PLACEHOLDER_COURSE, is_placeholder=True)
    terms = {term.code: term for term in Term.objects.all()}
    courses = {course.number: course for course in Course.objects.all()}
    for number, term, group, rac_type, capacity, teacher in GROUPS:
        _, created = CourseGroup.objects.get_or_create(
            course=courses[number],
            term=terms[term],
            number=group,
            defaults={"rac_type": rac_type, "capacity": capacity, "teacher": teacher},
        )
        report.count("groupes-cours", created)
    for number, group, rac_type, code, title in RAC_GRID:
        _, created = RacCorrespondence.objects.get_or_create(
            course=courses[number],
            group_number=group,
            defaults={"rac_type": rac_type, "competency_code": code, "competency_title": title},
        )
        report.count("grille de correspondance", created)


def _create_course(
    report: SeedReport,
    disciplines: dict[str, Discipline],
    number: str,
    title: str,
    discipline: str,
    objective: str,
    weighting: str,
    units: str,
    hours: int,
    *,
    is_placeholder: bool = False,
) -> None:
    _, created = Course.objects.get_or_create(
        number=number,
        defaults={
            "title": title,
            "discipline": disciplines[discipline],
            "objective_code": objective,
            "official_number": number if not is_placeholder else "",
            "sobec_number": number.replace("-", "") if not is_placeholder else "",
            "weighting": weighting,
            "units": Decimal(units),
            "hours": hours,
            "is_placeholder": is_placeholder,
        },
    )
    report.count("cours", created)


def seed_guide_students(report: SeedReport) -> None:
    """Create the batch guide's five students, each admitted to JEE.0K (JEE0K-17R-RA)."""
    french = Language.objects.filter(code="FR").first()
    program = Program.objects.get(code="JEE.0K")
    org_unit = OrgUnit.objects.get(code="RA")
    term = Term.objects.get(code="A-2017")
    for index, guide in enumerate(GUIDE_STUDENTS, start=1):
        student, created = Student.objects.get_or_create(
            da_number=guide.da_number,
            defaults={
                "last_name": guide.last_name,
                "first_name": guide.first_name,
                "sex": guide.sex,
                "birth_date": guide.birth_date,
                "permanent_code": build_permanent_code(
                    guide.last_name, guide.first_name, guide.birth_date, guide.sex, index
                ),
                "email": f"{_ascii(guide.first_name)}.{_ascii(guide.last_name)}@courriel.example",
                "phone": guide.phone,
                "address_line1": guide.street,
                "city": "Montréal",
                "region": "Québec",
                "postal_code": "H2L 2B1",
                "country": "Canada",
                "birth_city": "Montréal",
                "birth_department": "Québec",
                "birth_country": "Canada",
                "class_division": "RAC-TEE",
                "language": french,
            },
        )
        if created:
            student.full_clean()  # the demo must pass the rules it shows off
        report.count("étudiants du guide", created)
        _, created = Admission.objects.get_or_create(
            student=student,
            grid_code="JEE0K-17R-RA",
            term=term,
            defaults={
                "program": program,
                "org_unit": org_unit,
                "status": Admission.Status.ACTIVE,
            },
        )
        report.count("admissions", created)


def seed_demo_users(report: SeedReport) -> None:
    """Create ``demo``/``demo`` (every staff role, administrator) and one user per role
    whose password is its user name. Existing users keep their password."""
    User = get_user_model()
    all_groups = list(Group.objects.filter(name__in=[role.name for role in roles.ROLES]))
    demo, created = User.objects.get_or_create(
        username="demo",
        defaults={
            "first_name": "Dominique",
            "last_name": "Démo",
            "email": "demo@registrar.example",
            "is_staff": True,
            "is_superuser": True,
        },
    )
    if created:
        demo.set_password("demo")
        demo.save(update_fields=["password"])
    demo.groups.add(*all_groups)
    report.count("utilisateurs de démonstration", created)
    for username, (first_name, last_name, user_roles) in DEMO_PASSWORD_USERS.items():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@registrar.example",
            },
        )
        if created:
            user.set_password(username)
            user.save(update_fields=["password"])
        user.groups.add(*Group.objects.filter(name__in=[role.name for role in user_roles]))
        report.count("utilisateurs de démonstration", created)


def seed_generated_students(
    count: int, *, report: SeedReport, progress: Progress | None = None
) -> None:
    """Add generated students (and their admissions) until there are ``count`` of them.

    Student i is the same on every machine (seeded by i), so the data set is reproducible
    and a larger count only adds the difference. Rows go in with bulk_create, in batches of
    BATCH_SIZE, one transaction per batch: memory stays bounded whatever the count.
    """
    generated = Student.objects.filter(da_number__gte=str(GENERATED_DA_START))
    existing = generated.count()
    report.add("étudiants générés", 0, min(existing, count))
    if existing >= count:
        return
    used_codes = set(
        Student.objects.exclude(permanent_code="").values_list("permanent_code", flat=True)
    )
    programs = {program.code: program for program in Program.objects.all()}
    org_units = {unit.code: unit for unit in OrgUnit.objects.all()}
    terms = list(Term.objects.order_by("year", "season"))
    languages = {language.code: language for language in Language.objects.all()}
    done = existing
    for start in range(existing, count, BATCH_SIZE):
        stop = min(start + BATCH_SIZE, count)
        batch = [_generated_student(i, used_codes, languages) for i in range(start, stop)]
        with transaction.atomic():
            Student.objects.bulk_create(batch, batch_size=1000)
            saved = Student.objects.filter(
                da_number__in=[student.da_number for student in batch]
            ).values_list("pk", "da_number")
            pks = {da: pk for pk, da in saved}
            admissions = list(
                _generated_admissions(range(start, stop), pks, programs, org_units, terms)
            )
            Admission.objects.bulk_create(admissions, batch_size=1000)
        done = stop
        report.add("étudiants générés", stop - start, 0)
        report.add("admissions", len(admissions), 0)
        if progress:
            progress(done - existing, count - existing)


def _generated_student(i: int, used_codes: set[str], languages: dict) -> Student:
    rng = random.Random(i)
    sex = rng.choice("FM")
    first_name = rng.choice(FEMALE_FIRST_NAMES if sex == "F" else MALE_FIRST_NAMES)
    last_name = rng.choice(LAST_NAMES)
    if rng.random() < 0.08:  # some compound names, as in Québec
        last_name = f"{last_name}-{rng.choice(LAST_NAMES)}"
    birth_date = datetime.date(1975, 1, 1) + datetime.timedelta(days=rng.randrange(0, 11_000))
    code = ""
    for attempt in range(100):
        candidate = build_permanent_code(last_name, first_name, birth_date, sex, i + attempt)
        if candidate not in used_codes:
            code = candidate
            used_codes.add(code)
            break
    city, postal_prefix = rng.choice(CITIES)
    birth_city, birth_department, birth_country = rng.choice(BIRTH_PLACES)
    student = Student(
        da_number=str(GENERATED_DA_START + i),
        last_name=last_name,
        first_name=first_name,
        sex=sex,
        birth_date=birth_date,
        permanent_code=code,
        ine=f"{100_000_000 + i:09d}{_letters(rng, 2)}" if birth_country == "France" else "",
        email=f"{_ascii(first_name)}.{_ascii(last_name)}.{i}@etu.example",
        phone=f"{rng.choice(('514', '438', '450'))} 555-{rng.randrange(10_000):04d}",
        address_line1=f"{rng.randrange(10, 9_999)}, {rng.choice(STREETS)}",
        city=city,
        region="Québec",
        postal_code=f"{postal_prefix} {rng.randrange(10)}{_letters(rng, 1)}{rng.randrange(10)}",
        country="Canada",
        birth_city=birth_city,
        birth_department=birth_department,
        birth_country=birth_country,
        language=languages.get("FR" if rng.random() < 0.85 else "EN"),
        is_active=rng.random() < 0.95,
    )
    student.refresh_search_fields()  # bulk_create does not call save()
    return student


def _generated_admissions(
    indexes: range, pks: dict[str, int], programs: dict, org_units: dict, terms: list[Term]
) -> Iterator[Admission]:
    for i in indexes:
        rng = random.Random(-i - 1)
        count = 2 if rng.random() < 0.1 else 1
        chosen_terms = rng.sample(terms, k=count)
        for term in chosen_terms:
            program_code = rng.choice(list(GENERATED_GRIDS))
            grid, org_unit = GENERATED_GRIDS[program_code]
            yield Admission(
                student_id=pks[str(GENERATED_DA_START + i)],
                program=programs[program_code],
                grid_code=grid,
                org_unit=org_units[org_unit],
                term=term,
                status=rng.choice(
                    [Admission.Status.ACTIVE] * 6
                    + [Admission.Status.ADMITTED] * 2
                    + [Admission.Status.WITHDRAWN, Admission.Status.COMPLETED]
                ),
            )


def _letters(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(count))


def _ascii(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isalnum())


def print_progress(done: int, total: int) -> None:
    """A one-line progress bar on stderr, for the management command."""
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} étudiants")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()
