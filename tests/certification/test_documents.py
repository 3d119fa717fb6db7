"""A session's documents: the attendance sheet (« Télécharger le PV »), the candidates list
as .xlsx and the invigilator kit — opened and read, their file names, the centre's scope
(of the PDFs' jobs too) and a number of queries that does not grow with the candidates."""

import datetime
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from certification import documents
from certification.models import Candidate
from registrar.models import Job
from tests.factories import CandidateFactory, CertificationSessionFactory

pytestmark = pytest.mark.django_db
SIGNATURES = "Signature du ou des surveillants"
URL_NAMES = (
    "certification:attendance_sheet",
    "certification:candidates_xlsx",
    "certification:invigilator_kit",
)
PDF_URL_NAMES = ("certification:attendance_sheet", "certification:invigilator_kit")
XLSX_HEADERS = [
    "Nom",
    "Prénom",
    "Sexe",
    "Date de naissance",
    "Commune de naissance",
    "Code INSEE",
    "Code postal",
    "Département de naissance",
    "Pays de naissance",
    "Identifiant local",
    "Classe",
    "Temps majoré (%)",
    "E-mail de convocation",
    "E-mail du destinataire des résultats",
    "Tarification",
    "Code de prépaiement",
    "Aménagement nécessaire",
    "A rejoint la session",
]
# The guide's class 3eB.
GUIDE = [
    ("Jefferson", "Thomas", datetime.date(2005, 4, 13)),
    ("Washington", "George", datetime.date(2005, 2, 22)),
    ("Monroe", "James", datetime.date(2005, 4, 28)),
    ("Tyler", "John", datetime.date(2005, 3, 29)),
    ("Jackson", "Andrew", datetime.date(2005, 3, 15)),
    ("Lincoln", "Abraham", datetime.date(2005, 2, 12)),
]


@pytest.fixture
def client_of():
    def login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def session(sco_center):
    """The guide's session on Thursday 14 February 2019 at 14:00, with two invigilators."""
    return CertificationSessionFactory(
        center=sco_center,
        number=123456,
        name="Certification Pix 3eB",
        site="Bâtiment Sud",
        room="Salle 204",
        date=datetime.date(2019, 2, 14),
        start_time=datetime.time(14, 0),
        invigilators="Mme Durand, M. Petit",
        access_code="KXRT42",
        invigilator_password="pix-surv1",
    )


@pytest.fixture
def guide_candidates(session):
    """The guide's six students; Monroe has 33 % extra time and a local identifier."""
    candidates = [
        CandidateFactory(session=session, last_name=last, first_name=first, birth_date=born)
        for last, first, born in GUIDE
    ]
    monroe = candidates[2]
    monroe.extra_time_percent = 33
    monroe.local_id = "ELV-0042"
    monroe.convocation_email = "james.monroe@example.org"
    monroe.checked_in_at = timezone.now()
    monroe.save()
    return candidates


def _pdf(content: bytes) -> tuple[PdfReader, list[str]]:
    """The PDF's pages and their text, white space (no-break spaces included) made single
    spaces."""
    reader = PdfReader(io.BytesIO(content))
    return reader, [" ".join(page.extract_text().split()) for page in reader.pages]


def _raw_text(content: bytes, page: int) -> str:
    return PdfReader(io.BytesIO(content)).pages[page].extract_text()


def _download(client: Client, name: str, session) -> tuple[bytes, str]:
    """What the link ends with: the file itself, or — a PDF being a tracked job
    (certification/tasks.py), made inline by the tests' immediate backend — the file
    through the job's page."""
    response = client.get(reverse(name, args=[session.pk]), follow=True)
    assert response.status_code == 200, response.content[:300]
    if name != "certification:candidates_xlsx":
        job = Job.objects.filter(requested_by=response.wsgi_request.user).latest("pk")
        assert [url for url, _status in response.redirect_chain] == [
            reverse("registrar:job_detail", args=[job.pk]),
            reverse("registrar:job_file", args=[job.pk]),
        ]
    return response.content, response["Content-Disposition"]


def _blank_rows(raw_text: str) -> list[int]:
    """The numbers of the blank rows at the end of the table: the lines of a page's raw text
    before the signature block that hold nothing but a number."""
    lines = raw_text.split(SIGNATURES)[0].splitlines()
    numbers = []
    for line in reversed(lines):
        if not line.strip().isdigit():
            break
        numbers.insert(0, int(line))
    return numbers


# --------------------------------------------------------------------------------------
# Attendance sheet
# --------------------------------------------------------------------------------------


