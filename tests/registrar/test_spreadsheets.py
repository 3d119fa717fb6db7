"""Reading uploaded spreadsheets (.xlsx and .ods) and writing .ods files."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from registrar import spreadsheets
from registrar.spreadsheets import ODS_MIMETYPE, ods_bytes, read_first_sheet
from tests.registrar import hostile_spreadsheets as hostile


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
    assert refusal(content) == (
        "Le fichier « f.ods » va jusqu'à la ligne 1\u202f000\u202f000\u202f001 : seules les "
        "1\u202f101 premières lignes sont lues. Supprimez les lignes en trop au bas de la "
        "feuille, ou copiez les lignes utiles dans un nouveau classeur."
    )


# -- hostile files (tests/registrar/hostile_spreadsheets.py; timed by bench/hostile_uploads.py)


def test_the_hostile_files_hide_three_ordinary_rows():
    """The traps are built around rows a reader must still read right."""
    expected = [("DA", "Nom"), ("1234567", "Leblanc"), ("2345678", "Lebrun")]
    assert read(hostile.xlsx_plain(), "f.xlsx") == expected
    assert read(hostile.ods_plain(), "f.ods") == expected


ROWS_TOO_FAR = "va jusqu'à la ligne 1\u202f048\u202f576 : seules les 1\u202f101 premières lignes"
BEYOND_XFD = "a des cellules au-delà de la dernière colonne d'une feuille (XFD)"
TOO_MANY_CELLS = "compte plus de 400\u202f000 cellules"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (hostile.xlsx_dimension_claim, ROWS_TOO_FAR),
        (hostile.xlsx_far_cell, ROWS_TOO_FAR),
        (hostile.xlsx_wide_row, BEYOND_XFD),
        (hostile.xlsx_shared_strings_bomb, TOO_MANY_CELLS),
        (hostile.xlsx_shared_strings_undeclared, TOO_MANY_CELLS),
        (hostile.ods_far_row, ROWS_TOO_FAR),
        (hostile.ods_far_cell, ROWS_TOO_FAR),
        (hostile.ods_wide_row, BEYOND_XFD),
        (hostile.ods_text_bomb, "a une cellule de plus de 32\u202f767 caractères"),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_a_hostile_file_is_refused_with_a_french_message(build, message):
    content = build()
    name = "liste.ods" if build.__name__.startswith("ods") else "liste.xlsx"
    assert len(content) < 50 * 1024  # small files: the trap is in what they claim
    text = refusal(content, name)
    assert text.startswith(f"Le fichier « {name} » ")
    assert message in text


def test_a_filled_row_repeated_a_billion_times_is_read_once_per_row_wanted():
    rows = read(hostile.ods_repeated_filled_cell(), max_rows=10, max_columns=3)
    assert len(rows) == 11  # the caller says « too many »
    assert rows[0] == ("DA", "x", "x") and rows[1:] == [("1234567",)] * 10


def test_shared_strings_are_read_up_to_the_last_one_used(monkeypatch):
    # A million strings, the sheet using the first six: reading stops at the sixth.
    content = hostile.xlsx(
        "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>{n - 1}</v></c></row>' for n in range(1, 7)),
        shared_strings=(
            f'<?xml version="1.0"?><sst xmlns="{hostile._MAIN}">'
            + "".join(f"<si><t>s{i}</t></si>" for i in range(6))
            + "<si><t>x</t></si>" * 1_000_000
            + "</sst>"
        ),
    )
    parsed = []
    original = spreadsheets.XlsxSharedStrings.start

    def counting(self, tag, attrs):
        parsed.append(tag)
        original(self, tag, attrs)

    monkeypatch.setattr(spreadsheets.XlsxSharedStrings, "start", counting)
    assert read(content, "f.xlsx") == [(f"s{i}",) for i in range(6)]
    assert len(parsed) < 20


def test_the_limits_hold_for_every_caller(monkeypatch):
    """Cells past a sheet's last column, a cell longer than Excel allows, too many cells:
    each refused whatever the caller's own limits."""
    # The bound as each reader of the package reads it.
    for module in (spreadsheets.limits, spreadsheets.xlsx):
        monkeypatch.setattr(module, "MAX_CELLS", 1_000)
    rows = "".join(
        f'<row r="{n}">' + "".join(f'<c r="{c}{n}"><v>1</v></c>' for c in "ABCDEFGHIJ") + "</row>"
        for n in range(1, 200)
    )
    assert "compte plus de 1\u202f000 cellules" in refusal(hostile.xlsx(rows), "f.xlsx")
    long_cell = f'<row r="1"><c r="A1" t="inlineStr"><is><t>{"a" * 40_000}</t></is></c></row>'
    assert "a une cellule de plus de 32\u202f767 caractères" in refusal(
        hostile.xlsx(long_cell), "f.xlsx"
    )


def test_blank_rows_far_down_an_xlsx_are_skipped_not_padded():
    # Formatted but empty rows below the data (Excel writes them): read as nothing.
    rows = hostile.xlsx(
        '<row r="1"><c r="A1"><v>7</v></c></row>'
        + "".join(f'<row r="{n}" s="1" customFormat="1"/>' for n in range(5000, 5100))
    )
    assert read(rows, "f.xlsx", max_rows=10) == [(7,)]


def test_a_slow_read_is_stopped_at_its_time_limit():
    with pytest.raises(ValidationError) as caught:
        read_first_sheet(
            SimpleUploadedFile("lent.ods", hostile.ods_wide_row(15_000)),
            max_columns=5,
            max_rows=100,
            max_seconds=0,
        )
    assert caught.value.messages == [
        "Le fichier « lent.ods » est trop long à lire (plus de 0 s) : gardez seulement les "
        "lignes et les colonnes utiles."
    ]


def test_a_doctype_is_refused():
    content = hostile.xlsx('<row r="1"><c r="A1"><v>1</v></c></row>')
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["xl/worksheets/sheet1.xml"] = files["xl/worksheets/sheet1.xml"].replace(
        b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY a "b">]><worksheet', 1
    )
    assert "n'est pas un tableur lisible" in refusal(zipped(files), "f.xlsx")


def test_xlsx_values_are_typed_as_openpyxl_types_them():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["texte", 12, 1.5, True, datetime.date(2001, 2, 3), datetime.time(14, 30)])
    sheet.append([datetime.datetime(2026, 11, 29, 13, 39), "=1+1", None, "fin"])
    sheet["B3"] = "partagé"
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = read(buffer.getvalue(), "f.xlsx", max_columns=6)
    assert rows[0] == ("texte", 12, 1.5, True, datetime.datetime(2001, 2, 3), datetime.time(14, 30))
    assert rows[1] == (datetime.datetime(2026, 11, 29, 13, 39), None, None, "fin")
    assert rows[2] == (None, "partagé")


def test_an_ods_cells_value_is_its_own_paragraphs_not_its_comment():
    cell = (
        '<table:table-row><table:table-cell office:value-type="string">'
        "<office:annotation><text:p>un commentaire</text:p></office:annotation>"
        "<text:p>Jean<text:s/><text:span>Dupont</text:span></text:p><text:p>2e ligne</text:p>"
        "</table:table-cell></table:table-row>"
    )
    assert read(_ods_content(cell)) == [("Jean Dupont\n2e ligne",)]
