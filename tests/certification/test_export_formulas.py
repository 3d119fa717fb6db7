"""The certification spreadsheets — the session list's export, a session's candidates .xlsx,
the import templates (.xlsx and .ods) — write typed text as text, never as a live formula;
and the import reads its own escaped template back to the values it was made from (issue 10,
« Exports »)."""

import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from certification.imports import candidates as candidate_import
from certification.imports import sessions as session_import
from certification.models import Candidate
from tests.factories import CandidateFactory, CertificationSessionFactory
from tests.spreadsheet_support import (
    HOSTILE,
    READ_BACK,
    assert_no_formula,
    assert_text_cell,
    ods_text_cells,
)

pytestmark = pytest.mark.django_db
FORMULA = '=HYPERLINK("http://x","y")'


def test_session_list_export_writes_session_names_as_text(client_of, centre_staff, sco_center):
    for name in HOSTILE:
        CertificationSessionFactory(center=sco_center, name=name, site=name, room=name)
    response = client_of(centre_staff).get(
        reverse("certification:session_list"), {"_export": "xlsx"}
    )
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert_no_formula(response.content)
    for written in READ_BACK.values():
        assert_text_cell(response.content, written)


def test_candidates_xlsx_writes_typed_text_as_text(client_of, centre_staff, sco_center):
    session = CertificationSessionFactory(center=sco_center)
    for name in HOSTILE:
        CandidateFactory(session=session, last_name=name, first_name=name, class_name=name)
    response = client_of(centre_staff).get(
        reverse("certification:candidates_xlsx", args=[session.pk])
    )
    assert_no_formula(response.content)
    for written in READ_BACK.values():
        assert_text_cell(response.content, written)


@pytest.fixture
def hostile_candidate(pro_session):
    """A candidate of the PRO session whose typed fields begin like formulas."""
    return CandidateFactory(
        session=pro_session,
        last_name="-Dupont",
        first_name="'=Léa",
        local_id="+33",
        class_name=FORMULA,
        pricing="PAID",
    )


def _template(client, session, extension: str) -> bytes:
    url = reverse("certification:candidates_import_template", args=[session.pk, extension])
    return client.get(url).content


def test_candidate_templates_write_typed_text_as_text(
    client_of, centre_staff, pro_session, hostile_candidate
):
    client = client_of(centre_staff)
    xlsx = _template(client, pro_session, "xlsx")
    assert_no_formula(xlsx)
    for written in ("'-Dupont", "''=Léa", "'+33", READ_BACK[FORMULA]):
        assert_text_cell(xlsx, written)
    texts = ods_text_cells(_template(client, pro_session, "ods"))
    assert {"'-Dupont", "''=Léa", "'+33", READ_BACK[FORMULA]} <= set(texts)
    assert not [text for text in texts if text.startswith(("=", "+", "-", "@"))]


@pytest.mark.parametrize("extension", ["xlsx", "ods"])
def test_candidate_template_reads_back_to_the_original_values(
    communes, client_of, centre_staff, pro_session, hostile_candidate, extension
):
    content = _template(client_of(centre_staff), pro_session, extension)
    lines = candidate_import.read_candidates_file(
        SimpleUploadedFile(f"t.{extension}", content), session=pro_session
    )
    assert len(lines) == 1
    values = lines[0].values
    assert values["last_name"] == "-Dupont"
    assert values["first_name"] == "'=Léa"
    assert values["local_id"] == "+33"
    assert values["class_name"] == FORMULA


def test_the_unchanged_escaped_template_imports_nothing_new(
    communes, client_of, centre_staff, pro_session, hostile_candidate
):
    client = client_of(centre_staff)
    content = _template(client, pro_session, "xlsx")
    response = client.post(
        reverse("certification:candidates_import", args=[pro_session.pk]),
        {"file": SimpleUploadedFile("t.xlsx", content)},
    )
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == [
        "1 ligne concernait un candidat déjà dans la session : il est resté tel quel.",
    ]
    assert list(Candidate.objects.filter(session=pro_session)) == [hostile_candidate]


def test_session_import_template_has_no_formula_and_reads_escaped_text_back():
    assert_no_formula(session_import.template_xlsx())
    # A line typed with a quote before a formula sign (as the template would write it).
    workbook = Workbook()
    workbook.active.append([header for header, _name, _required in session_import.COLUMNS])
    template = load_workbook(io.BytesIO(session_import.template_xlsx())).active
    example = list(template.iter_rows(values_only=True))[1]
    workbook.active.append(["'=Session", "'-Site", "'+Salle", *example[3:]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = session_import.read_sessions(SimpleUploadedFile("s.xlsx", buffer.getvalue()))
    assert read.errors == []
    assert (read.rows[0]["name"], read.rows[0]["site"], read.rows[0]["room"]) == (
        "=Session",
        "-Site",
        "+Salle",
    )
