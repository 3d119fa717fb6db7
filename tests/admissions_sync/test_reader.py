"""The reader of Parcoursup's export (admissions_sync/imports.py): file → validated lines,
no database. Formats and encodings, header aliases, who is kept, the key, and every line
validated with its spreadsheet line number."""

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from admissions_sync import imports
from admissions_sync.imports import FIELDS, INDEX, read_file, split
from tests.admissions_sync.support import HEADER, csv_file, export_rows, rows_file

# A plain applicant line (HEADER's columns): « Oui », bac obtained.
LINE = [
    "1200001",
    "123456789AB",
    "Mme",
    "DUPONT",
    "Léa",
    "01/03/2007",
    "Lyon",
    "France",
    "Française",
    "12 rue Pasteur",
    "",
    "",
    "69003",
    "Lyon",
    "France",
    "01 23 45 67 89",
    "06 12 34 56 78",
    "lea.dupont@exemple.fr",
    "Générale",
    "Bien",
    "Non",
    "Oui",
    "08/07/2026 14:32",
    "Oui",
    "Oui",
]


def line(**changes) -> list[str]:
    """LINE with some cells changed, by HEADER's column name."""
    row = list(LINE)
    for column, value in changes.items():
        row[HEADER.index(column.replace("_", " "))] = value
    return row


def numbered(count: int, start: int = 1200001) -> list[list[str]]:
    return [line(Numéro=str(start + i)) for i in range(count)]


def values(parsed, number: str) -> dict[str, str]:
    return dict(zip(FIELDS, split(parsed.kept[number][1]), strict=True))


def refusal(stream) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        read_file(stream)
    return caught.value.messages


def xlsx_file(header, rows, *, name="parcoursup.xlsx") -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    stream.name = name
    return stream


# -- Formats and encodings ---------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1252"])
def test_csv_in_each_encoding_reads_the_same_accented_names(encoding):
    parsed = read_file(rows_file([line(Nom="LEFÈVRE", Prénom="Éloïse")], encoding=encoding))
    assert parsed.errors == []
    assert values(parsed, "1200001")["last_name"] == "LEFÈVRE"
    assert values(parsed, "1200001")["first_name"] == "Éloïse"
    assert parsed.lines == 1


def test_line_fields_and_dates_are_canonical():
    parsed = read_file(rows_file([LINE]))
    got = values(parsed, "1200001")
    assert got["birth_date"] == "2007-03-01"
    assert got["civility"] == "MME"
    assert got["ine"] == "123456789AB"
    assert got["gap_year"] == "f"
    assert got["boarding"] == "t"
    assert got["response"] == "oui"
    # 08/07/2026 14:32 in Paris (summer time, UTC+2) is 12:32 UTC.
    assert got["response_at"] == "2026-07-08 12:32:00+00"


def test_response_date_in_winter_is_one_hour_off_utc():
    parsed = read_file(rows_file([line(Date_réponse="15/01/2026 09:05")]))
    assert values(parsed, "1200001")["response_at"] == "2026-01-15 08:05:00+00"


def test_xlsx_with_real_date_cells_reads_as_the_csv():
    row = list(LINE)
    row[HEADER.index("Date de naissance")] = datetime.date(2007, 3, 1)
    row[HEADER.index("Date réponse")] = datetime.datetime(2026, 7, 8, 14, 32)
    parsed = read_file(xlsx_file(HEADER, [row]))
    assert parsed.errors == []
    assert parsed.kept["1200001"][1] == read_file(rows_file([LINE])).kept["1200001"][1]


def test_xlsx_with_dates_as_text_and_a_numeric_candidate_number():
    row = list(LINE)
    row[0] = 1200001  # a number cell
    parsed = read_file(xlsx_file(HEADER, [row]))
    assert parsed.errors == []
    assert values(parsed, "1200001")["birth_date"] == "2007-03-01"
    assert values(parsed, "1200001")["response_at"] == "2026-07-08 12:32:00+00"


