"""Validators for the identifiers of a student's file, with their French messages.

Messages are module constants so that tests (and other apps) can match them.
"""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PERMANENT_CODE_FORMAT = _(
    "Le code permanent doit comporter 4 lettres suivies de 8 chiffres (ex. LEBL15539001)."
)
PERMANENT_CODE_DAY = _("Le code permanent indique un jour de naissance impossible (%(day)s).")
PERMANENT_CODE_MONTH = _(
    "Le code permanent indique un mois de naissance impossible (%(month)s) : "
    "01 à 12, ou 51 à 62 pour une femme."
)
PERMANENT_CODE_DATE = _("Le code permanent indique une date de naissance impossible.")
PERMANENT_CODE_BIRTH_DATE = _(
    "Le code permanent (%(code_date)s) ne correspond pas à la date de naissance (%(birth_date)s)."
)
PERMANENT_CODE_SEX = _(
    "Le code permanent indique le sexe %(code_sex)s, le dossier indique %(sex)s."
)
INE_FORMAT = _(
    "L'INE doit comporter 11 caractères : 9 chiffres et 2 lettres, 10 chiffres ou lettres "
    "et 1 lettre, ou 4 chiffres, la lettre A, 5 chiffres et 1 lettre."
)
DA_FORMAT = _("Le numéro DA doit comporter exactement %(count)s chiffres (ex. %(example)s).")
TERM_CODE_FORMAT = _(
    "« %(value)s » n'est pas un code de session valide : une lettre (H pour hiver, E pour été, "
    "A pour automne), un tiret et l'année, par exemple A-2017."
)
TERM_YEAR_RANGE = _("L'année de la session doit être comprise entre 1960 et 2100.")
WEIGHTING_FORMAT = _("La pondération s'écrit théorie-laboratoire-travail personnel, ex. 3-1-3.")
GROUP_NUMBER_FORMAT = _("Le numéro de groupe ne contient que des chiffres (ex. 00992).")

# [0-9], never \d: in a str pattern \d matches every Unicode digit (« ١٢ », « １２ »), which
# would be saved as such in an identifier and read by int() as another number.
_PERMANENT_CODE = re.compile(r"^[A-Z]{4}[0-9]{8}$")
_INE_FORMATS = (
    re.compile(r"^[0-9]{9}[A-Z]{2}$"),
    re.compile(r"^[0-9A-Z]{10}[A-Z]$"),
    re.compile(r"^[0-9]{4}A[0-9]{5}[A-Z]$"),
)
_TERM_CODE = re.compile(r"^([HEA])-?([0-9]{4}|[0-9]{2})$")
_WEIGHTING = re.compile(r"^[0-9]{1,2}-[0-9]{1,2}-[0-9]{1,2}$")
_ASCII_DIGITS = re.compile(r"[0-9]+")

SEASONS = {"H": 1, "E": 2, "A": 3}


