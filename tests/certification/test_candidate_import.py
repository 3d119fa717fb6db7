"""« Importer des candidats » (SUP and PRO centres): the template pre-filled with the session
and its candidates, .xlsx or .ods, and the import that checks every line first."""

import datetime
import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from certification.imports import candidates as candidate_import
from certification.models import Candidate
from registrar.tabular import ods_bytes, read_rows
from tests.factories import CandidateFactory, CertificationSessionFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def line(**overrides) -> list:
    values = {
        "last_name": "Martin",
        "first_name": "Léa",
        "sex": "F",
        "birth_date": "14/03/1990",
        "birth_country": "France",
        "birth_insee_code": "69123",
        "birth_postal_code": "",
        "birth_city": "",
        "convocation_email": "lea.martin@example.fr",
        "results_email": "",
        "local_id": "A-001",
        "class_name": "",
        "extra_time_percent": "",
        "pricing": "Payante",
        "prepayment_code": "",
        "accessibility_needed": "non",
    }
    values.update(overrides)
    return [values[name] for _header, name in candidate_import.COLUMNS]


def xlsx_file(session, lines, *, preamble=True, headers=None) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    if preamble:
        for row in candidate_import.template_rows(session)[:3]:
            sheet.append(row)
    sheet.append(headers or candidate_import.HEADERS)
    for row in lines:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("candidats.xlsx", buffer.getvalue(), content_type=XLSX)


def ods_file(session, lines, *, headers=None) -> SimpleUploadedFile:
    rows = [*candidate_import.template_rows(session)[:3], headers or candidate_import.HEADERS]
    content = ods_bytes([*rows, *lines], sheet_name="Candidats")
    return SimpleUploadedFile("candidats.ods", content)


@pytest.fixture
def upload(client_of, centre_staff, pro_session):
    client = client_of(centre_staff)
    url = reverse("certification:candidates_import", args=[pro_session.pk])

    def send(uploaded):
        return client.post(url, {"file": uploaded})

    return send


def import_errors(response) -> list[str]:
    return response.context["errors"]


