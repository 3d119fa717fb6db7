"""Lists of students pasted or uploaded for a batch enrolment: reading and recognition."""

import io
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from registrar import student_lists as imports
from registrar.models import Student
from registrar.student_lists import (
    MAX_FILE_BYTES,
    MAX_LIST_LINES,
    LineStatus,
    ListLine,
    analyse_rows,
    rows_from_file,
    rows_from_text,
)
from registrar.tabular import ods_bytes
from tests.factories import StudentFactory
from tests.registrar import hostile_spreadsheets as hostile

pytestmark = pytest.mark.django_db

LISE_LABEL = "123-4567 Leblanc, Lise"


@pytest.fixture
def lise():
    return StudentFactory(
        da_number="1234567", permanent_code="LEBL15539001", last_name="Leblanc", first_name="Lise"
    )


@pytest.fixture
def leo():
    return StudentFactory(
        da_number="7654321", permanent_code="LENL02039002", last_name="Lenoir", first_name="Léo"
    )


def analyse(text: str, **kwargs) -> imports.ListAnalysis:
    return analyse_rows(rows_from_text(text), **kwargs)


def statuses(analysis) -> list[tuple[int, str]]:
    return [(line.number, line.status) for line in analysis.lines]


# --------------------------------------------------------------------------------------
# Numbers as users type them
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["1234567", "123-4567", "123 4567", "  123 - 4567  ", '"123-4567"', "1234567.0"]
)
def test_da_number_with_or_without_dash_and_spaces(lise, typed):
    analysis = analyse(typed)

    assert analysis.lines == [ListLine(1, typed, LineStatus.RECOGNISED, lise.pk, LISE_LABEL, "")]
    assert analysis.student_ids == [lise.pk]


@pytest.mark.parametrize(
    "typed", ["LEBL15539001", "LEBL 15539001", "lebl15539001", "Lebl 15539001"]
)
def test_permanent_code_with_space_or_lower_case(lise, typed):
    analysis = analyse(typed)

    assert analysis.student_ids == [lise.pk]
    assert analysis.lines[0].student_label == LISE_LABEL


def test_da_number_and_permanent_code_of_the_same_student(lise):
    analysis = analyse("123-4567;LEBL15539001")

    assert analysis.student_ids == [lise.pk]


def test_number_inside_a_hand_typed_line(lise, leo):
    analysis = analyse("123-4567 Leblanc Lise\nLenoir Léo LENL 02039002")

    assert analysis.student_ids == [lise.pk, leo.pk]


# --------------------------------------------------------------------------------------
# Columns, separators, line ends
# --------------------------------------------------------------------------------------


def test_columns_pasted_from_excel_with_tabs(lise, leo):
    text = "Numéro DA\tNom\tPrénom\r\n123-4567\tLeblanc\tLise\r\n7654321\tLenoir\tLéo\r\n"

    analysis = analyse(text)

    assert statuses(analysis) == [
        (1, LineStatus.HEADER),
        (2, LineStatus.RECOGNISED),
        (3, LineStatus.RECOGNISED),
    ]
    assert analysis.lines[0].message == "En-tête ignoré."
    assert analysis.lines[1].text == "123-4567\tLeblanc\tLise"
    assert analysis.student_ids == [lise.pk, leo.pk]


def test_name_column_with_a_comma_stays_one_cell_when_tabs_are_there(lise):
    assert rows_from_text("123-4567\tLeblanc, Lise\tSciences") == [
        (1, "123-4567\tLeblanc, Lise\tSciences", ["123-4567", "Leblanc, Lise", "Sciences"])
    ]


@pytest.mark.parametrize("separator", [";", ","])
def test_semicolon_and_comma_separated(lise, leo, separator):
    text = "\n".join(
        [
            separator.join(["DA", "Nom", "Prénom"]),
            separator.join(["Leblanc", "Lise", "123-4567"]),
            separator.join(['"7654321"', "Lenoir", "Léo", "LENL02039002"]),
        ]
    )

    analysis = analyse(text)

    assert statuses(analysis) == [
        (1, LineStatus.HEADER),
        (2, LineStatus.RECOGNISED),
        (3, LineStatus.RECOGNISED),
    ]
    assert analysis.student_ids == [lise.pk, leo.pk]