def test_xlsx_error_line_numbers_are_the_sheets_rows():
    rows = [list(LINE), line(Numéro="1200002", Civilité="Dr")]
    parsed = read_file(xlsx_file(HEADER, rows))
    assert len(parsed.errors) == 1
    assert parsed.errors[0].startswith("Ligne 3 : ")


# -- Header aliases ----------------------------------------------------------------------

ALIASED = {
    "Numéro": ["Numéro candidat", "NUMERO CANDIDAT", "numero"],
    "Numéro INE": ["INE", "ine"],
    "Civilité": ["Etat civil", "etat civil", "ÉTAT CIVIL"],
    "Téléphone": ["Téléphone fixe", "TELEPHONE"],
    "e-mail du candidat": ["Adresse mail", "ADRESSE MAIL"],
    "Internat": ["Internat obtenu"],
    "Avis": ["Réponse", "Situation", "REPONSE"],
    "Bac obtenu": ["Résultat bac", "resultat bac"],
}


@pytest.mark.parametrize(
    ("column", "alias"),
    [(column, alias) for column, aliases in ALIASED.items() for alias in aliases],
)
def test_header_alias_reads_the_same(column, alias):
    header = [alias if name == column else name for name in HEADER]
    parsed = read_file(rows_file([LINE], header=header))
    assert parsed.errors == []
    assert parsed.kept["1200001"][1] == read_file(rows_file([LINE])).kept["1200001"][1]


@pytest.mark.parametrize(("raw", "stored"), [("M.", "M"), ("Mme", "MME"), ("M", "M")])
def test_civility_values(raw, stored):
    parsed = read_file(rows_file([line(Civilité=raw)]))
    assert values(parsed, "1200001")["civility"] == stored


# -- Who is kept -------------------------------------------------------------------------


def test_kept_and_excluded_by_reason():
    rows = [
        line(Numéro="1", Avis="Oui"),
        line(Numéro="2", Avis="Oui si"),
        line(Numéro="3", Avis="Oui en attente"),
        line(Numéro="4", Avis="Oui", Bac_obtenu="Non"),
        line(Numéro="5", Avis="Oui en attente"),
    ]
    parsed = read_file(rows_file(rows))
    assert parsed.errors == []
    assert sorted(parsed.kept) == ["1", "2"]
    assert values(parsed, "2")["response"] == "oui_si"
    assert parsed.excluded_counts == {"waiting": 2, "no_bac": 1}
    assert [(item[0], item[1], item[4]) for item in parsed.excluded] == [
        (4, "3", "waiting"),
        (5, "4", "no_bac"),
        (6, "5", "waiting"),
    ]
    assert parsed.trusted is False


def test_without_response_nor_bac_columns_everyone_is_kept_and_trusted():
    header = [name for name in HEADER if name not in ("Avis", "Bac obtenu")]
    rows = [row[: len(header)] for row in numbered(3)]
    parsed = read_file(rows_file(rows, header=header))
    assert parsed.errors == []
    assert len(parsed.kept) == 3
    assert parsed.excluded == []
    assert parsed.trusted is True


def test_demo_export_excludes_some():
    rows = export_rows(300, seed=5)
    parsed = read_file(rows_file(rows))
    assert parsed.errors == []
    waiting = sum(row[-2] == "Oui en attente" for row in rows)
    no_bac = sum(row[-1] == "Non" and row[-2] != "Oui en attente" for row in rows)
    assert parsed.excluded_counts.get("waiting", 0) == waiting
    assert parsed.excluded_counts.get("no_bac", 0) == no_bac
    assert len(parsed.kept) == 300 - waiting - no_bac


# -- The key: candidate number and INE ------------------------------------------------------


@pytest.mark.parametrize("ine", ["123456789AB", "123456789ab", "12345ABCDEF", "1234A12345B"])
def test_ine_shapes_accepted(ine):
    parsed = read_file(rows_file([line(Numéro_INE=ine)]))
    assert parsed.errors == []
    assert values(parsed, "1200001")["ine"] == ine.upper()