def test_attendance_sheet_has_the_session_header_and_every_candidate(
    client_of, centre_staff, session, guide_candidates
):
    content, disposition = _download(
        client_of(centre_staff), "certification:attendance_sheet", session
    )
    assert disposition == 'attachment; filename="feuille-emargement-123456.pdf"'
    reader, pages = _pdf(content)
    assert len(reader.pages) == 1
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4 portrait
    text = pages[0]
    for fact in (
        "Feuille d'émargement",
        "Collège Jean-Moulin",
        "Session n° 123456",
        "Certification Pix 3eB",
        "jeudi 14 février 2019",
        "Heure de début 14:00",
        "Bâtiment Sud",
        "Salle 204",
        "Mme Durand, M. Petit",
        "Page 1 / 1",
    ):
        assert fact in text, fact
    # Monroe's 33 % extra time: 2 h 30 × 1.33 = 3 h 19 1/2, rounded up to 3 h 30.
    assert "Heure de fin 17:30 (temps majoré de 33 % compris)" in text
    for last, first, born in GUIDE:
        assert re.search(rf"{last} {first} {born:%d/%m/%Y}", text), last
    # Name order, numbered; Monroe's local identifier and extra time, the others' class.
    assert text.index("1 Jackson Andrew") < text.index("6 Washington George")
    assert "4 Monroe James 28/04/2005 ELV-0042 33 % 5 Tyler John 29/03/2005 3eB 6 " in text
    # The signature block, one box per invigilator.
    signatures = text.split(SIGNATURES)[1]
    assert "Surveillant Mme Durand" in signatures and "Surveillant M. Petit" in signatures


def test_attendance_sheet_has_blank_rows_that_fill_the_last_page(session, guide_candidates):
    content = documents.attendance_sheet_pdf(session)
    reader, _pages = _pdf(content)
    assert len(reader.pages) == 1
    blank = _blank_rows(_raw_text(content, 0))
    # Numbered after the candidates; at least five, and here many more: six candidates and
    # the header leave most of the page to fill.
    assert blank == list(range(7, 7 + len(blank)))
    assert len(blank) > 10, blank
    # One more would not fit: the same session with one more candidate has one blank row
    # less, on one page still.
    CandidateFactory(session=session, last_name="Zola", first_name="Émile")
    content = documents.attendance_sheet_pdf(session)
    assert len(PdfReader(io.BytesIO(content)).pages) == 1
    assert _blank_rows(_raw_text(content, 0)) == blank[1:]


def test_end_time_is_two_and_a_half_hours_without_extra_time(session):
    CandidateFactory(session=session)
    text = _pdf(documents.attendance_sheet_pdf(session))[1][0]
    assert "Heure de fin 16:30" in text and "temps majoré de" not in text


@pytest.mark.parametrize(
    ("percents", "end"),
    [
        ([], datetime.time(16, 30)),
        ([None, 0], datetime.time(16, 30)),
        ([10], datetime.time(16, 45)),  # 165 min
        ([5], datetime.time(16, 45)),  # 157.5 min → 2 h 45
        ([20, 33, 25], datetime.time(17, 30)),  # the longest: 199.5 min → 3 h 30
        ([99], datetime.time(19, 0)),  # 298.5 min → 5 h
    ],
)
def test_end_time_rule(session, percents, end):
    candidates = [Candidate(extra_time_percent=p) for p in percents]
    ends, longest = documents.end_time(session, candidates)
    assert ends == end
    assert longest == max((p or 0 for p in percents), default=0)


def test_dates_are_written_in_french():
    assert documents.long_date(datetime.date(2019, 2, 14)) == "jeudi 14 février 2019"
    assert documents.long_date(datetime.date(2019, 2, 11)) == "lundi 11 février 2019"
    assert documents.long_date(datetime.date(2019, 6, 1)) == "samedi 1er juin 2019"


@pytest.mark.parametrize(
    ("written", "names"),
    [
        ("Mme Durand", ["Mme Durand"]),
        ("Mme Durand, M. Petit", ["Mme Durand", "M. Petit"]),
        ("Mme Durand et M. Petit ; M. Roy", ["Mme Durand", "M. Petit", "M. Roy"]),
    ],
)
def test_one_signature_box_per_invigilator(session, written, names):
    session.invigilators = written
    assert documents.invigilator_names(session) == names
    text = _pdf(documents.attendance_sheet_pdf(session))[1][0].split(SIGNATURES)[1]
    assert text.count("Surveillant ") == len(names)
    for name in names:
        assert f"Surveillant {name}" in text


