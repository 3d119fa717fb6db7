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


def _demo_documents() -> dict[str, tuple[bytes, str, str]]:
    """A photo (JPEG) and PDF documents for the demo's pre-registrations: (content, name,
    type) by kind."""
    from PIL import Image
    from weasyprint import HTML

    photo = io.BytesIO()
    Image.new("RGB", (350, 450), (176, 196, 222)).save(photo, format="JPEG")

    def pdf(title: str) -> bytes:
        return HTML(string=f"<h1>{title}</h1><p>Document de démonstration.</p>").write_pdf()

    return {
        "identity": (pdf("Carte nationale d'identité"), "carte-identite.pdf", "application/pdf"),
        "photo": (photo.getvalue(), "photo.jpg", "image/jpeg"),
        "bac": (pdf("Relevé de notes du baccalauréat"), "releve-bac.pdf", "application/pdf"),
    }


def _nir(applicant: Applicant) -> str:
    """A valid NIR for ``applicant`` (sex, year and month of birth, a Paris birth place)."""
    sex = "2" if applicant.civility == Applicant.Civility.MRS else "1"
    body = f"{sex}{applicant.birth_date:%y%m}75056{applicant.pk % 1000:03d}"
    return f"{body}{97 - int(body) % 97:02d}"


def _fill_preregistration(applicant: Applicant, files: dict) -> None:
    """Every step of ``applicant``'s pre-registration saved through its forms and the
    applicant's services, as the applicant would (the address as its form would keep it:
    the commune reference may not be loaded yet), and the three documents uploaded."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from admissions_sync import steps
    from admissions_sync.forms.preregistration import STEP_FORMS
    from admissions_sync.services import preregistration as services

    data = {
        steps.CONTACT: {"email": applicant.email, "mobile": applicant.mobile, "phone": ""},
        steps.BAC: {
            "series": applicant.bac_series or "Générale",
            "mention": "ab",
            "year": "2026",
            "ine": applicant.ine or "",
        },
        steps.SOCIAL_SECURITY: {"has_number": "on", "number": _nir(applicant)},
        steps.DOCUMENTS: {"cvec": f"PAR{applicant.pk % 10}{applicant.candidate_number[-8:]:0>8}"},
        steps.GUARDIANS: {
            "guardian1_relation": "mere",
            "guardian1_last_name": applicant.last_name,
            "guardian1_first_name": "Catherine",
            "guardian1_phone": "06 11 22 33 44",
            "guardian1_email": "",
        },
    }
    for step in steps.steps_for(applicant):
        if step.key == steps.IDENTITY:
            answers = {"confirmed": "1"}
        elif step.key == steps.ADDRESS:
            answers = {
                "where": "france",
                "address1": applicant.address1,
                "address2": applicant.address2,
                "postal_code": applicant.postal_code,
                "city": applicant.city,
                "country": "",
            }
        else:
            form = STEP_FORMS[step.key](data[step.key], applicant=applicant)
            if not form.is_valid():
                continue  # left to do, as a draft (an applicant without an INE, say)
            answers = form.answers()
        services.preregistration_save_step(applicant=applicant, step=step.key, answers=answers)
    for kind, (content, name, content_type) in files.items():
        services.document_upload(
            applicant=applicant,
            kind=kind,
            uploaded=SimpleUploadedFile(name, content, content_type=content_type),
        )


def _seed_registrations(formation: Formation, report) -> None:
    """The desk's demo: three applicants pre-registered, checked, paid and validated on
    10/07/2026 (one cancelled the next day) — the report back's lines —, four pre-registered
    and waiting at the desk, one whose file the desk has started, two drafts. Through the
    services, as the applicants and the desk would; the first three are then dated back."""
    from django.contrib.auth import get_user_model

    from admissions_sync.models import Preregistration
    from admissions_sync.services import desk
    from admissions_sync.services import preregistration as services

    if Preregistration.objects.filter(applicant__formation=formation).exists():
        report.add(
            "préinscription",
            0,
            Preregistration.objects.filter(applicant__formation=formation).count(),
        )
        return
    agent = get_user_model().objects.filter(username="demo_admissions").first()
    files = _demo_documents()
    applicants = list(
        Applicant.objects.filter(formation=formation, removed_at__isnull=True)
        .exclude(ine="")
        .order_by("pk")[:10]
    )
    paris = zoneinfo.ZoneInfo(PARCOURSUP_TIME_ZONE)
    day = datetime.date(2026, 7, 10)
    for i, applicant in enumerate(applicants):
        _fill_preregistration(applicant, files if i < 8 else {})
        if i >= 8:
            continue  # drafts
        preregistration = Preregistration.objects.get(applicant=applicant)
        if services.missing_steps(applicant, preregistration):
            continue
        services.preregistration_submit(applicant=applicant)
        if i >= 7:
            # The desk has started this one: the identity document checked.
            document = preregistration.documents.get(kind="identity")
            desk.document_review(actor=agent, document=document, accepted=True)
            continue
        if i >= 3:
            continue  # waiting at the desk
        for document in preregistration.documents.all():
            desk.document_review(actor=agent, document=document, accepted=True)
        desk.payment_record(
            actor=agent,
            applicant=applicant,
            method="card",
            scholarship=False,
            reference=f"CB-{applicant.candidate_number}",
        )
        registration = desk.registration_validate(actor=agent, applicant=applicant, student=None)
        moment = datetime.datetime.combine(day, datetime.time(10, 30 + i * 5), tzinfo=paris)
        Registration.objects.filter(pk=registration.pk).update(
            opened_at=moment,
            validated_at=moment + datetime.timedelta(minutes=3),
            paid_at=moment + datetime.timedelta(minutes=2),
            reported_on=day,
        )
        registration.payment.__class__.objects.filter(registration=registration).update(
            recorded_at=moment + datetime.timedelta(minutes=2)
        )
        # Their whole story happened before that day's desk: pre-registered two days before.
        submitted = moment - datetime.timedelta(days=2)
        Preregistration.objects.filter(pk=preregistration.pk).update(submitted_at=submitted)
        preregistration.documents.update(
            uploaded_at=submitted - datetime.timedelta(minutes=10), reviewed_at=moment
        )
        for event in applicant.registration_events.all():
            event.at = submitted if event.actor_id is None else moment
            event.save(update_fields=["at"])
        if i == 2:
            desk.registration_cancel(
                actor=agent,
                applicant=applicant,
                reason="Désistement au profit d'une autre formation",
            )
            Registration.objects.filter(pk=registration.pk).update(
                cancelled_at=moment + datetime.timedelta(days=1),
                cancelled_on=day + datetime.timedelta(days=1),
            )
    report.add("préinscription", len(applicants), 0)