@pytest.mark.parametrize("line_end", ["\r\n", "\n", "\r"])
def test_line_ends(lise, leo, line_end):
    analysis = analyse(line_end.join(["1234567", "", "7654321", ""]))

    assert statuses(analysis) == [(1, LineStatus.RECOGNISED), (3, LineStatus.RECOGNISED)]
    assert analysis.student_ids == [lise.pk, leo.pk]


def test_bom_blank_lines_and_header_are_ignored_but_counted(lise, leo):
    text = "\ufeffNuméro DA\n\n   \n;;\n123-4567\n\n7654321\n\n"

    analysis = analyse(text)

    assert statuses(analysis) == [
        (1, LineStatus.HEADER),
        (5, LineStatus.RECOGNISED),
        (7, LineStatus.RECOGNISED),
    ]
    assert analysis.lines[0].text == "Numéro DA"
    assert analysis.rejected == []


def test_header_like_text_after_data_is_rejected(lise):
    analysis = analyse("DA;Nom;Prénom\n123-4567;Leblanc;Lise\nDA;Nom;Prénom")

    assert statuses(analysis) == [
        (1, LineStatus.HEADER),
        (2, LineStatus.RECOGNISED),
        (3, LineStatus.REJECTED),
    ]
    assert analysis.lines[2].message == "Aucun numéro DA ni code permanent reconnu."


# --------------------------------------------------------------------------------------
# Rejections and notes
# --------------------------------------------------------------------------------------


def test_unknown_da_number_is_rejected_with_the_masked_number(lise):
    analysis = analyse("999 9999")

    assert analysis.lines == [
        ListLine(1, "999 9999", LineStatus.REJECTED, None, "", "Numéro DA 999-9999 inconnu.")
    ]
    assert analysis.student_ids == []


def test_unknown_permanent_code_is_rejected_with_the_code(lise):
    analysis = analyse("zzzz 01019999")

    assert analysis.lines[0].status == LineStatus.REJECTED
    assert analysis.lines[0].message == "Code permanent ZZZZ01019999 inconnu."


def test_known_da_number_with_unknown_permanent_code_is_rejected(lise):
    analysis = analyse("1234567;ZZZZ01019999")

    assert analysis.lines[0].message == "Code permanent ZZZZ01019999 inconnu."


def test_inactive_student_is_rejected(lise):
    lise.is_active = False
    lise.save()

    analysis = analyse("1234567")

    assert analysis.lines[0].status == LineStatus.REJECTED
    assert analysis.lines[0].message == "Dossier inactif : 123-4567 Leblanc, Lise."
    assert analysis.lines[0].student_id is None
    assert analysis.student_ids == []


def test_duplicate_line_names_the_earlier_line(lise, leo):
    # The same student by numéro DA on line 2 and by code permanent on line 4.
    analysis = analyse("7654321\n1234567\n\nLEBL15539001\n123-4567")

    assert statuses(analysis) == [
        (1, LineStatus.RECOGNISED),
        (2, LineStatus.RECOGNISED),
        (4, LineStatus.REJECTED),
        (5, LineStatus.REJECTED),
    ]
    assert analysis.lines[2].message == "Doublon de la ligne 2."
    assert analysis.lines[3].message == "Doublon de la ligne 2."
    assert analysis.student_ids == [leo.pk, lise.pk]
    assert (analysis.recognised_count, analysis.rejected_count) == (2, 2)


def test_student_already_in_the_selection(lise, leo):
    analysis = analyse("1234567\n7654321\n1234567", already_selected={lise.pk})

    assert analysis.lines[0] == ListLine(
        1, "1234567", LineStatus.ALREADY, lise.pk, LISE_LABEL, "Déjà dans la sélection."
    )
    assert analysis.lines[2].message == "Doublon de la ligne 1."
    assert analysis.student_ids == [leo.pk]
    assert (analysis.recognised_count, analysis.already_count, analysis.rejected_count) == (
        1,
        1,
        1,
    )


