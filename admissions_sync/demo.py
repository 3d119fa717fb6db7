"""Demo data of the Parcoursup import (docs/guide/parcoursup.md): two formations, the files
Parcoursup would export for them, written to ``demo-files/parcoursup/`` (README), the first
formation's base imported from its first day's file, and a few administrative registrations
for the end-of-day report back. Idempotent, like registrar.demo.

``write_export`` also makes the benchmark's 100,000-line file (bench/parcoursup_import.py):
realistic French applicants, with the response and bac columns, a few « Oui en attente »
and non-bacheliers to exclude.
"""

import datetime
import io
import random
import zoneinfo
from pathlib import Path

from django.conf import settings
from django.db import transaction

from admissions_sync.models import (
    PARCOURSUP_TIME_ZONE,
    Applicant,
    Fee,
    Formation,
    ParcoursupImport,
    Registration,
)
from registrar.models import OrgUnit, Program, Term

FORMATIONS = (
    ("6543", "BTS Services informatiques aux organisations", "0751234A"),
    ("7120", "Licence Droit, économie, gestion - parcours Droit", "0931827F"),
)
# What the desk's « Valider l'inscription administrative » needs of each formation: the
# program, grid and org unit of the admission it creates, and the fee table.
DESK_SETUP = {
    "6543": {
        "program": ("BTS.SIO", "BTS Services informatiques aux organisations"),
        "grid_code": "BTS-SIO-26",
        "fees": (("Droits d'inscription", "178.00", True), ("Carte d'étudiant", "10.00", False)),
    },
    "7120": {
        "program": ("LIC.DROIT", "Licence Droit, économie, gestion - parcours Droit"),
        "grid_code": "LIC-DROIT-26",
        "fees": (("Droits d'inscription en licence", "178.00", True),),
    },
}
# The autumn term of the year the demo's applicants start in.
ADMISSION_TERM = ("A-2026", datetime.date(2026, 9, 1), datetime.date(2026, 12, 22))
DEMO_DIR = "demo-files/parcoursup"
HEADER = (
    "Numéro",
    "Numéro INE",
    "Civilité",
    "Nom",
    "Prénom",
    "Date de naissance",
    "Ville de naissance",
    "Pays de naissance",
    "Nationalité",
    "Adresse 1",
    "Adresse 2",
    "Adresse 3",
    "Code postal",
    "Commune",
    "Pays",
    "Téléphone",
    "Téléphone mobile",
    "e-mail du candidat",
    "Série diplôme",
    "Mention diplôme",
    "Année de césure",
    "Internat",
    "Date réponse",
    "Avis",
    "Bac obtenu",
)
LAST_NAMES = (
    "MARTIN BERNARD THOMAS PETIT ROBERT RICHARD DURAND DUBOIS MOREAU LAURENT SIMON MICHEL "
    "LEFEBVRE LEROY ROUX DAVID BERTRAND MOREL FOURNIER GIRARD BONNET DUPONT LAMBERT FONTAINE "
    "ROUSSEAU VINCENT MULLER LEFÈVRE FAURE ANDRÉ MERCIER BLANC GUÉRIN BOYER GARNIER CHEVALIER "
    "FRANÇOIS LEGRAND GAUTHIER GARCIA PERRIN ROBIN CLÉMENT MORIN NICOLAS HENRY ROUSSEL MATHIEU "
    "GAUTIER MASSON MARCHAND DUVAL DENIS DUMONT MARIE LEMAIRE NOËL MEYER DUFOUR MEUNIER BRUN "
    "BLANCHARD GIRAUD JOLY RIVIÈRE LUCAS BRUNET GAILLARD BARBIER ARNAUD MARTINEZ GÉRARD ROCHE"
).split()
COMPOUND = ("DE LA FONTAINE", "LE GOFF", "N'DIAYE", "SAINT-JUST", "D'ALMEIDA")
FIRST_F = (
    "Emma Jade Louise Alice Chloé Lina Léa Rose Anna Mia Inès Ambre Julia Mila Léna Manon "
    "Juliette Zoé Lou Camille Lola Agathe Sarah Romane Éloïse Margaux Clémence Océane Maëlys"
).split()
FIRST_M = (
    "Gabriel Léo Raphaël Arthur Louis Lucas Adam Jules Hugo Maël Liam Noah Paul Ethan Tiago "
    "Sacha Gabin Nathan Mohamed Aaron Théo Noé Victor Martin Mathis Axel Timéo Enzo Baptiste"
).split()
CITIES = (
    ("75011", "Paris"),
    ("93100", "Montreuil"),
    ("94300", "Vincennes"),
    ("92130", "Issy-les-Moulineaux"),
    ("69003", "Lyon"),
    ("13005", "Marseille"),
    ("59000", "Lille"),
    ("33000", "Bordeaux"),
    ("31000", "Toulouse"),
    ("44000", "Nantes"),
    ("67000", "Strasbourg"),
    ("35000", "Rennes"),
    ("01000", "Bourg-en-Bresse"),
)
STREETS = (
    "rue de la République",
    "avenue Jean Jaurès",
    "rue Victor Hugo",
    "boulevard Gambetta",
    "rue Pasteur",
    "allée des Tilleuls",
    "rue du Moulin",
    "place de la Mairie",
    "chemin des Vignes",
    "rue de Paris",
)
SERIES = (
    "Générale",
    "Générale",
    "Générale",
    "STMG",
    "STI2D",
    "ST2S",
    "Professionnelle",
    "STL",
)
MENTIONS = ("", "", "Assez bien", "Assez bien", "Bien", "Très bien", "Très bien avec félicitations")
ABROAD = (
    ("Maroc", "Casablanca", "Marocaine"),
    ("Sénégal", "Dakar", "Sénégalaise"),
    ("Belgique", "Liège", "Belge"),
)


