"""Spreadsheet exports never write a live formula (issue 10, « Exports »): the shared rule
(registrar.exports.safe_cell_text), the .ods writer, and the student and course searches'
« Exporter (.xlsx) »."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from registrar.exports import safe_cell, safe_cell_text, unescape_cell_text
from registrar.tabular import ods_bytes
from tests.factories import AdmissionFactory, CourseFactory, StudentFactory
from tests.spreadsheet_support import (
    HOSTILE,
    READ_BACK,
    assert_no_formula,
    assert_text_cell,
    ods_text_cells,
)


@pytest.mark.parametrize(("typed", "written"), HOSTILE.items())
def test_text_that_begins_like_a_formula_is_escaped(typed, written):
    assert safe_cell_text(typed) == written
    assert unescape_cell_text(written) == typed


@pytest.mark.parametrize(
    "text", ["Leblanc", "O'Brien", "'t Hooft", "Jean-Pierre", "a=b", "", "'", "''", "—"]
)
def test_ordinary_text_is_left_as_it_is(text):
    assert safe_cell_text(text) == text
    assert unescape_cell_text(text) == text


@pytest.mark.parametrize("text", ["'=x", "''+1", "'-"])
def test_a_quote_before_a_formula_sign_survives_the_round_trip(text):
    assert safe_cell_text(text) == "'" + text
    assert unescape_cell_text(safe_cell_text(text)) == text


def test_numbers_and_dates_stay_what_they_are():
    import datetime
    from decimal import Decimal

    for value in (-2, -2.5, Decimal("-3"), 0, datetime.date(2026, 11, 29), None, True):
        assert safe_cell(value) is value
    assert safe_cell("-2") == "'-2"


def test_an_escaped_value_is_a_string_cell_for_openpyxl():
    """openpyxl makes any str that begins with « = » a formula (Cell._bind_value): the
    escaped one is a string cell, and a negative number stays a number."""
    workbook = Workbook()
    workbook.active.append([safe_cell(value) for value in (*HOSTILE, -2)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    cells = next(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows())
    assert [cell.value for cell in cells[:-1]] == list(READ_BACK.values())
    assert {cell.data_type for cell in cells[:-1]} == {"s"}
    assert (cells[-1].value, cells[-1].data_type) == (-2, "n")


def test_ods_writer_escapes_text_and_keeps_numbers():
    content = ods_bytes([list(HOSTILE), [-2, "=1+1"]], sheet_name="Feuille")
    texts = ods_text_cells(content)
    assert texts == [*READ_BACK.values(), "'=1+1"]
    assert 'office:value-type="float" office:value="-2"' in content_xml(content)


def content_xml(content: bytes) -> str:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("content.xml").decode()


@pytest.mark.django_db
def test_student_search_export_writes_names_as_text(staff_client):
    for number, name in enumerate(HOSTILE, start=1):
        AdmissionFactory(
            student=StudentFactory(da_number=f"990000{number}", last_name=name, first_name=name)
        )
    response = staff_client.get(
        reverse("registrar:student_search"),
        {"field": "da_number", "q": "990000*", "_export": "xlsx"},
    )
    assert response["Content-Disposition"].startswith('attachment; filename="etudiants-')
    assert_no_formula(response.content)
    for written in READ_BACK.values():
        assert_text_cell(response.content, written)


@pytest.mark.django_db
def test_course_search_export_writes_titles_as_text(staff_client):
    for number, title in enumerate(HOSTILE, start=1):
        CourseFactory(number=f"999-10{number}-ZZ", title=title)
    response = staff_client.get(
        reverse("registrar:course_search"), {"field": "number", "q": "999*", "_export": "xlsx"}
    )
    assert response["Content-Disposition"].startswith('attachment; filename="cours-')
    assert_no_formula(response.content)
    for written in READ_BACK.values():
        assert_text_cell(response.content, written)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "params", "expected"),
    [
        (
            "registrar:student_search",
            "?field=first_name&q=L*",
            "?field=first_name&amp;q=L%2A&amp;_export=xlsx",
        ),
        (
            "registrar:course_search",
            "?field=title&q=Z*",
            "?field=title&amp;q=Z%2A&amp;_export=xlsx",
        ),
    ],
)
def test_export_button_links_to_the_export(staff_client, url, params, expected):
    """The querystring tag writes the « ? » itself: « ??field=… » lost the first parameter."""
    AdmissionFactory(student=StudentFactory(last_name="Leblanc", first_name="Lise"))
    AdmissionFactory(student=StudentFactory(last_name="Lebrun", first_name="Luc"))
    CourseFactory(number="999-101-ZZ", title="Zoologie")
    page = staff_client.get(reverse(url) + params).content.decode()
    assert f'href="{expected}"' in page
    assert '"??' not in page
