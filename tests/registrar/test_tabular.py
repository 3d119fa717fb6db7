"""The shared tabular reader (registrar/tabular): CSV, .xlsx and .ods uploads as numbered
rows, header aliases, « Ligne N : » messages, and the bounds that keep a hostile file from
costing seconds or gigabytes (the files of tests/registrar/hostile_spreadsheets.py, timed by
bench/hostile_uploads.py; the 100,000-line memory bound is measured by
bench/tabular_reader.py)."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from registrar import tabular
from registrar.tabular import ODS_MIMETYPE, Row, header_columns, line_error, ods_bytes, read_rows
from registrar.tabular import limits as tabular_limits
from tests.registrar import hostile_spreadsheets as hostile


def read(content: bytes, name="f.ods", **options) -> list[Row]:
    options = {"max_columns": 5, "max_rows": 100, **options}
    return list(read_rows(SimpleUploadedFile(name, content), **options))


def cells(content: bytes, name="f.ods", **options) -> list[tuple]:
    return [row.cells for row in read(content, name, **options)]


def refusal(content: bytes, name="f.ods", **options) -> str:
    with pytest.raises(ValidationError) as caught:
        read(content, name, **options)
    return caught.value.messages[0]


def zipped(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


NOT_A_SPREADSHEET = (
    "Le fichier « liste.ods » n'est pas un tableur lisible : enregistrez-le au format "
    "Excel (.xlsx) ou OpenDocument (.ods)."
)

# -- CSV: encodings, separators, line numbers ---------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""), ("utf-16", b"")],
    ids=["utf-8", "utf-8-bom", "cp1252", "utf-16-bom"],
)
def test_csv_encodings_are_told_from_the_bytes(encoding, prefix):
    text = (
        "Nom;Prénom\r\nÉmond;Zoé « Z »\r\n" if encoding != "cp1252" else "Nom;Prénom\nÉmond;Zoé\n"
    )
    content = prefix + text.encode(encoding)
    rows = cells(content, "liste.csv", csv=True)
    assert rows[0] == ("Nom", "Prénom")
    assert rows[1][0] == "Émond" and rows[1][1].startswith("Zoé")


def test_cp1252_found_late_in_a_long_file_is_still_read_as_cp1252():
    # 200 KB of ASCII (several chunks), then the first accented line.
    content = ("a;b\n" * 50_000 + "Émond;Zoé\n").encode("cp1252")
    rows = read(content, "liste.csv", csv=True, max_rows=60_000, max_bytes=1024 * 1024)
    assert rows[-1] == Row(50_001, ("Émond", "Zoé"))


# 65 lines of 1,000 bytes and 535 bytes: the next byte is the first of the second chunk.
BEFORE_A_CHUNK_END = b"x" * 999 + b"\n"
BEFORE_A_CHUNK_END = BEFORE_A_CHUNK_END * 65 + b"y" * 535


def test_a_utf8_character_cut_between_two_chunks_is_read_whole():
    content = BEFORE_A_CHUNK_END + "é;2\n".encode()[:1] + "é;2\n".encode()[1:]
    assert len(BEFORE_A_CHUNK_END) == 64 * 1024 - 1  # « é » spans the chunks' boundary
    rows = read(content, "l.csv", csv=True)
    assert rows[-1] == Row(66, ("y" * 535 + "é", "2"))


@pytest.mark.parametrize(
    ("header", "data"),
    [
        ("DA;Nom;Prénom", "1234567;Leblanc, Lise\tx;Lise"),
        ("DA,Nom,Prénom", '1234567,"Leblanc; Lise\tx",Lise'),
        ("DA\tNom\tPrénom", "1234567\tLeblanc, Lise; x\tLise"),
        ("DA", "1234567;Leblanc, Lise\tx;Lise"),  # no separator in the header: « ; »
    ],
)
def test_the_separator_is_the_one_the_header_line_holds(header, data):
    # The data line holds the other separators inside its cells: only the header decides.
    rows = cells(f"\n{header}\n{data}\n".encode(), "l.csv", csv=True)
    assert rows[0] == tuple(header.replace(",", "\t").replace(";", "\t").split("\t"))
    assert rows[1][0] == "1234567" and rows[1][2] == "Lise" and len(rows[1]) == 3


def test_csv_rows_carry_their_record_number_blank_lines_counted():
    content = b'Nom;Note\r\n\r\n;;\r\n"Dupont\r\nJean";12\r\nDurand;\r\rfin\n'
    assert [tuple(row) for row in read(content, "l.csv", csv=True)] == [
        (1, ("Nom", "Note")),
        (4, ("Dupont\r\nJean", "12")),  # a quoted cell spans two lines: one record
        (5, ("Durand",)),
        (7, ("fin",)),  # a lone CR ends a line too
    ]


def test_a_crlf_cut_between_two_chunks_is_one_line_end():
    content = BEFORE_A_CHUNK_END + b"\r\nb\n"  # the CR ends the first chunk
    assert [tuple(row) for row in read(content, "l.csv", csv=True)][-2:] == [
        (66, ("y" * 535,)),
        (67, ("b",)),
    ]


def test_csv_cells_past_max_columns_are_not_kept_and_blanks_are_none():
    assert cells(b" a ; ;c;d;e;f;g\n", "l.csv", csv=True, max_columns=4) == [("a", None, "c", "d")]


def test_a_csv_is_read_as_it_is_iterated():
    """100,000 lines stream: the reader is a generator that has read a few chunks when it
    gives its first row, not the whole file (bench/tabular_reader.py measures the memory)."""
    content = "".join(f"{1_000_000 + n};Nom {n};Prénom\n" for n in range(100_000)).encode()
    upload = SimpleUploadedFile("gros.csv", content)
    reads = []
    original = upload.file.read

    def counting(size=-1):
        data = original(size)
        reads.append(len(data))
        return data

    upload.file.read = counting
    rows = read_rows(upload, max_rows=100_000, max_columns=5, max_bytes=10 * 1024 * 1024, csv=True)
    first = next(rows)
    assert first == Row(1, ("1000000", "Nom 0", "Prénom"))
    assert sum(reads) <= 2 * 64 * 1024 < len(content)
    *_others, last = rows
    count = len(_others) + 2
    assert count == 100_000 and last == Row(100_000, ("1099999", "Nom 99999", "Prénom"))
    assert len(content) <= sum(reads) <= len(content) + 4  # once, and the zip check


def test_at_most_one_row_more_than_allowed_is_read():
    content = "".join(f"{n}\n" for n in range(1, 1000)).encode()
    rows = read(content, "l.csv", csv=True, max_rows=10)
    assert [row.number for row in rows] == list(range(1, 12))  # the caller says « too many »


def test_a_csv_cell_longer_than_excel_allows_is_refused():
    assert refusal(b"a;" + b"b" * 40_000 + b"\n", "l.csv", csv=True) == (
        "Le fichier « l.csv » a une cellule de plus de 32\u202f767 caractères (la limite "
        "d'Excel) : ce n'est pas une liste."
    )


def test_a_csv_larger_than_it_said_is_cut_at_the_limit():
    upload = SimpleUploadedFile("l.csv", b"1;2\n" * 300_000)
    upload.size = 10  # a size that lies
    with pytest.raises(ValidationError) as caught:
        list(read_rows(upload, max_rows=10**6, max_columns=2, max_bytes=1024 * 1024, csv=True))
    assert caught.value.messages == ["Le fichier pèse plus de 1 Mo : scindez-le."]


def test_another_extension_names_the_three_formats():
    assert refusal(b"1234567\n", "liste.docx", csv=True) == (
        "Le fichier doit être un classeur Excel (.xlsx) ou OpenDocument (.ods), ou un fichier "
        "CSV (.csv)."
    )


def test_a_zip_named_csv_is_read_as_the_spreadsheet_it_is():
    assert cells(hostile.xlsx_plain(), "liste.csv", csv=True)[1] == ("1234567", "Leblanc")


# -- .xlsx and .ods through calamine -----------------------------------------------------


def test_an_ods_written_here_reads_back_with_its_types_and_row_numbers():
    rows = [
        ["Nom", "Né le", "Temps", "Oui"],
        [],
        ["Zoé « Z » & Cie", datetime.date(2001, 2, 3), 33, True],
        [None, 1.5],
    ]
    assert [tuple(row) for row in read(ods_bytes(rows, sheet_name="Feuille <1>"))] == [
        (1, ("Nom", "Né le", "Temps", "Oui")),
        (3, ("Zoé « Z » & Cie", datetime.date(2001, 2, 3), 33, True)),
        (4, (None, 1.5)),
    ]


def test_xlsx_values_are_typed_and_numbered():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["texte", 12, 1.5, True, datetime.date(2001, 2, 3), datetime.time(14, 30)])
    sheet.append([datetime.datetime(2026, 11, 29, 13, 39), "=1+1", None, "fin"])
    sheet["B4"] = "partagé"
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = read(buffer.getvalue(), "f.xlsx", max_columns=6)
    assert rows == [
        Row(1, ("texte", 12, 1.5, True, datetime.date(2001, 2, 3), datetime.time(14, 30))),
        Row(2, (datetime.datetime(2026, 11, 29, 13, 39), None, None, "fin")),
        Row(4, (None, "partagé")),
    ]


def test_a_sheet_starting_further_down_and_right_keeps_its_row_and_column():
    content = hostile.xlsx(
        '<row r="3"><c r="C3"><v>7</v></c></row><row r="5"><c r="B5"><v>8</v></c></row>',
        dimension="B3:C5",
    )
    assert read(content, "f.xlsx") == [Row(3, (None, None, 7)), Row(5, (None, 8))]


def test_an_ods_starting_further_down_and_right_keeps_its_row_and_column():
    content = ods_bytes([[], [], [None, None, "x"], [None, "y"]], sheet_name="S")
    assert read(content) == [Row(3, (None, None, "x")), Row(4, (None, "y"))]


def test_only_the_first_sheet_is_read_whatever_the_name():
    workbook = Workbook()
    workbook.active.append(["a", 1])
    workbook.create_sheet("Autre")["A1"] = "autre"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert cells(buffer.getvalue(), "renamed.ods") == [("a", 1)]


def test_an_ods_cells_value_is_its_own_paragraphs_not_its_comment():
    cell = (
        '<table:table-row><table:table-cell office:value-type="string">'
        "<office:annotation><text:p>un commentaire</text:p></office:annotation>"
        "<text:p>Jean<text:s/><text:span>Dupont</text:span></text:p><text:p>2e ligne</text:p>"
        "</table:table-cell></table:table-row>"
    )
    assert cells(hostile.ods(cell)) == [("Jean Dupont\n2e ligne",)]


def test_blank_rows_keep_the_row_numbers_and_do_not_count_toward_the_limit():
    filled = (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row>"
    )
    empty = (
        '<table:table-row table:number-rows-repeated="500"><table:table-cell/></table:table-row>'
    )
    rows = read(hostile.ods(filled + empty + filled), max_rows=2)
    assert [row.number for row in rows] == [1, 502]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"Nom;Prenom\nDurand;Eloise\n",  # a CSV where a spreadsheet is wanted
        b"%PDF-1.7\n",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,  # an old Word .doc
        b"PK\x03\x04 not really a zip",
        zipped({"word/document.xml": "<w/>", "[Content_Types].xml": "<Types/>"}),  # .docx
        zipped({"mimetype": ODS_MIMETYPE, "content.xml": "<not closed"}),
        zipped({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<a/>"}),
        zipped({"xl/workbook.xml": "<workbook/>"}),  # an .xlsx without its sheet
    ],
)
def test_what_is_not_a_spreadsheet_gets_a_french_message_naming_the_formats(content):
    assert refusal(content, name="liste.ods") == NOT_A_SPREADSHEET


def test_a_file_over_the_size_limit_is_refused():
    content = ods_bytes([["x"]], sheet_name="S") + b"\0" * (1024 * 1024)
    assert refusal(content, max_bytes=1024 * 1024) == "Le fichier pèse plus de 1 Mo : scindez-le."


# -- hostile files ------------------------------------------------------------------------


def test_the_hostile_files_hide_three_ordinary_rows():
    """The traps are built around rows a reader must still read right."""
    expected = [("DA", "Nom"), ("1234567", "Leblanc"), ("2345678", "Lebrun")]
    assert cells(hostile.xlsx_plain(), "f.xlsx") == expected
    assert cells(hostile.ods_plain(), "f.ods") == expected  # a million empty rows after


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
        (hostile.ods_repeated_filled_cell, BEYOND_XFD),
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


def test_a_filled_row_repeated_a_billion_times_is_refused_not_expanded():
    row = (
        '<table:table-row table:number-rows-repeated="1000000000"><table:table-cell '
        'office:value-type="string"><text:p>1234567</text:p></table:table-cell></table:table-row>'
    )
    assert refusal(hostile.ods(row), max_rows=10) == (
        "Le fichier « f.ods » va jusqu'à la ligne 1\u202f000\u202f000\u202f000 : seules les "
        "1\u202f011 premières lignes sont lues. Supprimez les lignes en trop au bas de la "
        "feuille, ou copiez les lignes utiles dans un nouveau classeur."
    )


def test_a_filled_row_in_a_second_ods_table_is_bounded_too():
    """calamine loads every table of content.xml: each one is checked."""
    far = (
        '<table:table-row table:number-rows-repeated="5000"><table:table-cell/></table:table-row>'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row>"
    )
    content = hostile.ods(
        hostile._ods_real_rows() + '</table:table><table:table table:name="B">' + far
    )
    assert "va jusqu'à la ligne 5\u202f001" in refusal(content)


def test_spaces_repeated_a_billion_times_in_an_ods_cell_are_refused():
    cell = (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>a'
        '<text:s text:c="1000000000"/>b</text:p></table:table-cell></table:table-row>'
    )
    assert "a une cellule de plus de 32\u202f767 caractères" in refusal(hostile.ods(cell))


def test_a_filled_rectangle_larger_than_calamine_should_hold_is_refused():
    # Two cells, A1 and XFD1000: calamine would hold 16 million cells for them.
    content = hostile.xlsx(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="1000"><c r="XFD1000"><v>2</v></c></row>',
        dimension="A1:XFD1000",
    )
    assert "compte plus de 1\u202f000\u202f000 cellules" in refusal(
        content, "f.xlsx", max_rows=2000
    )


def test_a_formula_far_down_counts_as_filled():
    content = hostile.xlsx(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="900000"><c r="A900000"><f>1+1</f></c></row>'
    )
    assert "va jusqu'à la ligne 900\u202f000 :" in refusal(content, "f.xlsx")


def test_blank_rows_far_down_an_xlsx_are_skipped_not_padded():
    # Formatted but empty rows below the data (Excel writes them): read as nothing.
    content = hostile.xlsx(
        '<row r="1"><c r="A1"><v>7</v></c></row>'
        + "".join(
            f'<row r="{n}" s="1" customFormat="1"><c r="A{n}" s="1"/></row>'
            for n in range(5000, 5100)
        )
    )
    assert read(content, "f.xlsx", max_rows=10) == [Row(1, (7,))]


def test_the_cell_limits_hold_for_every_caller(monkeypatch):
    monkeypatch.setattr(tabular_limits, "MAX_CELLS", 1_000)
    rows = "".join(
        f'<row r="{n}">' + "".join(f'<c r="{c}{n}"><v>1</v></c>' for c in "ABCDEFGHIJ") + "</row>"
        for n in range(1, 200)
    )
    assert "compte plus de 1\u202f000 cellules" in refusal(hostile.xlsx(rows), "f.xlsx")
    long_cell = f'<row r="1"><c r="A1" t="inlineStr"><is><t>{"a" * 40_000}</t></is></c></row>'
    assert "a une cellule de plus de 32\u202f767 caractères" in refusal(
        hostile.xlsx(long_cell), "f.xlsx"
    )


def test_unpacked_bytes_are_counted_whatever_the_zip_claims():
    """A member whose directory entry claims a few bytes but inflates to megabytes (a lying
    size) meets the cap as it is unpacked."""
    padding = "<!-- " + "x" * (3 * 1024 * 1024) + " -->"
    content = hostile.ods(padding + hostile._ods_real_rows())
    assert refusal(content, max_unpacked=1024 * 1024) == (
        "Le fichier « f.ods » dépasse 1 Mo une fois décompressé : gardez seulement les lignes "
        "et les colonnes utiles."
    )
    lying = bytearray(content)
    index = lying.find(b"content.xml", lying.find(b"PK\x01\x02"))  # the central directory entry
    lying[index - 46 + 24 : index - 46 + 28] = (100).to_bytes(4, "little")  # its file size
    # zipfile stops at the size claimed and finds the checksum wrong: not a spreadsheet.
    assert refusal(bytes(lying), "liste.ods", max_unpacked=1024 * 1024) == NOT_A_SPREADSHEET


def test_a_slow_read_is_stopped_at_its_time_limit():
    with pytest.raises(ValidationError) as caught:
        read_rows(
            SimpleUploadedFile("lent.ods", hostile.ods_wide_row(15_000)),
            max_columns=5,
            max_rows=100,
            max_seconds=0,
        )
    assert caught.value.messages == [
        "Le fichier « lent.ods » est trop long à lire (plus de 0 s) : gardez seulement les "
        "lignes et les colonnes utiles."
    ]


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_a_doctype_is_refused(part):
    content = hostile.xlsx('<row r="1"><c r="A1"><v>1</v></c></row>')
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files[part] = files[part].replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "b">]>', 1)
    assert "n'est pas un tableur lisible" in refusal(zipped(files), "f.xlsx")


def test_entity_expansion_is_refused_not_expanded():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
        + "]><d>&j;</d>"
    )
    assert refusal(zipped({"mimetype": ODS_MIMETYPE, "content.xml": bomb}), "liste.ods") == (
        NOT_A_SPREADSHEET
    )


def test_an_external_entity_is_never_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    content = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://'
        + str(secret)
        + '">]>'
        + hostile._ODS_HEAD
        + '<table:table-row><table:table-cell office:value-type="string"><text:p>&x;</text:p>'
        + "</table:table-cell></table:table-row>"
        + hostile._ODS_TAIL
    )
    assert refusal(zipped({"mimetype": ODS_MIMETYPE, "content.xml": content}), "liste.ods") == (
        NOT_A_SPREADSHEET
    )


# -- header aliases and line messages ----------------------------------------------------


def test_header_aliases_are_compared_without_case_accents_or_spaces():
    header = Row(1, ("N° DA", " PRENOM ", "Nom de famille", None, "Date de naissance"))
    aliases = {
        "da": ("Numéro DA", "N° DA", "DA"),
        "first_name": ("Prénom",),
        "last_name": ("Nom", "Nom de famille"),
        "birth_date": ("Né(e) le", "Date de naissance"),
        "email": ("Courriel", "E-mail"),
    }
    assert header_columns(header, aliases) == {
        "da": 0,
        "first_name": 1,
        "last_name": 2,
        "birth_date": 4,
    }
    row = Row(7, ("1234567", "Zoé", "Émond"))
    columns = header_columns(header, aliases)
    assert row.cell(columns["last_name"]) == "Émond"
    assert row.cell(columns["birth_date"]) is None
    assert row.cell(columns.get("email")) is None


def test_line_errors_are_french_and_name_the_spreadsheets_row():
    assert line_error(12, "« 31/02 » n'est pas une date.") == (
        "Ligne 12 : « 31/02 » n'est pas une date."
    )


def test_read_rows_says_what_it_is_given_too_much_of_before_any_row():
    # Refusals of a spreadsheet come from read_rows itself, not on first use of its rows.
    with pytest.raises(ValidationError):
        tabular.read_rows(
            SimpleUploadedFile("x.xlsx", hostile.xlsx_far_cell()), max_columns=2, max_rows=10
        )


def test_shared_strings_are_counted_whatever_prefix_they_use_and_refuse_a_doctype():
    strings = "".join("<x:si><x:t>s</x:t></x:si>" for _ in range(500_000))
    prefixed = f'<?xml version="1.0"?><x:sst xmlns:x="{hostile._MAIN}">{strings}</x:sst>'
    content = hostile.xlsx('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', shared_strings=prefixed)
    assert "compte plus de 400\u202f000 cellules" in refusal(content, "f.xlsx")
    doctype = f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "b">]><sst xmlns="{hostile._MAIN}">'
    content = hostile.xlsx(
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
        shared_strings=doctype + "<si><t>&a;</t></si></sst>",
    )
    assert "n'est pas un tableur lisible" in refusal(content, "f.xlsx")


def test_a_shared_string_longer_than_excel_allows_is_refused():
    shared = (
        f'<?xml version="1.0"?><sst xmlns="{hostile._MAIN}"><si><t>{"a" * 40_000}</t></si></sst>'
    )
    content = hostile.xlsx('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', shared_strings=shared)
    assert "a une cellule de plus de 32\u202f767 caractères" in refusal(content, "f.xlsx")


def test_an_xlsx_sheet_whose_rows_and_cells_carry_a_prefix_is_refused():
    """<x:row>, <x:c>: legal XML Excel never writes, that would hide a far cell from the
    checks (calamine reads it: a cell at XFD1048576 made it allocate until it died)."""
    far = f"{hostile.EXCEL_LAST_COLUMN}{hostile.EXCEL_LAST_ROW}"
    content = hostile.xlsx(
        hostile._real_rows() + f'<row r="{hostile.EXCEL_LAST_ROW}"><c r="{far}"><v>1</v></c></row>'
    )
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    sheet = files["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace("<worksheet xmlns=", "<x:worksheet xmlns:x=")
    sheet = sheet.replace("</worksheet>", "</x:worksheet>")
    for tag in ("dimension", "sheetData", "row", "c", "is", "t", "v"):
        sheet = sheet.replace(f"<{tag}", f"<x:{tag}").replace(f"</{tag}>", f"</x:{tag}>")
    files["xl/worksheets/sheet1.xml"] = sheet.encode()
    assert refusal(zipped(files), "liste.ods") == NOT_A_SPREADSHEET


def test_an_ods_whose_table_prefix_names_another_namespace_is_refused():
    """calamine knows « table:table-row » by its name as written: rows in another namespace
    under that prefix would be expanded by calamine and unseen by the checks."""
    with zipfile.ZipFile(io.BytesIO(hostile.ods_far_row())) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["content.xml"] = files["content.xml"].replace(
        b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"',
        b'xmlns:table="urn:example:other"',
    )
    assert refusal(zipped(files), "liste.ods") == NOT_A_SPREADSHEET


@pytest.mark.parametrize(
    "cell",
    [
        "<c r='XFD1048576'><v>1</v></c>",  # single quotes
        '<c r = "xfd1048576"><v>1</v></c>',  # spaces, lower case
        '<c r="A1048576"><v>1</v></c><c><v>2</v></c>',  # a cell without reference after it
    ],
)
def test_a_far_cell_written_in_any_legal_way_is_seen(cell):
    content = hostile.xlsx(hostile._real_rows() + f"<row r='1048576'>{cell}</row>")
    assert ROWS_TOO_FAR in refusal(content, "f.xlsx")


def test_a_reference_past_the_last_row_or_column_is_refused():
    content = hostile.xlsx('<row r="1"><c r="A99999999"><v>1</v></c></row>')
    assert "va jusqu'à la ligne 99\u202f999\u202f999" in refusal(content, "f.xlsx")
    content = hostile.xlsx('<row r="1"><c r="AAAA1"><v>1</v></c></row>')
    assert BEYOND_XFD in refusal(content, "f.xlsx")


def test_a_far_cell_after_a_tab_or_a_line_break_is_seen():
    far = "<c\tr='XFD1048576'\n><v>1</v></c>"
    content = hostile.xlsx(hostile._real_rows() + f"<row\nr='1048576'>{far}</row>")
    assert ROWS_TOO_FAR in refusal(content, "f.xlsx")


def test_an_ods_paragraph_longer_than_excel_allows_is_refused():
    cell = (
        '<table:table-row><table:table-cell office:value-type="string">'
        f"<text:p>{'a' * 40_000}</text:p></table:table-cell></table:table-row>"
    )
    assert "a une cellule de plus de 32\u202f767 caractères" in refusal(hostile.ods(cell))


def test_an_ods_cell_with_text_but_no_value_type_counts_as_filled_far_down():
    rows = (
        hostile._ods_real_rows()
        + '<table:table-row table:number-rows-repeated="5000"><table:table-cell/>'
        + "</table:table-row><table:table-row><table:table-cell><text:p>x</text:p>"
        + "</table:table-cell></table:table-row>"
    )
    assert "va jusqu'à la ligne 5\u202f004" in refusal(hostile.ods(rows))