def applicant_row(
    rng: random.Random, number: int, *, response: str = "Oui", bac: str = "Oui"
) -> list[str]:
    """One line of Parcoursup's standard admissions export (the columns of HEADER)."""
    female = rng.random() < 0.55
    first = rng.choice(FIRST_F if female else FIRST_M)
    last = rng.choice(COMPOUND) if rng.random() < 0.03 else rng.choice(LAST_NAMES)
    born = datetime.date(2007, 1, 1) + datetime.timedelta(days=rng.randrange(0, 900))
    born -= datetime.timedelta(days=365 * (rng.random() < 0.15))
    if rng.random() < 0.06:
        birth_country, birth_city, nationality = rng.choice(ABROAD)
    else:
        birth_country, nationality = "France", "Française"
        birth_city = rng.choice(CITIES)[1]
    postal, city = rng.choice(CITIES)
    ine = f"{rng.randrange(10**8, 10**9)}{rng.choice('ABCDEFGHJK')}{rng.choice('ABCDEFGHJK')}"
    responded = datetime.datetime(2026, 6, 2, 9, 0) + datetime.timedelta(
        minutes=rng.randrange(0, 60 * 24 * 40)
    )
    mail_name = "".join(
        ch for ch in f"{first}.{last}".lower() if ch.isascii() and (ch.isalnum() or ch == ".")
    )
    return [
        str(number),
        ine if rng.random() < 0.97 else "",
        "Mme" if female else "M.",
        last,
        first,
        born.strftime("%d/%m/%Y"),
        birth_city,
        birth_country,
        nationality,
        f"{rng.randrange(1, 180)} {rng.choice(STREETS)}",
        "Bâtiment B" if rng.random() < 0.08 else "",
        "",
        postal,
        city,
        "France",
        _phone(rng, "01") if rng.random() < 0.3 else "",
        _phone(rng, "06"),
        f"{mail_name}{number % 1000}@exemple.fr",
        rng.choice(SERIES),
        rng.choice(MENTIONS),
        "Oui" if rng.random() < 0.02 else "Non",
        "Oui" if rng.random() < 0.1 else "Non",
        responded.strftime("%d/%m/%Y %H:%M"),
        response,
        bac,
    ]


def _phone(rng: random.Random, prefix: str) -> str:
    return " ".join([prefix, *(f"{rng.randrange(10, 99)}" for _ in range(4))])