@pytest.mark.parametrize("ine", ["12345678AB", "123456789ABC", "1234567891A2", "12345-789AB", "A"])
def test_ine_other_shapes_refused(ine):
    parsed = read_file(rows_file([line(Numéro_INE=ine)]))
    assert parsed.kept == {}
    assert len(parsed.errors) == 1
    assert parsed.errors[0].startswith("Ligne 2 : INE « ")


def test_duplicated_number_names_both_lines():
    rows = [line(Numéro="1200001"), line(Numéro="1200002"), line(Numéro="1200001")]
    parsed = read_file(rows_file(rows))
    assert parsed.errors == ["Ligne 4 : le numéro Parcoursup 1200001 figure aussi ligne 2."]


@pytest.mark.parametrize("number", ["١٢٣٤", "１２３４", "12a4", "1234567890123", "-12"])
def test_candidate_number_not_ascii_digits_refused(number):
    parsed = read_file(rows_file([line(Numéro=number)]))
    assert parsed.kept == {}
    assert len(parsed.errors) == 1
    assert "numéro Parcoursup" in parsed.errors[0]
    assert parsed.errors[0].startswith("Ligne 2 : ")


# -- Every line validated, every error listed ----------------------------------------------


def test_three_bad_lines_give_every_error_with_spreadsheet_line_numbers():
    rows = [
        line(Numéro="1"),
        line(Numéro="2", Date_de_naissance="31/02/2007"),
        line(Numéro="3"),
        line(Numéro="4", Civilité="Docteur", Nom=""),
        line(Numéro="5", Date_de_naissance="2007-02-01"),
    ]
    parsed = read_file(rows_file(rows))
    assert len(parsed.errors) == 4
    assert parsed.errors[0].startswith("Ligne 3 : « Date de naissance » « 31/02/2007 »")
    assert parsed.errors[1] == (
        "Ligne 5 : civilité « Docteur » inconnue : « M. » ou « Mme » est attendu."
    )
    assert parsed.errors[2] == "Ligne 5 : « Nom » manque."
    assert parsed.errors[3].startswith("Ligne 6 : « Date de naissance » « 2007-02-01 »")
    assert sorted(parsed.kept) == ["1", "3"]


def test_blank_lines_count_in_the_line_numbers():
    text = (
        ";".join(HEADER)
        + "\r\n"
        + ";".join(LINE)
        + "\r\n\r\n"
        + ";".join(line(Numéro="2", Civilité="X"))
        + "\r\n"
    )
    parsed = read_file(csv_file(text))
    assert parsed.errors[0].startswith("Ligne 4 : civilité « X »")


def test_over_long_name_refused():
    parsed = read_file(rows_file([line(Nom="A" * 101)]))
    assert parsed.errors == ["Ligne 2 : « Nom » : 101 caractères, 100 au plus."]


def test_name_of_100_characters_accepted():
    parsed = read_file(rows_file([line(Nom="A" * 100)]))
    assert parsed.errors == []


def test_formula_in_address_refused_phone_with_plus_accepted():
    rows = [
        line(Numéro="1", Adresse_1='=HYPERLINK("http://exemple.fr";"x")'.replace(";", ",")),
        line(Numéro="2", Téléphone="+33 6 12 34 56 78", Téléphone_mobile="+33 (0)6.12.34.56-78"),
        line(Numéro="3", Adresse_1="@SUM(1)"),
    ]
    parsed = read_file(rows_file(rows))
    assert len(parsed.errors) == 2
    assert parsed.errors[0].startswith("Ligne 2 : « Adresse 1 » « =HYPERLINK(")
    assert "formule" in parsed.errors[0]
    assert parsed.errors[1].startswith("Ligne 4 : « Adresse 1 » « @SUM(1) »")
    assert values(parsed, "2")["phone"] == "+33 6 12 34 56 78"