def normalize_permanent_code(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def permanent_code_birth(value: str) -> tuple[datetime.date | None, str]:
    """Return the birth date (century unresolved: nearest past date) and sex the code encodes.

    Raises ValidationError when the format, day, month or date is impossible.
    """
    code = normalize_permanent_code(value)
    if not _PERMANENT_CODE.match(code):
        raise ValidationError(PERMANENT_CODE_FORMAT, code="permanent_code_format")
    day, month, year = int(code[4:6]), int(code[6:8]), int(code[8:10])
    sex = "M"
    if 51 <= month <= 62:
        month -= 50
        sex = "F"
    elif not 1 <= month <= 12:
        raise ValidationError(
            PERMANENT_CODE_MONTH, code="permanent_code_month", params={"month": code[6:8]}
        )
    if not 1 <= day <= 31:
        raise ValidationError(
            PERMANENT_CODE_DAY, code="permanent_code_day", params={"day": code[4:6]}
        )
    this_year = datetime.date.today().year
    century = 2000 if 2000 + year <= this_year else 1900
    try:
        birth = datetime.date(century + year, month, day)
    except ValueError:
        # 29 February of a year that is not a leap year in this century may be in the other.
        try:
            birth = datetime.date(century - 100 + year, month, day)
        except ValueError:
            raise ValidationError(PERMANENT_CODE_DATE, code="permanent_code_date") from None
    return birth, sex


def validate_permanent_code(value: str) -> None:
    permanent_code_birth(value)


def check_permanent_code_consistency(code: str, birth_date: datetime.date | None, sex: str) -> None:
    """Check that the code's birth day, month, 2-digit year and sex agree with the file."""
    encoded_birth, encoded_sex = permanent_code_birth(code)
    errors = []
    if (
        birth_date
        and encoded_birth
        and (
            (encoded_birth.day, encoded_birth.month, encoded_birth.year % 100)
            != (birth_date.day, birth_date.month, birth_date.year % 100)
        )
    ):
        errors.append(
            ValidationError(
                PERMANENT_CODE_BIRTH_DATE,
                code="permanent_code_birth_date",
                params={
                    "code_date": encoded_birth.strftime("%d/%m/%y"),
                    "birth_date": birth_date.strftime("%d/%m/%Y"),
                },
            )
        )
    if sex in ("F", "M") and sex != encoded_sex:
        labels = {"F": _("féminin"), "M": _("masculin")}
        errors.append(
            ValidationError(
                PERMANENT_CODE_SEX,
                code="permanent_code_sex",
                params={"code_sex": labels[encoded_sex], "sex": labels[sex]},
            )
        )
    if errors:
        raise ValidationError(errors)


def validate_ine(value: str) -> None:
    if not any(pattern.match(value or "") for pattern in _INE_FORMATS):
        raise ValidationError(INE_FORMAT, code="ine_format")


def da_digit_count() -> int:
    return settings.STUDENT_NUMBER_MASK.count("#")


def validate_da_number(value: str) -> None:
    count = da_digit_count()
    # ASCII digits: str.isdigit() also accepts « ² » and « ١٢ ».
    if not _ASCII_DIGITS.fullmatch(value or "") or len(value) != count:
        example = settings.STUDENT_NUMBER_MASK.replace("#", "1", 3).replace("#", "4")
        raise ValidationError(
            DA_FORMAT, code="da_format", params={"count": count, "example": example}
        )


def parse_term_code(value: str) -> tuple[str, int]:
    """« A-2017 », « a2017 », « A-17 » -> ("A", 2017). Raises ValidationError otherwise."""
    text = re.sub(r"\s+", "", value or "").upper()
    match = _TERM_CODE.match(text)
    if not match:
        raise ValidationError(TERM_CODE_FORMAT, code="term_code_format", params={"value": value})
    season, year_text = match.groups()
    year = int(year_text)
    if len(year_text) == 2:
        year += 2000 if year <= datetime.date.today().year % 100 + 10 else 1900
    if not 1960 <= year <= 2100:
        raise ValidationError(TERM_YEAR_RANGE, code="term_year_range")
    return season, year


def validate_term_code(value: str) -> None:
    parse_term_code(value)


def validate_weighting(value: str) -> None:
    if value and not _WEIGHTING.match(value):
        raise ValidationError(WEIGHTING_FORMAT, code="weighting_format")


def validate_group_number(value: str) -> None:
    if not _ASCII_DIGITS.fullmatch(value or ""):
        raise ValidationError(GROUP_NUMBER_FORMAT, code="group_number_format")


def build_permanent_code(
    last_name: str, first_name: str, birth_date: datetime.date, sex: str, suffix: int
) -> str:
    """Compose a code permanent the ministry's way: 3 letters of the last name, 1 of the
    first name, birth day, month (+50 for a woman), 2-digit year, then 2 ministry digits."""
    from registrar.text import fold

    def letters(text: str) -> str:
        return "".join(ch for ch in fold(text).upper() if "A" <= ch <= "Z")

    prefix = (letters(last_name)[:3] + "XXX")[:3] + (letters(first_name)[:1] or "X")
    month = birth_date.month + (50 if sex == "F" else 0)
    return f"{prefix}{birth_date.day:02d}{month:02d}{birth_date.year % 100:02d}{suffix % 100:02d}"