def test_da_number_and_permanent_code_of_two_students(lise, leo):
    analysis = analyse("1234567\tLENL02039002")

    assert analysis.lines[0].status == LineStatus.REJECTED
    assert analysis.lines[0].message == (
        "Le numéro DA et le code permanent désignent deux étudiants différents."
    )


def test_several_da_numbers_on_one_line(lise, leo):
    analysis = analyse("1234567;7654321")

    assert analysis.lines[0].message == (
        "La ligne contient plusieurs numéros DA (123-4567, 765-4321) : un seul étudiant par ligne."
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12345;Leblanc", "« 12345 » n'est pas un numéro DA (7 chiffres attendus)."),
        ("123-45678", "« 123-45678 » n'est pas un numéro DA (7 chiffres attendus)."),
        (
            "LEBL1553900",
            "« LEBL1553900 » n'est pas un code permanent (4 lettres et 8 chiffres attendus).",
        ),
    ],
)
def test_mistyped_number_is_quoted(lise, typed, message):
    # Not a header, even on the first line: a user's typo is never silently dropped.
    analysis = analyse(typed)

    assert analysis.lines[0].status == LineStatus.REJECTED
    assert analysis.lines[0].message == message


def test_long_line_is_cut(lise):
    line = "1234567;" + "x" * 300

    text = analyse(line).lines[0].text

    assert len(text) == 120
    assert text.startswith("1234567;xxx")
    assert text.endswith("…")


def test_garbage_gives_rejected_lines_never_an_exception(lise):
    rng = random.Random(20240901)
    alphabet = "!@#$%^&*()_+={}[]|\\:\"'<>?/~`.-\x00\x01\x07\x0b\x0c\x1b\x7f\ufffd\u202e é5"
    garbage = [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 200))) for _ in range(300)
    ]
    garbage.append(bytes(range(256)).decode("latin-1"))

    analysis = analyse("1234567\n" + "\n".join(garbage))

    assert analysis.student_ids == [lise.pk]
    assert {line.status for line in analysis.lines[1:]} == {LineStatus.REJECTED}
    assert all(line.message for line in analysis.rejected)


# --------------------------------------------------------------------------------------
# Size and queries
# --------------------------------------------------------------------------------------


def typed_da(n: int) -> str:
    """The numéro DA of the n-th bulk student as users type it: plain, with a dash, a space."""
    da = f"{2_000_000 + n}"
    return (da, f"{da[:3]}-{da[3:]}", f"{da[:3]} {da[3:]}")[n % 3]


def test_ten_thousand_lines_with_a_bounded_number_of_queries(django_assert_max_num_queries):
    students = [
        Student(
            da_number=f"{2_000_000 + n}",
            permanent_code=f"ABCD{n:08d}",
            last_name=f"Nom{n}",
            first_name="Prénom",
        )
        for n in range(10_000)
    ]
    for student in students:
        student.refresh_search_fields()
    Student.objects.bulk_create(students)
    text = "\r\n".join(f"{typed_da(n)}\tNom{n}\tPrénom\tABCD{n:08d}" for n in range(10_000))

    with django_assert_max_num_queries(12):
        analysis = analyse("Numéro DA\tNom\tPrénom\tCode permanent\r\n" + text)

    assert analysis.recognised_count == 10_000
    assert analysis.rejected_count == 0
    assert len(set(analysis.student_ids)) == 10_000
    assert analysis.lines[1].student_label == "200-0000 Nom0, Prénom"


def test_more_than_max_lines_refused_without_a_query(django_assert_num_queries):
    text = "\n".join(f"{1_000_000 + n}" for n in range(MAX_LIST_LINES + 1))
    rows = rows_from_text(text + "\n\n\n")

    with django_assert_num_queries(0), pytest.raises(ValidationError) as caught:
        analyse_rows(rows)

    assert caught.value.messages == [
        "La liste compte 20\u202f001 lignes : 20\u202f000 au plus par liste."
    ]