def test_tab_inside_a_text_cell_is_refused_not_a_shifted_line():
    """A quoted cell with a tab must not add a field to the canonical (tab-separated) line."""
    text = ";".join(HEADER) + "\r\n" + ";".join(line(Adresse_1='"12\true Pasteur"')) + "\r\n"
    parsed = read_file(csv_file(text))
    for _number, (_line_no, canonical) in parsed.kept.items():
        assert len(split(canonical)) == len(FIELDS)
    assert len(parsed.errors) == 1
    assert "caractère de contrôle" in parsed.errors[0]


def test_backslash_in_a_cell_without_response_date_keeps_it_empty():
    parsed = read_file(rows_file([line(Adresse_1="Bât. A\\B", Date_réponse="")]))
    assert parsed.errors == []
    got = values(parsed, "1200001")
    assert got["address1"] == "Bât. A\\B"
    assert got["response_at"] == ""


def test_backslash_with_response_date_round_trips():
    parsed = read_file(rows_file([line(Adresse_1="A\\B\\N")]))
    assert values(parsed, "1200001")["address1"] == "A\\B\\N"
    assert values(parsed, "1200001")["response_at"] == "2026-07-08 12:32:00+00"


def test_control_character_refused():
    text = ";".join(HEADER) + "\r\n" + ";".join(line(Adresse_2='"Bât\nB"')) + "\r\n"
    parsed = read_file(csv_file(text))
    assert parsed.kept == {}
    assert parsed.errors == [
        "Ligne 2 : « Adresse 2 » contient un caractère de contrôle (tabulation, saut de ligne…)."
    ]


# -- Files refused whole -------------------------------------------------------------------


def _named(content: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(content)
    stream.name = name
    return stream


def _docx() -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return stream.getvalue()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n", "parcoursup.pdf"),
        (b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n", "parcoursup.xlsx"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "parcoursup.xlsx"),
        (_docx(), "parcoursup.xlsx"),
        (_docx(), "parcoursup.csv"),  # a lying file: a zip named .csv
    ],
)
def test_not_a_table_refused_in_french(content, name):
    messages = refusal(_named(content, name))
    assert len(messages) == 1
    assert "Le fichier" in messages[0]


def test_png_named_csv_refused():
    messages = refusal(_named(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "parcoursup.csv"))
    assert messages == [str(imports.NUL_BYTES)]


def test_empty_file():
    assert refusal(_named(b"", "parcoursup.csv")) == [str(imports.EMPTY_FILE)]


def test_header_only():
    assert refusal(rows_file([])) == [str(imports.NO_LINE)]


def test_no_header_first_line_is_data():
    text = "".join(";".join(row) + "\r\n" for row in numbered(2))
    assert refusal(csv_file(text)) == [str(imports.NO_HEADER)]


def test_unknown_columns_are_named():
    header = [*HEADER, "Couleur préférée", "Spécialité"]
    rows = [[*LINE, "bleu", "maths"]]
    messages = refusal(rows_file(rows, header=header))
    assert len(messages) == 1
    assert "Colonnes inconnues" in messages[0]
    assert "« Couleur préférée », « Spécialité »" in messages[0]


def test_missing_required_columns_are_named():
    drop = ("Civilité", "Date de naissance")
    header = [name for name in HEADER if name not in drop]
    rows = [[cell for name, cell in zip(HEADER, LINE, strict=True) if name not in drop]]
    messages = refusal(rows_file(rows, header=header))
    assert messages == [
        "Colonnes obligatoires absentes de l'en-tête : « Civilité », « Date de naissance »."
    ]


def test_a_column_twice_refused():
    header = [*HEADER, "INE"]
    messages = refusal(rows_file([[*LINE, "123456789AB"]], header=header))
    assert messages == ["La colonne « Numéro INE » figure deux fois dans l'en-tête."]


def test_nul_bytes_refused():
    content = rows_file([LINE]).getvalue().replace(b"Lyon", b"Ly\x00on", 1)
    assert refusal(_named(content, "parcoursup.csv")) == [str(imports.NUL_BYTES)]


