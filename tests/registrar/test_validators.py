"""Identifiers of a student's file: good and bad values, with the French message given."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from registrar import validators


@pytest.mark.parametrize(
    ("code", "birth", "sex"),
    [
        ("LEBL15539001", datetime.date(1990, 3, 15), "F"),  # month 53 = March, woman
        ("LEBL15039001", datetime.date(1990, 3, 15), "M"),
        ("TREM31128501", datetime.date(1985, 12, 31), "M"),
        ("GAGN01620501", datetime.date(2005, 12, 1), "F"),
        ("leb l15539001", datetime.date(1990, 3, 15), "F"),  # spaces, lower case
    ],
)
def test_permanent_code_good_values(code, birth, sex):
    assert validators.permanent_code_birth(code) == (birth, sex)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("LEBL12345678", "mois de naissance impossible (34)"),
        ("LEBL15139001", "mois de naissance impossible (13)"),
        ("LEBL15639001", "mois de naissance impossible (63)"),
        ("LEBL00039001", "jour de naissance impossible (00)"),
        ("LEBL32039001", "jour de naissance impossible (32)"),
        ("LEBL31049001", "date de naissance impossible"),  # 31 April
        ("LEB15539001", "4 lettres suivies de 8 chiffres"),
        ("LEBL1553900", "4 lettres suivies de 8 chiffres"),
        ("1EBL15539001", "4 lettres suivies de 8 chiffres"),
        ("", "4 lettres suivies de 8 chiffres"),
    ],
)
def test_permanent_code_bad_values(code, message):
    with pytest.raises(ValidationError) as excinfo:
        validators.validate_permanent_code(code)
    assert message in " ".join(excinfo.value.messages)


def test_permanent_code_must_agree_with_birth_date_and_sex():
    validators.check_permanent_code_consistency("LEBL15539001", datetime.date(1990, 3, 15), "F")
    with pytest.raises(ValidationError) as excinfo:
        validators.check_permanent_code_consistency("LEBL15539001", datetime.date(1990, 3, 16), "M")
    text = " ".join(excinfo.value.messages)
    assert "ne correspond pas à la date de naissance (16/03/1990)" in text
    assert "indique le sexe féminin, le dossier indique masculin" in text


def test_build_permanent_code_round_trips():
    code = validators.build_permanent_code("Lenoir", "Léo", datetime.date(1988, 7, 4), "M", 3)
    assert code == "LENL04078803"
    assert validators.permanent_code_birth(code) == (datetime.date(1988, 7, 4), "M")
    code = validators.build_permanent_code("Ô", "Élise", datetime.date(2001, 2, 9), "F", 12)
    assert code == "OXXE09520112"


@pytest.mark.parametrize("ine", ["123456789AB", "12345ABCDEF", "2017A12345B", "0123456789Z"])
def test_ine_good_values(ine):
    validators.validate_ine(ine)


@pytest.mark.parametrize("ine", ["123456789A", "123456789ABC", "1234567890", "12345678-9A", ""])
def test_ine_bad_values(ine):
    with pytest.raises(ValidationError) as excinfo:
        validators.validate_ine(ine)
    assert "L'INE doit comporter 11 caractères" in excinfo.value.messages[0]


def test_da_number_follows_the_mask():
    validators.validate_da_number("1234567")
    for bad in ("12345678", "123456", "123-4567", "12345a7", ""):
        with pytest.raises(ValidationError) as excinfo:
            validators.validate_da_number(bad)
        assert excinfo.value.messages == [
            "Le numéro DA doit comporter exactement 7 chiffres (ex. 111-4444)."
        ]


@override_settings(STUDENT_NUMBER_MASK="#########")
def test_da_number_length_comes_from_the_setting():
    validators.validate_da_number("202312345")
    with pytest.raises(ValidationError):
        validators.validate_da_number("1234567")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A-2017", ("A", 2017)),
        ("H-2018", ("H", 2018)),
        ("E-2018", ("E", 2018)),
        ("a2017", ("A", 2017)),
        (" h-18 ", ("H", 2018)),
        ("A-17", ("A", 2017)),
    ],
)
def test_term_code_good_values(text, expected):
    assert validators.parse_term_code(text) == expected


@pytest.mark.parametrize("text", ["Z-2017", "A-201", "2017-A", "Automne 2017", "", "A-20177"])
def test_term_code_bad_values(text):
    with pytest.raises(ValidationError) as excinfo:
        validators.parse_term_code(text)
    assert "n'est pas un code de session valide" in excinfo.value.messages[0]


def test_term_code_year_range():
    with pytest.raises(ValidationError) as excinfo:
        validators.parse_term_code("A-1900")
    assert excinfo.value.messages == [
        "L'année de la session doit être comprise entre 1960 et 2100."
    ]


@pytest.mark.parametrize(("value", "ok"), [("3-1-3", True), ("2-2-3", True), ("3-1", False)])
def test_weighting(value, ok):
    if ok:
        validators.validate_weighting(value)
    else:
        with pytest.raises(ValidationError):
            validators.validate_weighting(value)


def test_digits_keeps_ascii_digits_only():
    from registrar.text import digits

    assert digits("(514) 555-0101") == "5145550101"
    assert digits("١٢3²４") == "3"