def test_sixty_candidates_take_several_pages_with_the_header_on_each(session):
    people = [
        CandidateFactory(
            session=session,
            last_name=f"Nom{n:02d}",
            first_name=f"Prénom{n:02d}",
            birth_date=datetime.date(2005, 1, 1) + datetime.timedelta(days=9 * n),
            extra_time_percent=25 if n % 10 == 0 else None,
        )
        for n in range(60)
    ]
    content = documents.attendance_sheet_pdf(session)
    reader, pages = _pdf(content)
    count = len(reader.pages)
    assert count > 1
    everything = " ".join(pages)
    for number, person in enumerate(people, start=1):
        row = f"{number} {person.last_name} {person.first_name} {person.birth_date:%d/%m/%Y}"
        assert row in everything, row
    assert len(re.findall(r"\d\d/\d\d/\d{4} 3eB 25 %", everything)) == 6
    header = "N° Nom Prénom Date de naissance"
    for index, text in enumerate(pages, start=1):
        assert f"Page {index} / {count}" in text
        # The table's header on every page; the session's facts on the first only.
        assert header in text, index
        assert ("Nom de la session" in text) == (index == 1)
    assert SIGNATURES in pages[-1]
    assert SIGNATURES not in " ".join(pages[:-1])
    blank = _blank_rows(_raw_text(content, count - 1))
    assert blank[:5] == [61, 62, 63, 64, 65]
    assert blank == list(range(61, 61 + len(blank)))


def test_an_empty_session_prints_blank_rows(session):
    content = documents.attendance_sheet_pdf(session)
    assert len(PdfReader(io.BytesIO(content)).pages) == 1
    blank = _blank_rows(_raw_text(content, 0))
    assert blank == list(range(1, 1 + len(blank))) and len(blank) > 5


# --------------------------------------------------------------------------------------
# Candidates list (.xlsx)
# --------------------------------------------------------------------------------------


