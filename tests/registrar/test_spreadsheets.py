"""Reading uploaded spreadsheets (.xlsx and .ods) and writing .ods files."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from registrar.spreadsheets import ODS_MIMETYPE, ods_bytes, read_first_sheet


def read(content: bytes, name="f.ods", **limits):
    limits = {"max_columns": 5, "max_rows": 100, **limits}
    return read_first_sheet(SimpleUploadedFile(name, content), **limits)


def refusal(content: bytes, name="f.ods", **limits) -> str:
    with pytest.raises(ValidationError) as caught:
        read(content, name, **limits)
    return caught.value.messages[0]


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_an_ods_written_here_reads_back_with_its_types():
    rows = [
        ["Nom", "Né le", "Temps", "Oui"],
        ["Zoé « Z » & Cie", datetime.date(2001, 2, 3), 33, True],
    ]
    assert read(ods_bytes(rows, sheet_name="Feuille <1>")) == [
        ("Nom", "Né le", "Temps", "Oui"),
        ("Zoé « Z » & Cie", datetime.date(2001, 2, 3), 33, True),
    ]


def test_an_xlsx_is_read_whatever_its_name():
    workbook = Workbook()
    workbook.active.append(["a", 1, datetime.date(2000, 1, 1)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = read(buffer.getvalue(), name="renamed.ods")
    assert rows[0][:2] == ("a", 1)


def test_rows_beyond_the_limit_are_not_read():
    rows = read(ods_bytes([[n] for n in range(50)], sheet_name="S"), max_rows=10)
    assert len(rows) == 11  # one more than allowed: the caller says « too many »


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"Nom;Prenom\nDurand;Eloise\n",  # a CSV
        b"%PDF-1.7\n",
        zipped({"word/document.xml": "<w/>"}),  # a Word file
        zipped({"mimetype": ODS_MIMETYPE, "content.xml": "<not closed"}),
        zipped({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<a/>"}),
    ],
)
def test_what_is_not_a_spreadsheet_gets_a_french_message(content):
    assert refusal(content, name="liste.ods") == (
        "Le fichier « liste.ods » n'est pas un tableur lisible : enregistrez-le au format "
        "Excel (.xlsx) ou OpenDocument (.ods)."
    )


def test_entity_expansion_is_refused_not_expanded():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
        + "]><d>&j;</d>"
    )
    assert "n'est pas un tableur lisible" in refusal(
        zipped({"mimetype": ODS_MIMETYPE, "content.xml": bomb})
    )


def test_a_file_over_the_size_limit_is_refused():
    content = ods_bytes([["x"]], sheet_name="S") + b"\0" * (1024 * 1024)
    assert refusal(content, max_bytes=1024 * 1024) == "Le fichier pèse plus de 1 Mo : scindez-le."


def _ods_content(rows_xml: str) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        f'<office:spreadsheet><table:table table:name="F">{rows_xml}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    return zipped({"mimetype": ODS_MIMETYPE, "content.xml": content})


FILLED_ROW = (
    '<table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p>'
    "</table:table-cell></table:table-row>"
)
EMPTY_ROWS = (
    '<table:table-row table:number-rows-repeated="{n}"><table:table-cell/></table:table-row>'
)


def test_blank_rows_keep_the_row_numbers_and_do_not_count_toward_the_limit():
    rows = read(_ods_content(FILLED_ROW + EMPTY_ROWS.format(n=500) + FILLED_ROW), max_rows=2)
    assert len(rows) == 502
    assert rows[0] == rows[501] == ("x",)


def test_a_row_beyond_a_spreadsheets_last_row_is_refused_without_expanding_it():
    content = _ods_content(EMPTY_ROWS.format(n=1_000_000_000) + FILLED_ROW)
    assert "n'est pas un tableur lisible" in refusal(content)