def export_rows(count: int, *, seed: int = 2026, first_number: int = 1_200_001) -> list[list[str]]:
    """``count`` lines of a formation's export: one « Oui en attente » in 40 (the 8th, the
    48th…: a file of 10 lines has one), one without their bac in 90, the others « Oui » or
    « Oui si »."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        draw = rng.random()
        response = "Oui en attente" if i % 40 == 7 else ("Oui si" if draw < 0.1 else "Oui")
        bac = "Non" if i % 90 == 45 else "Oui"
        rows.append(applicant_row(rng, first_number + i * 7, response=response, bac=bac))
    return rows


def write_export(stream, rows: list[list[str]], *, encoding: str = "utf-8-sig") -> None:
    """``rows`` under HEADER as Parcoursup writes them: « ; », CRLF, text in ``encoding``."""
    text = io.StringIO()
    text.write(";".join(HEADER) + "\r\n")
    for row in rows:
        text.write(";".join(_quoted(value) for value in row) + "\r\n")
    stream.write(text.getvalue().encode(encoding))


def _quoted(value: str) -> str:
    if any(ch in value for ch in ';"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def second_day(rows: list[list[str]]) -> list[list[str]]:
    """The next day's export: two applicants withdrew (gone from the file), one « Oui en
    attente » became « Oui » (arrives), one changed their mobile phone."""
    kept = [row for row in rows if row[23] != "Oui en attente" and row[24] == "Oui"]
    leaving = {kept[1][0], kept[4][0]}
    waiting = next((row for row in rows if row[23] == "Oui en attente"), None)
    result = []
    for row in rows:
        if row[0] in leaving:
            continue
        row = list(row)
        if waiting is not None and row[0] == waiting[0]:
            row[23] = "Oui"
        if row[0] == kept[2][0]:
            row[16] = "07 11 22 33 44"
        result.append(row)
    return result


def demo_dir() -> Path:
    return Path(settings.BASE_DIR) / DEMO_DIR


def seed(report) -> None:
    """Formations, the demo files (day 1 and day 2 of each), the first formation's base
    imported from its day-1 file, and three registrations of it (two validated and paid,
    one of them cancelled a day later) for the report back."""
    from admissions_sync.services.imports import import_file

    formations = []
    for code, label, uai in FORMATIONS:
        formation, created = Formation.objects.get_or_create(
            code=code, defaults={"label": label, "uai": uai}
        )
        report.count("formation Parcoursup", created)
        formations.append(formation)
    _seed_desk_setup(formations, report)
    folder = demo_dir()
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for index, formation in enumerate(formations):
        day1 = export_rows(
            60 if index == 0 else 40, seed=2026 + index, first_number=1_200_001 + index * 500_000
        )
        for day, rows in ((1, day1), (2, second_day(day1))):
            path = folder / f"parcoursup-{formation.code}-jour{day}.csv"
            with path.open("wb") as stream:
                write_export(stream, rows)
            paths[formation.code, day] = path
    first = formations[0]
    before = Applicant.objects.filter(formation=first).count()
    if not ParcoursupImport.objects.filter(
        formation=first, outcome=ParcoursupImport.Outcome.IMPORTED
    ).exists():
        with paths[first.code, 1].open("rb") as stream:
            import_file(
                actor=None, formation=first, uploaded=stream, file_name=paths[first.code, 1].name
            )
    report.add("candidat admis", Applicant.objects.filter(formation=first).count() - before, before)
    _seed_registrations(first, report)


def _seed_desk_setup(formations: list[Formation], report) -> None:
    """Each formation's program, grid, org unit, admission term and fee table, if unset."""
    code, start, end = ADMISSION_TERM
    term, created = Term.objects.get_or_create(
        code=code, defaults={"start_date": start, "end_date": end}
    )
    report.count("sessions", created)
    org_unit, created = OrgUnit.objects.get_or_create(
        code="RG", defaults={"name": "Enseignement régulier"}
    )
    for formation in formations:
        setup = DESK_SETUP.get(formation.code)
        if setup is None or formation.program_id is not None:
            continue
        program_code, title = setup["program"]
        program, created = Program.objects.get_or_create(
            code=program_code, defaults={"title": title}
        )
        report.count("programmes", created)
        formation.program = program
        formation.grid_code = setup["grid_code"]
        formation.org_unit = org_unit
        formation.admission_term = term
        formation.save()
        for order, (label, amount, exempt) in enumerate(setup["fees"]):
            Fee.objects.create(
                formation=formation,
                label=label,
                amount=amount,
                scholarship_exempt=exempt,
                order=order,
            )
            report.count("droit d'inscription", True)


def _seed_registrations(formation: Formation, report) -> None:
    if Registration.objects.filter(applicant__formation=formation).exists():
        report.add(
            "inscription administrative",
            0,
            Registration.objects.filter(applicant__formation=formation).count(),
        )
        return
    paris = zoneinfo.ZoneInfo(PARCOURSUP_TIME_ZONE)
    day = datetime.date(2026, 7, 10)
    moment = datetime.datetime.combine(day, datetime.time(10, 30), tzinfo=paris)
    applicants = list(
        Applicant.objects.filter(formation=formation, removed_at__isnull=True).order_by("pk")[:3]
    )
    with transaction.atomic():
        for i, applicant in enumerate(applicants):
            registration = Registration(
                applicant=applicant,
                validated_at=moment,
                paid_at=moment + datetime.timedelta(minutes=5),
                reported_on=day,
            )
            if i == 2:
                registration.cancelled_at = moment + datetime.timedelta(days=1)
                registration.cancelled_on = day + datetime.timedelta(days=1)
                registration.cancel_reason = "Désistement au profit d'une autre formation"
            registration.save()
    report.add("inscription administrative", len(applicants), 0)