def test_candidates_xlsx_has_the_headers_and_values(
    client_of, centre_staff, session, guide_candidates
):
    content, disposition = _download(
        client_of(centre_staff), "certification:candidates_xlsx", session
    )
    assert disposition == 'attachment; filename="candidats-session-123456.xlsx"'
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Candidats"]
    sheet = workbook["Candidats"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == XLSX_HEADERS
    assert all(cell.font.b for cell in sheet[1])
    assert [row[0] for row in rows[1:]] == sorted(last for last, _first, _born in GUIDE)
    by_name = {row[0]: dict(zip(XLSX_HEADERS, row, strict=True)) for row in rows[1:]}
    monroe = by_name["Monroe"]
    # A real date cell, shown as dd/mm/yyyy.
    assert monroe["Date de naissance"] == datetime.datetime(2005, 4, 28)
    assert sheet.cell(row=2, column=4).is_date
    assert sheet.cell(row=2, column=4).number_format == "DD/MM/YYYY"
    assert monroe["Prénom"] == "James"
    assert monroe["Commune de naissance"] == "Besançon"
    assert monroe["Code INSEE"] == "25056" and monroe["Code postal"] == "25000"
    assert monroe["Département de naissance"] == "Doubs"
    assert monroe["Pays de naissance"] == "France"
    assert monroe["Identifiant local"] == "ELV-0042" and monroe["Classe"] == "3eB"
    assert monroe["Temps majoré (%)"] == 33
    assert monroe["E-mail de convocation"] == "james.monroe@example.org"
    assert monroe["A rejoint la session"] == "Oui"
    tyler = by_name["Tyler"]
    assert tyler["Temps majoré (%)"] is None and tyler["A rejoint la session"] == "Non"
    assert tyler["Sexe"] in {"M", "F"}
    # A SCO centre's pupils have no pricing.
    assert (tyler["Tarification"], tyler["Aménagement nécessaire"]) == (None, "Non")


def test_candidates_xlsx_of_a_pro_centre_has_pricing_and_arrangements(
    client_of, centre_staff, pro_session
):
    CandidateFactory(
        session=pro_session,
        last_name="Nguyen",
        pricing="PREPAID",
        prepayment_code="PP-77",
        accessibility_needed=True,
    )
    content, _disposition = _download(
        client_of(centre_staff), "certification:candidates_xlsx", pro_session
    )
    rows = list(load_workbook(io.BytesIO(content))["Candidats"].iter_rows(values_only=True))
    nguyen = dict(zip(XLSX_HEADERS, rows[1], strict=True))
    assert (
        nguyen["Tarification"],
        nguyen["Code de prépaiement"],
        nguyen["Aménagement nécessaire"],
    ) == ("Prépayée", "PP-77", "Oui")


# --------------------------------------------------------------------------------------
# Invigilator kit
# --------------------------------------------------------------------------------------


def test_invigilator_kit_has_the_codes_and_the_instructions(
    client_of, centre_staff, session, guide_candidates
):
    content, disposition = _download(
        client_of(centre_staff), "certification:invigilator_kit", session
    )
    assert disposition == 'attachment; filename="kit-surveillant-123456.pdf"'
    reader, pages = _pdf(content)
    assert len(reader.pages) == 1
    text = pages[0]
    for fact in (
        "Kit surveillant",
        "Collège Jean-Moulin",
        "123456",
        "Certification Pix 3eB",
        "jeudi 14 février 2019",
        "14:00",
        "Bâtiment Sud",
        "Salle 204",
        "Code d'accès candidat KXRT42",
        "Mot de passe surveillant pix-surv1",
        "Vérifiez l'identité",
        "« Espace surveillant »",
        "le n° de session 123456 et le mot de passe surveillant",
        "confirmer son nom, son prénom et sa date de naissance",
        "Pendant la session",
        "incident",
        "Après la session",
        "finalisée par le personnel du centre",
        "6 candidats inscrits",
    ):
        assert fact in text, fact
    # The invigilator space's address, absolute.
    assert "http://testserver/certification/surveillant/" in text.replace(" ", "")
    # The access code in a monospace font.
    fonts = _fonts(reader.pages[0])
    assert any("DejaVu-Sans-Mono" in font for font in fonts), fonts


def _fonts(page) -> set[str]:
    resources = page["/Resources"]["/Font"]
    return {str(resources[key].get_object()["/BaseFont"]) for key in resources}


# --------------------------------------------------------------------------------------
# Scope, method, permission, queries
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", URL_NAMES)
def test_another_centres_session_answers_404(client_of, centre_staff, other_center, name):
    theirs = CertificationSessionFactory(center=other_center)
    CandidateFactory(session=theirs, last_name="Secret")
    response = client_of(centre_staff).get(reverse(name, args=[theirs.pk]))
    assert response.status_code == 404
    assert b"Secret" not in response.content and b"%PDF" not in response.content


@pytest.mark.parametrize("name", URL_NAMES)
def test_documents_are_get_only(client_of, centre_staff, session, name):
    response = client_of(centre_staff).post(reverse(name, args=[session.pk]))
    assert response.status_code == 405
    assert response["Allow"] == "GET"


@pytest.mark.parametrize("name", URL_NAMES)
def test_documents_need_the_sessions_view_permission(client_of, registrar_staff, session, name):
    response = client_of(registrar_staff).get(reverse(name, args=[session.pk]))
    assert response.status_code == 403
    assert not response.content.startswith((b"%PDF", b"PK"))


@pytest.mark.parametrize("name", URL_NAMES)
def test_queries_do_not_grow_with_the_candidates(client_of, centre_staff, session, name):
    client = client_of(centre_staff)
    url = reverse(name, args=[session.pk])
    counts = []
    for total in (1, 10):
        CandidateFactory.create_batch(total - session.candidates.count(), session=session)
        client.get(url, follow=True)  # session and permission caches warm
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, follow=True)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --------------------------------------------------------------------------------------
# The PDFs as tracked jobs
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PDF_URL_NAMES)
def test_another_centres_staff_cannot_open_the_job(
    client_of, centre_staff, other_centre_staff, other_center, session, name
):
    client_of(centre_staff).get(reverse(name, args=[session.pk]))
    job = Job.objects.get()
    assert (job.status, job.target_id, job.requested_by) == (
        Job.Status.DONE,
        session.pk,
        centre_staff,
    )
    for url in (
        reverse("registrar:job_detail", args=[job.pk]),
        reverse("registrar:job_file", args=[job.pk]),
    ):
        response = client_of(other_centre_staff).get(url)
        assert response.status_code == 404
        assert b"%PDF" not in response.content


def test_each_request_makes_the_sheet_anew(client_of, centre_staff, session, guide_candidates):
    """The candidates change until the day: a second click makes a new sheet, and the first
    one's file goes."""
    client = client_of(centre_staff)
    client.get(reverse("certification:attendance_sheet", args=[session.pk]))
    first = Job.objects.get()
    CandidateFactory(session=session, last_name="Retardataire")
    content, _disposition = _download(client, "certification:attendance_sheet", session)
    assert "Retardataire" in " ".join(_pdf(content)[1])
    assert list(Job.objects.values_list("status", flat=True)) == [Job.Status.DONE]
    assert not Job.objects.filter(pk=first.pk).exists()