def test_the_xlsx_template_holds_the_session_and_its_candidates(
    client_of, centre_staff, pro_session
):
    CandidateFactory(
        session=pro_session, last_name="Zola", first_name="Émile", extra_time_percent=33
    )
    response = client_of(centre_staff).get(
        reverse("certification:candidates_import_template", args=[pro_session.pk, "xlsx"])
    )
    assert response["Content-Type"] == XLSX
    assert (
        f'filename="modele-import-candidats-{pro_session.number}.xlsx"'
        in response["Content-Disposition"]
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == f"Session n° {pro_session.number} – Certification Pix adultes"
    assert "Centre Formation Pro" in rows[1][0]
    assert list(rows[3]) == candidate_import.HEADERS
    assert rows[4][:5] == ("Zola", "Émile", rows[4][2], rows[4][3], "France")
    assert rows[4][12] == 33


def test_the_ods_template_reads_back_as_the_same_lines(client_of, centre_staff, pro_session):
    CandidateFactory(session=pro_session, last_name="Zola", first_name="Émile")
    response = client_of(centre_staff).get(
        reverse("certification:candidates_import_template", args=[pro_session.pk, "ods"])
    )
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    rows = [
        row.cells
        for row in read_rows(
            SimpleUploadedFile("t.ods", response.content), max_columns=16, max_rows=100
        )
    ]
    assert rows[0][0].startswith(f"Session n° {pro_session.number}")
    assert list(rows[3]) == candidate_import.HEADERS
    assert rows[4][0] == "Zola"
    assert isinstance(rows[4][3], datetime.date)


def test_the_unchanged_template_imports_nothing_new(
    communes, client_of, centre_staff, pro_session, upload
):
    CandidateFactory(session=pro_session, last_name="Zola", first_name="Émile", pricing="PAID")
    template = client_of(centre_staff).get(
        reverse("certification:candidates_import_template", args=[pro_session.pk, "xlsx"])
    )
    response = upload(SimpleUploadedFile("t.xlsx", template.content))
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == [
        "1 ligne concernait un candidat déjà dans la session : il est resté tel quel.",
    ]
    assert Candidate.objects.filter(session=pro_session).count() == 1


def test_a_clean_xlsx_adds_every_candidate(communes, upload, pro_session, centre_staff):
    response = upload(
        xlsx_file(
            pro_session,
            [
                line(),
                line(
                    last_name="Nguyen",
                    first_name="Minh",
                    sex="m",
                    birth_date=datetime.datetime(1985, 7, 1),
                    birth_country="Viêt Nam",
                    birth_insee_code="",
                    birth_city="Hanoï",
                    extra_time_percent=0.33,
                    pricing="Prépayée",
                    prepayment_code="PP-123",
                    accessibility_needed="oui",
                ),
                [],
                line(
                    last_name="Petit",
                    first_name="Jules",
                    sex="M",
                    birth_date="02/02/2002",
                    birth_insee_code="",
                    birth_postal_code=1400,
                    birth_city="Abergement-Clémenciat",
                    extra_time_percent="25 %",
                    pricing="gratuite",
                ),
            ],
        )
    )
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["3 candidats importés."]
    by_name = {c.last_name: c for c in Candidate.objects.filter(session=pro_session)}
    assert set(by_name) == {"Martin", "Nguyen", "Petit"}
    nguyen = by_name["Nguyen"]
    assert (nguyen.sex, nguyen.birth_date, nguyen.birth_country, nguyen.birth_city) == (
        "M",
        datetime.date(1985, 7, 1),
        "Viêt Nam",
        "Hanoï",
    )
    assert (nguyen.extra_time_percent, nguyen.pricing, nguyen.prepayment_code) == (
        33,
        "PREPAID",
        "PP-123",
    )
    assert nguyen.accessibility_needed is True
    petit = by_name["Petit"]
    assert (petit.birth_postal_code, petit.birth_insee_code, petit.birth_department) == (
        "01400",
        "01001",
        "Ain",
    )
    assert (petit.extra_time_percent, petit.pricing) == (25, "FREE")
    assert by_name["Martin"].added_by == centre_staff


def test_a_clean_ods_adds_the_candidates(communes, upload, pro_session):
    response = upload(
        ods_file(pro_session, [line(birth_date=datetime.date(1990, 3, 14), extra_time_percent=10)])
    )
    assert response.status_code == 302
    candidate = Candidate.objects.get(session=pro_session)
    assert (candidate.birth_date, candidate.extra_time_percent, candidate.birth_city) == (
        datetime.date(1990, 3, 14),
        10,
        "Lyon",
    )


def test_every_bad_line_is_listed_and_nothing_is_imported(communes, upload, pro_session):
    CandidateFactory(session=pro_session)
    response = upload(
        xlsx_file(
            pro_session,
            [
                line(),  # line 5: fine
                line(last_name="Nord", birth_insee_code="99999"),
                line(
                    last_name="Sud",
                    birth_insee_code="",
                    birth_postal_code="00000",
                    birth_city="Lyon",
                ),
                line(
                    last_name="Est",
                    birth_insee_code="",
                    birth_postal_code="01400",
                    birth_city="Lyon",
                ),
                line(last_name="Ouest", extra_time_percent=150),
                line(last_name="Centre", extra_time_percent="abc"),
                line(last_name="Futur", birth_date="01/01/2999"),
                line(last_name="Mail", convocation_email="pas-un-mail"),
                line(last_name="Prepaye", pricing="Prépayée"),
                line(),  # line 14: the same person as line 5
                line(last_name="Date", birth_date="32/13/2000"),
                line(last_name="", first_name="", sex="", birth_country="Atlantide"),
            ],
        )
    )
    assert response.status_code == 200
    assert import_errors(response) == [
        "Ligne 6 : Le code INSEE « 99999 » ne correspond à aucune commune.",
        "Ligne 7 : Le code postal « 00000 » n'existe pas.",
        "Ligne 8 : La commune « Lyon » ne correspond pas au code postal « 01400 » (communes "
        "de ce code postal : Abergement-Clémenciat, Chanoz-Châtenay, Châtillon-sur-Chalaronne, "
        "Condeissiat, Dompierre-sur-Chalaronne, Neuville-les-Dames, Romans, "
        "Saint-Georges-sur-Renon, Sandrans, Sulignat).",
        "Ligne 9 : temps majoré « 150 » : un pourcentage entier de 0 à 99 est attendu.",
        "Ligne 10 : temps majoré « abc » : un pourcentage entier de 0 à 99 est attendu.",
        "Ligne 11 : La date de naissance ne peut pas être dans le futur.",
        "Ligne 12 : « pas-un-mail » n'est pas une adresse e-mail valide.",
        "Ligne 13 : Une tarification Prépayée demande le code de prépaiement.",
        "Ligne 14 : même candidat (nom, prénom, date de naissance) que la ligne 5.",
        "Ligne 15 : « 32/13/2000 » n'est pas une date (JJ/MM/AAAA).",
        "Ligne 16 : « Nom de naissance » : ce champ est obligatoire.",
        "Ligne 16 : « Prénom » : ce champ est obligatoire.",
        "Ligne 16 : « Sexe (M ou F) » : ce champ est obligatoire.",
        "Ligne 16 : « Atlantide » n'est pas un pays de la liste ISO (ex. France, Belgique, Maroc).",
    ]
    html = response.content.decode()
    assert "14 erreurs : aucun candidat n'a été importé." in html
    assert Candidate.objects.filter(session=pro_session).count() == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda s: SimpleUploadedFile("notes.xlsx", b"%PDF-1.4 not a spreadsheet"),
            "Le fichier « notes.xlsx » n'est pas un tableur lisible",
        ),
        (
            lambda s: SimpleUploadedFile("vide.ods", b""),
            "Le fichier soumis est vide.",
        ),
        (
            lambda s: ods_file(s, [line()], headers=["Nom", "Prénom", "Naissance"]),
            "La ligne des en-têtes du modèle est introuvable",
        ),
        (
            lambda s: ods_file(
                s, [line()], headers=[*candidate_import.HEADERS[:4], "Pays", "INSEE"]
            ),
            "Les colonnes ne sont pas celles du modèle : « Pays » au lieu de « * Pays de "
            "naissance »",
        ),
        (
            lambda s: xlsx_file(s, [line()], preamble=False, headers=["Nom", "Prénom"]),
            "Les colonnes ne sont pas celles du modèle : « Nom » au lieu de « * Nom de naissance »",
        ),
        (
            lambda s: xlsx_file(
                CertificationSessionFactory(center=s.center, number=999_999), [line()]
            ),
            "Ce fichier est le modèle de la session n° 999999, pas de la session n°",
        ),
        (lambda s: xlsx_file(s, []), "Le fichier ne contient aucun candidat"),
    ],
)
def test_a_file_that_is_not_a_filled_template_is_refused(
    communes, upload, pro_session, make, message
):
    response = upload(make(pro_session))
    assert response.status_code == 200
    shown = " ".join(import_errors(response)) + " ".join(
        response.context["form"].errors.get("file", [])
    )
    assert message in shown
    assert not Candidate.objects.exists()