def test_utf16_without_bom_refused():
    text = ";".join(HEADER) + "\r\n" + ";".join(LINE) + "\r\n"
    content = text.encode("utf-16-le")
    assert refusal(_named(content, "parcoursup.csv")) == [str(imports.NUL_BYTES)]


def test_utf16_with_bom_is_read():
    text = ";".join(HEADER) + "\r\n" + ";".join(LINE) + "\r\n"
    parsed = read_file(_named(text.encode("utf-16"), "parcoursup.csv"))
    assert parsed.errors == []
    assert values(parsed, "1200001")["first_name"] == "Léa"


def test_wrong_encoding_after_utf8_far_in_the_file_refused():
    """Invalid UTF-8 after valid non-ASCII UTF-8: replaced, so the line is refused."""
    good = rows_file(numbered(400)).getvalue()  # more than the reader's 64 KiB chunk
    assert len(good) > 70_000
    bad = ";".join(line(Numéro="9999999", Nom="LEFÈVRE")).encode("cp1252") + b"\r\n"
    parsed = read_file(_named(good + bad, "parcoursup.csv"))
    assert f"Ligne 402 : {imports.NOT_TEXT}" in parsed.errors
    assert all(error.startswith("Ligne 402 : ") for error in parsed.errors)
    assert "9999999" not in parsed.kept


def test_wrong_encoding_after_utf8_in_the_first_lines_refused():
    # The standard header is UTF-8 (Numéro…): a cp1252 line soon after must not make the
    # whole file cp1252 without a word.
    content = rows_file([LINE], encoding="utf-8").getvalue()
    content += ";".join(line(Numéro="2", Nom="LEFÈVRE")).encode("cp1252") + b"\r\n"
    try:
        parsed = read_file(_named(content, "parcoursup.csv"))
    except ValidationError:
        return
    assert parsed.errors  # refused one way or the other


def test_wrong_encoding_after_utf8_with_an_ascii_header_refused():
    """An ASCII header (aliases without accents), a UTF-8 city, then a cp1252 one, all in
    the first chunk: the UTF-8 one must not be read as cp1252 (« BesanÃ§on ») and
    accepted."""
    header = [
        "Numero candidat",
        "INE",
        "Etat civil",
        "Nom",
        "Prenom",
        "Date de naissance",
        "Ville de naissance",
    ]
    first = ["1", "123456789AB", "Mme", "DUPONT", "Lea", "01/03/2007", "Besançon"]
    second = ["2", "123456789AC", "M.", "DURAND", "Noe", "01/03/2007", "Besançon"]
    content = (";".join(header) + "\r\n" + ";".join(first) + "\r\n").encode("utf-8")
    content += (";".join(second) + "\r\n").encode("cp1252")
    try:
        parsed = read_file(_named(content, "parcoursup.csv"))
    except ValidationError:
        return
    cities = [values(parsed, number)["birth_city"] for number in sorted(parsed.kept)]
    assert parsed.errors, f"mixed encodings accepted as {cities}"


def test_file_over_the_size_limit_refused(monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 1024 * 1024)
    content = rows_file(numbered(5200)).getvalue()
    assert len(content) > 1024 * 1024
    assert refusal(_named(content, "parcoursup.csv")) == [
        "Le fichier pèse plus de 1 Mo : scindez-le."
    ]


def test_too_many_lines_refused(monkeypatch):
    monkeypatch.setattr(imports, "MAX_LINES", 5)
    messages = refusal(rows_file(numbered(6)))
    assert messages == [
        "Le fichier compte plus de 5 lignes : ce n'est pas un export d'une formation."
    ]


def test_other_extension_refused():
    messages = refusal(_named(rows_file([LINE]).getvalue(), "parcoursup.txt"))
    assert "CSV (.csv)" in messages[0]


def test_index_matches_fields():
    assert [INDEX[name] for name in FIELDS] == list(range(len(FIELDS)))


# -- The same applicant, however the file is laid out -----------------------------------------


def _text(header, row, *, separator=";", end="\r\n") -> str:
    return separator.join(header) + end + separator.join(row) + end