def test_max_lines_is_accepted(django_assert_max_num_queries):
    rows = rows_from_text("\n".join(f"{1_000_000 + n}" for n in range(MAX_LIST_LINES)))

    with django_assert_max_num_queries(12):
        analysis = analyse_rows(rows)

    assert analysis.rejected_count == MAX_LIST_LINES


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------


def xlsx_file(rows: list[list], name: str = "liste.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("Autre")["A1"] = "7654321"  # only the first sheet is read
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_xlsx_file(lise, leo):
    uploaded = xlsx_file(
        [
            ["Numéro DA", "Nom", "Prénom", "Code permanent"],
            [1234567, "Leblanc", "Lise", None],
            [None, None, None, None],
            [7654321.0, "Lenoir", "Léo", "LENL 02039002"],
            [12345, "Leclerc", "Luc"],
        ]
    )

    rows = rows_from_file(uploaded)
    analysis = analyse_rows(rows)

    assert rows[1] == (2, "1234567 ; Leblanc ; Lise", ["1234567", "Leblanc", "Lise"])
    assert statuses(analysis) == [
        (1, LineStatus.HEADER),
        (2, LineStatus.RECOGNISED),
        (4, LineStatus.RECOGNISED),
        (5, LineStatus.REJECTED),
    ]
    assert analysis.student_ids == [lise.pk, leo.pk]
    assert analysis.lines[3].message == "« 12345 » n'est pas un numéro DA (7 chiffres attendus)."


def test_xlsx_extension_in_capitals(lise):
    assert analyse_rows(rows_from_file(xlsx_file([["123-4567"]], "LISTE.XLSX"))).student_ids == [
        lise.pk
    ]


def test_csv_in_utf8_with_bom_and_semicolons(lise, leo):
    content = "Numéro DA;Nom;Prénom\r\n123-4567;Leblanc;Lise\r\n;;\r\n7654321;Lenoir;Léo\r\n"
    uploaded = SimpleUploadedFile("liste.csv", content.encode("utf-8-sig"))

    rows = rows_from_file(uploaded)
    analysis = analyse_rows(rows)

    assert rows[0] == (1, "Numéro DA ; Nom ; Prénom", ["Numéro DA", "Nom", "Prénom"])
    assert statuses(analysis) == [
        (1, LineStatus.HEADER),
        (2, LineStatus.RECOGNISED),
        (4, LineStatus.RECOGNISED),
    ]
    assert analysis.student_ids == [lise.pk, leo.pk]


def test_csv_in_cp1252_with_accents(lise, leo):
    content = (
        'Nom,Prénom,DA\nLeblanc,Lise,1234567\n"Lenoir, fils",Léo,765-4321\nÉmond,Zoé,9999999\n'
    )
    uploaded = SimpleUploadedFile("liste.csv", content.encode("cp1252"))

    analysis = analyse_rows(rows_from_file(uploaded))

    assert analysis.lines[0].text == "Nom ; Prénom ; DA"
    assert analysis.lines[2].text == "Lenoir, fils ; Léo ; 765-4321"
    assert analysis.student_ids == [lise.pk, leo.pk]
    assert analysis.lines[3].text == "Émond ; Zoé ; 9999999"
    assert analysis.lines[3].message == "Numéro DA 999-9999 inconnu."


def test_csv_with_tabs_in_one_column(lise):
    uploaded = SimpleUploadedFile("liste.csv", b"DA\tNom\n1234567\tLeblanc\n")

    assert analyse_rows(rows_from_file(uploaded)).student_ids == [lise.pk]


def test_csv_of_garbage_gives_rejected_lines(lise):
    rng = random.Random(7)
    garbage = bytes(rng.randrange(256) for _ in range(20_000))
    uploaded = SimpleUploadedFile("liste.csv", b"1234567\n" + garbage)

    analysis = analyse_rows(rows_from_file(uploaded))

    assert analysis.student_ids == [lise.pk]
    assert {line.status for line in analysis.lines[1:]} <= {LineStatus.REJECTED}


def test_other_extension_is_refused():
    uploaded = SimpleUploadedFile("liste.txt", b"1234567\n")

    with pytest.raises(ValidationError) as caught:
        rows_from_file(uploaded)

    assert caught.value.messages == [
        "Le fichier doit être un classeur Excel (.xlsx) ou OpenDocument (.ods), ou un fichier "
        "CSV (.csv)."
    ]


@pytest.mark.parametrize("content", [b"1234567\n7654321\n", b"PK\x03\x04 not really a zip", b""])
def test_fake_xlsx_is_refused(content):
    uploaded = SimpleUploadedFile("x.xlsx", content)

    with pytest.raises(ValidationError) as caught:
        rows_from_file(uploaded)

    assert caught.value.messages == [
        "Le fichier « x.xlsx » n'est pas un tableur lisible : enregistrez-le au format Excel "
        "(.xlsx) ou OpenDocument (.ods)."
    ]


def test_an_ods_list_is_read_like_an_xlsx():
    content = ods_bytes([["DA", "Nom"], [1234567, "Leblanc"], [], ["7654321"]], sheet_name="L")
    rows = rows_from_file(SimpleUploadedFile("liste.ods", content))
    assert rows == [
        (1, "DA ; Nom", ["DA", "Nom"]),
        (2, "1234567 ; Leblanc", ["1234567", "Leblanc"]),
        (4, "7654321", ["7654321"]),
    ]


def test_too_large_file_is_refused():
    uploaded = SimpleUploadedFile("gros.csv", b"1234567\n" * (MAX_FILE_BYTES // 8 + 1))

    with pytest.raises(ValidationError) as caught:
        rows_from_file(uploaded)

    assert caught.value.messages == ["Le fichier « gros.csv » pèse 5,1 Mo : 5 Mo au plus."]


def test_file_with_too_many_rows_is_refused():
    content = "\n".join(f"{1_000_000 + n}" for n in range(MAX_LIST_LINES + 1))
    uploaded = SimpleUploadedFile("liste.csv", content.encode())

    with pytest.raises(ValidationError) as caught:
        rows_from_file(uploaded)

    assert caught.value.messages == [
        "Le fichier compte plus de 20\u202f000 lignes : 20\u202f000 au plus par liste."
    ]


# -- hostile files and forged digits ----------------------------------------------------


@pytest.mark.parametrize("name", sorted(hostile.HOSTILE))
def test_a_hostile_file_is_refused_by_the_batch_list(name):
    """The batch list reads files through registrar.tabular and its limits; a filled
    row repeated a billion times meets the list's own limit instead."""
    build = hostile.HOSTILE[name]
    extension = ".ods" if name.startswith("ods") else ".xlsx"
    with pytest.raises(ValidationError) as caught:
        rows_from_file(SimpleUploadedFile(f"liste{extension}", build()))
    message = caught.value.messages[0]
    assert message.startswith(f"Le fichier « liste{extension} » ") or message == (
        "Le fichier compte plus de 20\u202f000 lignes : 20\u202f000 au plus par liste."
    )


def test_an_xlsx_of_too_many_lines_meets_the_lists_own_limit():
    workbook = Workbook()
    for number in range(MAX_LIST_LINES + 1):
        workbook.active.append([1_000_000 + number])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ValidationError) as caught:
        rows_from_file(SimpleUploadedFile("liste.xlsx", buffer.getvalue()))
    assert caught.value.messages == [
        "Le fichier compte plus de 20\u202f000 lignes : 20\u202f000 au plus par liste."
    ]


def test_digits_that_are_not_ascii_are_refused_at_their_line(lise):
    # « ² » is a digit to str.isdigit(), « ١٢٣٤٥٦٧ » to int(): no line names a student by them.
    analysis = analyse_rows(rows_from_text("١٢٣٤٥٦٧\n²³⁴⁵⁶⁷⁸\n１２３４５６７\n123-4567"))
    assert analysis.student_ids == [lise.pk]
    assert [line.status for line in analysis.lines] == [LineStatus.REJECTED] * 3 + [
        LineStatus.RECOGNISED
    ]