def test_too_many_lines_are_refused(communes, upload, pro_session):
    lines = [line(last_name=f"Nom{n}") for n in range(candidate_import.MAX_CANDIDATES + 1)]
    response = upload(xlsx_file(pro_session, lines))
    assert import_errors(response) == ["Le fichier contient plus de 500 candidats : scindez-le."]


def test_a_libreoffice_sheet_with_repeated_cells_and_a_percentage_reads_right():
    # How LibreOffice writes a sheet: repeated empty cells and rows, a percentage-typed
    # cell holding the fraction, a million empty rows at the end.
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        '<office:spreadsheet><table:table table:name="Feuille1">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>A</text:p>'
        '</table:table-cell><table:table-cell table:number-columns-repeated="2"/>'
        '<table:table-cell office:value-type="percentage" office:value="0.33"><text:p>33 %'
        "</text:p></table:table-cell>"
        '<table:table-cell table:number-columns-repeated="16380"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="2"><table:table-cell '
        'table:number-columns-repeated="16384"/></table:table-row>'
        '<table:table-row><table:table-cell office:value-type="date" '
        'office:date-value="2001-02-03"><text:p>03/02/01</text:p></table:table-cell>'
        '<table:table-cell office:value-type="float" office:value="1004"><text:p>1004'
        "</text:p></table:table-cell></table:table-row>"
        '<table:table-row table:number-rows-repeated="1048572"><table:table-cell '
        'table:number-columns-repeated="16384"/></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    rows = read_rows(SimpleUploadedFile("x.ods", buffer.getvalue()), max_columns=16, max_rows=20)
    assert [tuple(row) for row in rows] == [
        (1, ("A", None, None, 0.33)),
        (4, (datetime.date(2001, 2, 3), 1004)),
    ]


def test_the_import_reads_the_reference_in_the_same_queries_for_5_or_50_lines(
    communes, upload, pro_session
):
    def queries_for(count: int) -> int:
        Candidate.objects.filter(session=pro_session).delete()
        lines = []
        for n in range(count):
            if n % 3 == 0:
                birth = {"birth_insee_code": "69123"}
            elif n % 3 == 1:
                birth = {
                    "birth_insee_code": "",
                    "birth_postal_code": "01300",
                    "birth_city": "Arbignieu",
                }
            else:
                birth = {"birth_country": "Maroc", "birth_insee_code": "", "birth_city": "Fès"}
            lines.append(line(last_name=f"Nom{n}", **birth))
        with CaptureQueriesContext(connection) as queries:
            response = upload(xlsx_file(pro_session, lines))
        assert response.status_code == 302
        assert Candidate.objects.filter(session=pro_session).count() == count
        return len(queries)

    assert queries_for(5) == queries_for(50)