@pytest.mark.parametrize(
    "text",
    [
        _text(HEADER, [f" {cell} " for cell in LINE]),
        _text(HEADER, LINE, end="\n"),
        _text(HEADER, LINE, separator=","),
        _text(HEADER, LINE, separator="\t"),
        _text([f"  {name} " for name in HEADER], LINE),
        _text([*HEADER, "", ""], [*LINE, "", "", ""]),
        _text(HEADER, [*LINE, "", ""]),
        _text([name.upper() for name in HEADER], LINE),
    ],
    ids=["cell spaces", "LF", "comma", "tab", "header spaces", "trailing ;", "longer row", "CAPS"],
)
def test_csv_layouts_give_the_same_canonical_line(text):
    reference = read_file(rows_file([LINE])).kept["1200001"][1]
    parsed = read_file(csv_file(text))
    assert parsed.errors == []
    assert parsed.kept["1200001"][1] == reference


def test_quoted_cell_with_the_separator_and_quotes():
    text = _text(HEADER, line(Adresse_1='"12; rue ""Haute"""'))
    parsed = read_file(csv_file(text))
    assert parsed.errors == []
    assert values(parsed, "1200001")["address1"] == '12; rue "Haute"'


def test_xlsx_cells_as_a_spreadsheet_types_them():
    row = [f" {cell} " for cell in LINE]
    row[HEADER.index("Internat")] = True
    row[HEADER.index("Année de césure")] = False
    row[HEADER.index("Code postal")] = 69003
    row[HEADER.index("Date de naissance")] = datetime.datetime(2007, 3, 1)
    parsed = read_file(xlsx_file(HEADER, [row]))
    assert parsed.errors == []
    assert parsed.kept["1200001"][1] == read_file(rows_file([LINE])).kept["1200001"][1]


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("Numéro", 1200001.5, "numéro Parcoursup « 1200001.5 »"),
        ("Date de naissance", 39142, "« Date de naissance » « 39142 »"),
        ("Date de naissance", datetime.time(10, 0), "« Date de naissance » « 10:00:00 »"),
    ],
)
def test_xlsx_cells_of_the_wrong_type_refused(column, value, expected):
    row = list(LINE)
    row[HEADER.index(column)] = value
    parsed = read_file(xlsx_file(HEADER, [row]))
    assert parsed.kept == {}
    assert len(parsed.errors) == 1
    assert parsed.errors[0].startswith(f"Ligne 2 : {expected}")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"Date_de_naissance": "01/01/2099"}, "date de naissance « 01/01/2099 » invraisemblable."),
        ({"Date_de_naissance": "01/01/1899"}, "date de naissance « 01/01/1899 » invraisemblable."),
        ({"Date_réponse": "08/07/2026 25:00"}, "« Date réponse » « 08/07/2026 25:00 »"),
        ({"Avis": "Peut-être"}, "avis « Peut-être » inconnu"),
        ({"Avis": ""}, "avis «  » inconnu"),
        ({"Bac_obtenu": "Bof"}, "résultat du bac « Bof » inconnu"),
        ({"Internat": "Peut-être"}, "« Internat » « Peut-être » : « Oui » ou « Non » est attendu."),
        ({"Code_postal": "75;011"}, "code postal"),
        ({"Téléphone": "06 12 AB"}, "« Téléphone » « 06 12 AB »"),
        ({"Nom": "DUPONT😀"}, "« Nom » « DUPONT😀 »"),
        ({"Prénom": "L3a"}, "« Prénom » « L3a »"),
        ({"Numéro": ""}, "le numéro Parcoursup manque."),
    ],
)
def test_each_bad_cell_has_its_message(changes, expected):
    row = line(**changes)
    if changes.get("Code_postal") == "75;011":
        row[HEADER.index("Code postal")] = '"75;011"'
    parsed = read_file(rows_file([row]))
    assert parsed.kept == {}
    assert any(error.startswith(f"Ligne 2 : {expected}") for error in parsed.errors), parsed.errors
