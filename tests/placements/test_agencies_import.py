"""« Importer des organismes »: the reader (placements/imports/agencies.py), the service
(placements.services.agencies.agencies_import) and the view, with the template to fill."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from placements.imports import agencies as reader
from placements.imports.agencies import HEADERS, read_agencies
from placements.models import Agency, Contact, Destination, Service, Site
from placements.services.agencies import agencies_import
from registrar.tabular import read_rows
from tests.factories import AgencyFactory, ContactFactory, SiteFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("placements:agency_import")


def xlsx(rows, name="organismes.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def line(agency="", site="", service="", destination="", **cells) -> list:
    values = dict.fromkeys(HEADERS, "")
    values.update(
        {"Organisme": agency, "Site": site, "Service": service, "Destination": destination}
    )
    keys = {
        "address": "Adresse",
        "city": "Ville",
        "province": "Province",
        "postal_code": "Code postal",
        "active": "Actif (oui/non)",
        "uses_system": "Utilise le système (oui/non)",
        "contact": "Contact nom",
        "role": "Contact fonction",
        "email": "Contact courriel",
        "phone": "Contact téléphone",
    }
    for key, value in cells.items():
        values[keys[key]] = value
    return [values[header] for header in HEADERS]


def errors_of(rows) -> list[str]:
    return read_agencies(xlsx([HEADERS, *rows])).errors


def test_a_file_creates_the_tree_and_its_contacts(admin):
    read = read_agencies(
        xlsx(
            [
                HEADERS,
                line(
                    "CISSS de Laval",
                    address="1755, boulevard René-Laennec",
                    city="Laval",
                    province="QC",
                    postal_code="H7M 3L9",
                    uses_system="oui",
                    contact="Nathalie Lavoie",
                    role="Agente de planification",
                    email="stages.laval@example.org",
                    phone="450 668-1010",
                ),
                line("CISSS de Laval", "Hôpital de la Cité-de-la-Santé", city="Laval"),
                line(
                    "CISSS de Laval",
                    "Hôpital de la Cité-de-la-Santé",
                    "Obstétrique",
                    contact="Paul Roy",
                    email="paul.roy@example.org",
                ),
                line("CISSS de Laval", "Hôpital de la Cité-de-la-Santé", "Obstétrique", "Salle 2"),
                # A line whose parents are not named on a line of their own creates them.
                line("CISSS des Laurentides", "Hôpital de Saint-Jérôme", "Urgence", active="non"),
            ]
        )
    )
    assert read.errors == []
    result = agencies_import(actor=admin, rows=read.lines)
    laval = Agency.objects.get(name="CISSS de Laval")
    assert laval.uses_system and laval.city == "Laval" and laval.postal_code == "H7M 3L9"
    site = laval.sites.get()
    service = site.services.get(name="Obstétrique")
    assert service.destinations.get().name == "Salle 2"
    assert Contact.objects.get(name="Nathalie Lavoie").site is None
    paul = Contact.objects.get(name="Paul Roy")
    assert (paul.agency, paul.site, paul.service) == (laval, site, service)
    urgence = Service.objects.get(name="Urgence")
    assert not urgence.is_active
    assert urgence.site.agency.name == "CISSS des Laurentides"
    assert not urgence.site.agency.uses_system
    assert result.created["agency"] == 2 and result.created["contact"] == 2


def test_existing_records_are_found_without_case_or_accents_and_updated(admin):
    agency = AgencyFactory(name="Hôpital Général", city="Montréal", uses_system=False)
    site = SiteFactory(agency=agency, name="Pavillon Émile")
    contact = ContactFactory(agency=agency, name="Josée Tremblay", phone="514 000-0000")
    read = read_agencies(
        xlsx(
            [
                HEADERS,
                line("HOPITAL GENERAL", uses_system="oui", contact="josee tremblay", role="Chef"),
                line("hôpital général", "pavillon emile", postal_code="H1H 1H1"),
            ]
        )
    )
    assert read.errors == []
    agencies_import(actor=admin, rows=read.lines)
    assert Agency.objects.count() == 1
    agency.refresh_from_db()
    site.refresh_from_db()
    contact.refresh_from_db()
    # Found, not renamed; filled cells change, empty cells leave what was there.
    assert agency.name == "Hôpital Général" and agency.uses_system and agency.city == "Montréal"
    assert site.postal_code == "H1H 1H1" and Site.objects.count() == 1
    assert contact.role == "Chef" and contact.phone == "514 000-0000"
    assert Contact.objects.count() == 1


def test_every_bad_line_is_told_with_its_number():
    errors = errors_of(
        [
            line("", "Site sans organisme"),
            line("CISSS A", "", "Service sans site"),
            line("CISSS A", contact="Ana", email="pas-un-courriel"),
            line("X" * 151),
            line("CISSS A", "Site 1", uses_system="oui"),
            line("CISSS A", active="peut-être"),
            line("CISSS A", "Site 1", "Service 1", "Dest 1", contact="Ana"),
            line("CISSS A", role="Chef"),
            line("CISSS B"),
            line("cisss b"),
        ]
    )
    assert errors == [
        "Ligne 2 : « Organisme » est obligatoire.",
        "Ligne 3 : « Service » est rempli mais pas « Site ».",
        "Ligne 4 : « pas-un-courriel » n'est pas une adresse courriel valide.",
        "Ligne 5 : « Organisme » dépasse 150 caractères.",
        "Ligne 6 : « Utilise le système » se remplit sur la ligne de l'organisme (sans site).",
        "Ligne 7 : « Actif (oui/non) » : « peut-être » — répondez oui ou non.",
        "Ligne 8 : une personne-ressource se rattache à un organisme, un site ou un service, "
        "pas à une destination : mettez-la sur une ligne sans destination.",
        "Ligne 9 : « Contact nom » est obligatoire quand un autre champ du contact est rempli.",
        "Ligne 11 : Doublon de la ligne 10.",
    ]


def test_a_bad_line_writes_nothing_through_the_view(admin):
    client = Client()
    client.force_login(admin)
    upload = xlsx([HEADERS, line("CISSS A"), line("CISSS A", "", "Urgence")])
    response = client.post(IMPORT, {"file": upload})
    assert response.status_code == 200
    content = response.content.decode()
    assert "1 erreur : rien n'a été enregistré." in content
    assert "Ligne 3 : « Service » est rempli mais pas « Site »." in content
    assert not Agency.objects.exists()


def test_over_long_texts_follow_the_models_lengths():
    errors = errors_of(
        [
            line(
                "A",
                "S" * 151,
                postal_code="1" * 13,
                contact="C",
                role="R" * 121,
                phone="5" * 31,
            )
        ]
    )
    assert errors == [
        "Ligne 2 : « Site » dépasse 150 caractères.",
        "Ligne 2 : « Code postal » dépasse 12 caractères.",
        "Ligne 2 : « Contact fonction » dépasse 120 caractères.",
        "Ligne 2 : « Contact téléphone » dépasse 30 caractères.",
    ]


def test_formula_like_text_is_stored_as_typed_and_never_evaluated(admin):
    content = b"Organisme;Ville;Contact nom\n=1+1;@SUM(A1);-2+3\n"
    read = read_agencies(SimpleUploadedFile("organismes.csv", content))
    agencies_import(actor=admin, rows=read.lines)
    agency = Agency.objects.get()
    assert (agency.name, agency.city) == ("=1+1", "@SUM(A1)")
    assert Contact.objects.get().name == "-2+3"


def test_a_formula_cell_is_read_as_its_value_never_computed():
    # A formula written by openpyxl has no cached value: the reader gives « » back (it
    # never computes a formula), so the line has no « Organisme ».
    errors = errors_of([line('=CONCATENATE("CISSS";" A")', city="Laval")])
    assert errors == ["Ligne 2 : « Organisme » est obligatoire."]


def test_unknown_columns_are_ignored_and_headers_compared_loosely(admin):
    upload = xlsx(
        [
            ["Remarque", "organisme", "VILLE", "Utilise le systeme", "Courriel"],
            ["à voir", "CISSS A", "Laval", "oui", "a@example.org"],
        ]
    )
    read = read_agencies(upload)
    assert read.errors[0].startswith("Ligne 2 : « Contact nom » est obligatoire")
    upload = xlsx([["Remarque", "organisme", "VILLE"], ["à voir", "CISSS A", "Laval"]])
    read = read_agencies(upload)
    agencies_import(actor=admin, rows=read.lines)
    assert Agency.objects.get().city == "Laval"


def test_a_csv_file_is_read_too(admin):
    content = "Organisme;Site;Ville\nCISSS A;;Laval\nCISSS A;Hôpital B;Laval\n".encode()
    read = read_agencies(SimpleUploadedFile("organismes.csv", content))
    agencies_import(actor=admin, rows=read.lines)
    assert Site.objects.get().name == "Hôpital B"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "organismes.docx",
            b"PK\x03\x04 a Word document",
            "Le fichier doit être un classeur Excel (.xlsx) ou OpenDocument (.ods), ou un "
            "fichier CSV (.csv).",
        ),
        (
            "organismes.xlsx",
            b"%PDF-1.4 not a spreadsheet",
            "Le fichier « organismes.xlsx » n'est pas un tableur lisible",
        ),
        ("organismes.xlsx", b"x" * (2 * 1024 * 1024 + 1), "Le fichier pèse plus de 2 Mo"),
    ],
)
def test_files_that_are_not_lists_are_refused(name, content, message):
    with pytest.raises(ValidationError) as caught:
        read_agencies(SimpleUploadedFile(name, content))
    assert message in caught.value.messages[0]


def test_a_file_lying_about_its_size_is_refused():
    upload = SimpleUploadedFile("organismes.xlsx", b"x" * (3 * 1024 * 1024))
    upload.size = 10  # said small, read big
    with pytest.raises(ValidationError) as caught:
        read_agencies(upload)
    assert "pèse plus de 2 Mo" in caught.value.messages[0]


def test_a_file_without_the_organisme_column_or_lines_is_refused():
    with pytest.raises(ValidationError) as caught:
        read_agencies(xlsx([["Nom", "Ville"], ["CISSS", "Laval"]]))
    assert "au moins « Organisme »" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        read_agencies(xlsx([HEADERS]))
    assert "aucun organisme" in caught.value.messages[0]


def test_a_word_file_through_the_view_says_which_formats_work(admin):
    client = Client()
    client.force_login(admin)
    upload = SimpleUploadedFile("organismes.docx", b"PK\x03\x04 a Word document")
    response = client.post(IMPORT, {"file": upload})
    assert response.status_code == 200
    assert "(.xlsx) ou OpenDocument (.ods), ou un fichier CSV (.csv)" in response.content.decode()
    assert not Agency.objects.exists()


def test_a_clean_file_through_the_view_imports_and_says_what_it_did(admin):
    client = Client()
    client.force_login(admin)
    upload = xlsx([HEADERS, line("CISSS A"), line("CISSS A", "Site 1"), line("CISSS A", "Site 2")])
    response = client.post(IMPORT, {"file": upload}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("placements:agency_list")
    content = response.content.decode()
    assert "Import terminé. organismes : 1 créé(s), 0 mis à jour ; sites : 2 créé(s)" in content
    assert Site.objects.count() == 2


def test_the_import_is_for_administrators_only(placement_coordinator):
    client = Client()
    client.force_login(placement_coordinator)
    assert client.get(IMPORT).status_code == 403
    upload = xlsx([HEADERS, line("CISSS A")])
    assert client.post(IMPORT, {"file": upload}).status_code == 403
    assert not Agency.objects.exists()
    template = reverse("placements:agency_import_template", args=["xlsx"])
    assert client.get(template).status_code == 403


@pytest.mark.parametrize("extension", ["xlsx", "ods"])
def test_the_template_reads_back_into_its_example_lines(admin, extension):
    client = Client()
    client.force_login(admin)
    response = client.get(reverse("placements:agency_import_template", args=[extension]))
    assert response.status_code == 200
    assert f'filename="modele-import-organismes.{extension}"' in response["Content-Disposition"]
    upload = SimpleUploadedFile(f"modele.{extension}", response.content)
    rows = list(read_rows(upload, max_columns=20, max_rows=10))
    assert [str(cell) for cell in rows[0].cells] == HEADERS
    read = read_agencies(upload)
    assert read.errors == []
    agencies_import(actor=admin, rows=read.lines)
    assert Destination.objects.get().name == "Unité 3A"
    assert Agency.objects.get().uses_system


def test_another_template_extension_answers_404(admin):
    client = Client()
    client.force_login(admin)
    assert client.get(reverse("placements:agency_import_template", args=["pdf"])).status_code == 404


def test_the_import_page_offers_both_templates(admin):
    client = Client()
    client.force_login(admin)
    content = client.get(IMPORT).content.decode()
    assert "Importer des organismes" in content
    assert "Télécharger le modèle (.xlsx)" in content
    assert "Télécharger le modèle (.ods)" in content
    assert 'accept=".xlsx,.ods,.csv"' in content


def test_too_many_lines_are_refused():
    rows = [HEADERS, *[line(f"Organisme {n}") for n in range(reader.MAX_LINES + 1)]]
    with pytest.raises(ValidationError) as caught:
        read_agencies(xlsx(rows))
    assert "plus de 2000 lignes" in caught.value.messages[0]


def test_the_service_checks_each_record_and_writes_nothing_on_a_refusal(admin):
    from placements.imports.agencies import Line

    rows = [
        Line(number=2, path=("CISSS A",), fields={"city": "Laval"}),
        Line(number=3, path=("CISSS A", "Site 1"), contact={
            "name": "Ana", "role": "", "email": "pas-un-courriel", "phone": ""
        }),
    ]  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        agencies_import(actor=admin, rows=rows)
    assert caught.value.messages == ["Ligne 3 : Saisissez une adresse de courriel valide."]
    assert not Agency.objects.exists() and not Site.objects.exists()


def test_two_imports_at_once_are_told_to_start_again(admin, monkeypatch):
    from django.db import IntegrityError

    from placements.services import agencies as service

    def clash(self, rows):
        raise IntegrityError("placements_agency_unique_name")

    monkeypatch.setattr(service._Writer, "write", clash)
    read = read_agencies(xlsx([HEADERS, line("CISSS A")]))
    with pytest.raises(ValidationError) as caught:
        agencies_import(actor=admin, rows=read.lines)
    assert "recommencez" in caught.value.messages[0]
