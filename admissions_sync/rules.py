"""The field rules of the online pre-registration (docs/guide/preinscription.md): pure
functions that return the cleaned value or raise ValidationError with a French message.
The applicant's forms and the desk's corrections both call them (docs/architecture.md,
« rules »). They read nothing but the commune reference (``french_address``)."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrar.geography import CommuneLookup, fold_place_name
from registrar.models import Commune

# --------------------------------------------------------------------------------------
# Free text
# --------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A spreadsheet would read text starting with one of these as a formula (« =HYPERLINK(…) »);
# a name, an address or a city never starts so.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

TEXT_TOO_LONG = _("%(max)s caractères au plus (vous en avez saisi %(length)s).")
TEXT_CONTROL = _("Ce texte contient des caractères invisibles non autorisés.")
TEXT_FORMULA = _(
    "Ce texte ne peut pas commencer par « = », « + », « - » ou « @ » : saisissez-le sans ce signe."
)


def plain_text(value: str, *, max_length: int) -> str:
    """``value`` stripped; refused when longer than ``max_length``, with control characters,
    or starting like a spreadsheet formula."""
    text = (value or "").strip()
    if len(text) > max_length:
        raise ValidationError(TEXT_TOO_LONG, params={"max": max_length, "length": len(text)})
    if _CONTROL.search(text):
        raise ValidationError(TEXT_CONTROL)
    if text.startswith(_FORMULA_START):
        raise ValidationError(TEXT_FORMULA)
    return text


# --------------------------------------------------------------------------------------
# Phones
# --------------------------------------------------------------------------------------

PHONE_INVALID = _(
    "Numéro de téléphone non reconnu : saisissez un numéro français à 10 chiffres "
    "(06 12 34 56 78, ou +33 6 12 34 56 78) ou un numéro international commençant par « + » "
    "(+32 470 12 34 56)."
)
_PHONE_SEPARATORS = re.compile(r"[ .\-()/]")
_FRENCH_PHONE = re.compile(r"0[1-9][0-9]{8}")
_FRENCH_INTERNATIONAL = re.compile(r"\+330?([1-9][0-9]{8})")
_INTERNATIONAL = re.compile(r"\+[1-9][0-9]{6,14}")


def phone(value: str) -> str:
    """A phone number normalised: French numbers as « +33612345678 » (from « 06 12 34 56
    78 », « 06.12.34.56.78 », « +33 6 12… », « 0033 6 12… »), others as « +<digits> »
    (7 to 15 digits, ITU E.164). ASCII digits only."""
    text = _PHONE_SEPARATORS.sub("", (value or "").strip())
    if len(text) > 20 or not text.isascii():
        raise ValidationError(PHONE_INVALID)
    if text.startswith("00"):
        text = "+" + text[2:]
    if _FRENCH_PHONE.fullmatch(text):
        return "+33" + text[1:]
    french = _FRENCH_INTERNATIONAL.fullmatch(text)
    if french:
        return "+33" + french.group(1)
    if text.startswith("+33"):
        raise ValidationError(PHONE_INVALID)
    if _INTERNATIONAL.fullmatch(text):
        return text
    raise ValidationError(PHONE_INVALID)


def phone_display(value: str) -> str:
    """« +33612345678 » → « 06 12 34 56 78 »; other numbers as stored."""
    if value and value.startswith("+33") and len(value) == 12:
        national = "0" + value[3:]
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    return value or ""


# --------------------------------------------------------------------------------------
# French address: postal code and commune
# --------------------------------------------------------------------------------------

POSTAL_CODE_FORMAT = _("Le code postal français a 5 chiffres (ex. 75015, 2A : 20000).")
POSTAL_CODE_UNKNOWN = _("Le code postal « %(value)s » n'existe pas.")
CITY_REQUIRED = _("Indiquez la commune.")
CITY_NOT_SERVED = _(
    "La commune « %(city)s » n'est pas desservie par le code postal « %(code)s ». Communes "
    "de ce code postal : %(names)s."
)
_POSTAL_CODE = re.compile(r"[0-9]{5}")


def french_address(
    postal_code: str, city: str, *, lookup: CommuneLookup | None = None
) -> tuple[str, str]:
    """(postal code, the commune's official name) when ``postal_code`` serves the commune
    ``city`` names in the commune reference (accents, case, « St »/« Saint » and hyphens
    ignored; a delegated commune keeps its own name). Raises ValidationError({"postal_code"
    or "city": message}) saying what is wrong."""
    lookup = lookup or CommuneLookup()
    code = (postal_code or "").replace(" ", "")
    if not _POSTAL_CODE.fullmatch(code):
        raise ValidationError({"postal_code": ValidationError(POSTAL_CODE_FORMAT)})
    served = lookup.serving(code)
    if not served:
        raise ValidationError(
            {"postal_code": ValidationError(POSTAL_CODE_UNKNOWN, params={"value": code})}
        )
    city = (city or "").strip()
    if not city:
        raise ValidationError({"city": ValidationError(CITY_REQUIRED, code="required")})
    wanted = fold_place_name(city)
    for commune in served:
        if wanted in (commune.folded_name, fold_place_name(commune.parent_name)):
            # An address in Paris, Lyon or Marseille names the city, not its district.
            if commune.kind == Commune.Kind.DISTRICT and commune.parent_name:
                return code, commune.parent_name
            return code, commune.name
    merged = lookup.merged_into((commune.insee_code for commune in served), wanted)
    if merged is not None:
        return code, merged.name
    names = ", ".join(
        dict.fromkeys(
            c.parent_name if c.kind == Commune.Kind.DISTRICT and c.parent_name else c.name
            for c in served[:10]
        )
    ) + (", …" if len(served) > 10 else "")
    raise ValidationError(
        {
            "city": ValidationError(
                CITY_NOT_SERVED, params={"city": city[:80], "code": code, "names": names}
            )
        }
    )


# --------------------------------------------------------------------------------------
# INE, bac year
# --------------------------------------------------------------------------------------

INE_INVALID = _(
    "L'INE a 11 caractères : 9 chiffres et 2 lettres, 10 chiffres ou lettres et 1 lettre, "
    "ou 4 chiffres, A, 5 chiffres et 1 lettre (il figure sur le relevé de notes du bac)."
)
# The shapes admissions_sync/imports.py accepts in Parcoursup's file (INE-RNIE, INE-BEA,
# INE-Base 100).
_INE = re.compile(r"[0-9]{9}[A-Z]{2}|[0-9A-Z]{10}[A-Z]|[0-9]{4}A[0-9]{5}[A-Z]")


def ine(value: str) -> str:
    """The INE in capitals without spaces, if it has one of the national shapes."""
    text = (value or "").replace(" ", "").upper()
    if not text.isascii() or not _INE.fullmatch(text):
        raise ValidationError(INE_INVALID)
    return text


FIRST_BAC_YEAR = 1950
YEAR_INVALID = _("Indiquez l'année en 4 chiffres, entre %(first)s et %(last)s.")


def bac_year(value: str, *, today: datetime.date | None = None) -> str:
    """The year of the bac, « 1950 » to this year, in ASCII digits."""
    text = (value or "").strip()
    last = (today or timezone.localdate()).year
    if not re.fullmatch(r"[0-9]{4}", text) or not FIRST_BAC_YEAR <= int(text) <= last:
        raise ValidationError(YEAR_INVALID, params={"first": FIRST_BAC_YEAR, "last": last})
    return text


# --------------------------------------------------------------------------------------
# Social security number (NIR)
# --------------------------------------------------------------------------------------

NIR_FORMAT = _(
    "Le numéro de sécurité sociale a 15 caractères : 13 pour le numéro (1 ou 2 pour le "
    "sexe, année, mois, département, commune, rang) puis la clé de 2 chiffres."
)
NIR_KEY = _(
    "La clé « %(key)s » ne correspond pas à ce numéro : vérifiez le numéro et les deux "
    "derniers chiffres sur votre carte Vitale ou votre attestation de droits."
)
# sex (1, 2; 3, 4, 7, 8 for a provisional number), year, month (01-12, 20-42 or 50-99 for
# an unknown month), department (2 digits or 2A/2B), commune or country, rank, key.
_NIR = re.compile(r"([1-478])([0-9]{2})([0-9]{2})([0-9]{2}|2[AB])([0-9]{3})([0-9]{3})([0-9]{2})")


def nir_key(number: str) -> int:
    """The key of a 13-character NIR: 97 − (number mod 97), Corsica's 2A and 2B read as 19
    and 18."""
    numeric = number.replace("2A", "19", 1) if number[5:7] == "2A" else number
    numeric = numeric.replace("2B", "18", 1) if number[5:7] == "2B" else numeric
    return 97 - int(numeric) % 97


def nir(value: str) -> str:
    """The 15-character NIR (spaces removed, capitals) if its shape and key are right."""
    text = (value or "").replace(" ", "").upper()
    if len(text) > 40 or not text.isascii():
        raise ValidationError(NIR_FORMAT)
    match = _NIR.fullmatch(text)
    if not match:
        raise ValidationError(NIR_FORMAT)
    if nir_key(text[:13]) != int(match.group(7)):
        raise ValidationError(NIR_KEY, params={"key": match.group(7)})
    return text


def nir_display(value: str) -> str:
    """« 1 04 05 75 115 012 34 »."""
    if len(value or "") != 15:
        return value or ""
    parts = (value[0], value[1:3], value[3:5], value[5:7], value[7:10], value[10:13], value[13:])
    return " ".join(parts)


# --------------------------------------------------------------------------------------
# CVEC
# --------------------------------------------------------------------------------------

CVEC_INVALID = _(
    "Le numéro d'attestation CVEC a 12 lettres ou chiffres (ex. PAR1 2345 6789) : il figure "
    "sur l'attestation téléchargée sur cvec.etudiant.gouv.fr."
)
_CVEC = re.compile(r"[A-Z0-9]{12}")


def cvec(value: str) -> str:
    """The CVEC attestation number: 12 letters or digits once spaces are removed, in
    capitals (« par1 2345 6789 » → « PAR123456789 »)."""
    text = (value or "").replace(" ", "").upper()
    if not text.isascii() or not _CVEC.fullmatch(text):
        raise ValidationError(CVEC_INVALID)
    return text


def cvec_display(value: str) -> str:
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4)) if value else ""
