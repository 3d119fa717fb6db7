"""Parcoursup's admissions export → validated applicant lines (an « imports » module of
docs/architecture.md: file → validated rows, no writes), through the shared tabular reader
(registrar/tabular). docs/guide/parcoursup.md lists the columns and the rules.

Every line is validated; every error is kept (« Ligne N : message », all of them) and a file
with one error imports nothing. Each kept line becomes one *canonical line*: the applicant's
fields in ``FIELDS`` order, as text, tab-separated, in PostgreSQL's COPY text format. It is
what the import compares (its digest), writes (COPY, or split for SQLite) and shows (split
again): a 100,000-line file is held as 100,000 strings, not 2.5 million values
(docs/performance.md, « Import Parcoursup »).
"""

import datetime
import hashlib
import operator
import re
import zoneinfo
from dataclasses import dataclass, field
from itertools import compress, islice, zip_longest

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from admissions_sync.models import PARCOURSUP_TIME_ZONE, Applicant
from registrar.tabular import fold, line_error, read_rows
from registrar.text import fold as fold_text

# The applicant's fields a line fills, in the canonical line's order.
FIELDS = (
    "candidate_number",
    "ine",
    "civility",
    "last_name",
    "first_name",
    "birth_date",
    "birth_city",
    "birth_country",
    "nationality",
    "address1",
    "address2",
    "address3",
    "postal_code",
    "city",
    "country",
    "phone",
    "mobile",
    "email",
    "bac_series",
    "bac_mention",
    "gap_year",
    "boarding",
    "response",
    "response_at",
    # Derived from the names, for the search (``search_key``); never shown as a change.
    "search_last_name",
    "search_first_name",
)
INDEX = {name: i for i, name in enumerate(FIELDS)}
SHOWN_FIELDS = FIELDS[:-2]
NULL = "\\N"  # COPY's NULL: only « Date réponse » may be absent

# Accepted header spellings (compared without case, accents or spaces: registrar.tabular.fold).
# The standard export's name first: messages use it.
ALIASES = {
    "candidate_number": ("Numéro", "Numéro candidat"),
    "ine": ("Numéro INE", "INE"),
    "civility": ("Civilité", "Etat civil"),
    "last_name": ("Nom",),
    "first_name": ("Prénom",),
    "birth_date": ("Date de naissance",),
    "birth_city": ("Ville de naissance",),
    "birth_country": ("Pays de naissance",),
    "nationality": ("Nationalité",),
    "address1": ("Adresse 1",),
    "address2": ("Adresse 2",),
    "address3": ("Adresse 3",),
    "postal_code": ("Code postal",),
    "city": ("Commune",),
    "country": ("Pays",),
    "phone": ("Téléphone", "Téléphone fixe"),
    "mobile": ("Téléphone mobile",),
    "email": ("e-mail du candidat", "Adresse mail"),
    "bac_series": ("Série diplôme",),
    "bac_mention": ("Mention diplôme",),
    "gap_year": ("Année de césure",),
    "boarding": ("Internat", "Internat obtenu"),
    "response_at": ("Date réponse",),
    # Not stored as such: they decide who is kept.
    "decision": ("Avis", "Réponse", "Situation"),
    "bac": ("Bac obtenu", "Résultat bac"),
}
REQUIRED = ("candidate_number", "civility", "last_name", "first_name", "birth_date")
_FOLDED = {fold(spelling): name for name, spellings in ALIASES.items() for spelling in spellings}

MAX_LINES = 200_000
MAX_BYTES = 60 * 1024 * 1024
MAX_COLUMNS = 60

# Messages (module constants: tests match them).
EMPTY_FILE = _("Le fichier est vide : exportez de nouveau les admissions depuis Parcoursup.")
NO_HEADER = _(
    "La première ligne du fichier n'est pas une ligne d'en-tête : elle doit nommer les "
    "colonnes de l'export Parcoursup (Numéro, Civilité, Nom, Prénom, Date de naissance…)."
)
MISSING_COLUMNS = _("Colonnes obligatoires absentes de l'en-tête : %(columns)s.")
UNKNOWN_COLUMNS = _(
    "Colonnes inconnues dans l'en-tête : %(columns)s. Les colonnes reconnues sont celles de "
    "l'export Parcoursup (docs/guide/parcoursup.md)."
)
DUPLICATE_COLUMN = _("La colonne %(column)s figure deux fois dans l'en-tête.")
NO_LINE = _("Le fichier ne contient que son en-tête : aucun candidat.")
TOO_MANY_LINES = _(
    "Le fichier compte plus de %(max)s lignes : ce n'est pas un export d'une formation."
)
NUL_BYTES = _(
    "Le fichier contient des octets nuls : ce n'est pas un export CSV de Parcoursup (un "
    "fichier binaire, ou un texte en UTF-16 sans marque d'ordre)."
)
NOT_TEXT = _(
    "caractères illisibles : le fichier n'est ni en UTF-8 ni en Windows-1252. Exportez-le "
    "de nouveau depuis Parcoursup."
)
NUMBER_MISSING = _("le numéro Parcoursup manque.")
NUMBER_INVALID = _("numéro Parcoursup « %(value)s » : des chiffres sont attendus (12 au plus).")
NUMBER_TWICE = _("le numéro Parcoursup %(number)s figure aussi ligne %(other)s.")
INE_INVALID = _(
    "INE « %(value)s » : 11 caractères sont attendus (9 chiffres et 2 lettres, 10 chiffres "
    "ou lettres et 1 lettre, ou 4 chiffres, A, 5 chiffres et 1 lettre)."
)
CIVILITY_INVALID = _("civilité « %(value)s » inconnue : « M. » ou « Mme » est attendu.")
REQUIRED_MISSING = _("%(column)s manque.")
NAME_INVALID = _(
    "%(column)s « %(value)s » : seules des lettres, espaces, apostrophes et tirets sont acceptés."
)
DATE_INVALID = _("%(column)s « %(value)s » : une date JJ/MM/AAAA est attendue.")
BIRTH_IMPLAUSIBLE = _("date de naissance « %(value)s » invraisemblable.")
DATETIME_INVALID = _("%(column)s « %(value)s » : une date JJ/MM/AAAA HH:MM est attendue.")
TOO_LONG = _("%(column)s : %(length)s caractères, %(max)s au plus.")
CONTROL_CHARACTER = _("%(column)s contient un caractère de contrôle (tabulation, saut de ligne…).")
FORMULA = _("%(column)s « %(value)s » ressemble à une formule de tableur (commence par = ou @).")
EMAIL_INVALID = _("adresse e-mail « %(value)s » invalide.")
PHONE_INVALID = _("%(column)s « %(value)s » : des chiffres, espaces, +, ., - et () sont attendus.")
POSTAL_CODE_INVALID = _("code postal « %(value)s » : des chiffres ou des lettres sont attendus.")
YES_NO_INVALID = _("%(column)s « %(value)s » : « Oui » ou « Non » est attendu.")
DECISION_INVALID = _(
    "avis « %(value)s » inconnu : « Oui », « Oui si » ou « Oui en attente » est attendu."
)
BAC_INVALID = _("résultat du bac « %(value)s » inconnu : « Oui » (obtenu) ou « Non » est attendu.")

# Why a valid line is not kept (the guide: « Il n'inclut pas les avis "Oui en attente" et
# les non bacheliers »): the key stored in ParcoursupImport.excluded, and its label.
WAITING = "waiting"
NO_BAC = "no_bac"
EXCLUSION_LABELS = {WAITING: _("Avis « Oui en attente »"), NO_BAC: _("Non bachelier")}

_PARIS = zoneinfo.ZoneInfo(PARCOURSUP_TIME_ZONE)
_CIVILITIES = {
    "m.": Applicant.Civility.MR.value,
    "m": Applicant.Civility.MR.value,
    "monsieur": Applicant.Civility.MR.value,
    "mme": Applicant.Civility.MRS.value,
    "mme.": Applicant.Civility.MRS.value,
    "madame": Applicant.Civility.MRS.value,
}
_YES = {"oui", "o", "1", "x", "vrai", "true", "yes"}
_NO = {"non", "n", "0", "faux", "false", "no", ""}
_DECISIONS = {
    "oui": Applicant.Response.YES.value,
    "ouisi": Applicant.Response.YES_IF.value,
    "oui-si": Applicant.Response.YES_IF.value,
    "ouienattente": WAITING,
    "oui-enattente": WAITING,
}
_BAC_YES = {"oui", "o", "1", "obtenu", "admis", "admise", "bachelier", "bacheliere"}
_BAC_NO = {
    "non",
    "n",
    "0",
    "nonobtenu",
    "ajourne",
    "ajournee",
    "refuse",
    "refusee",
    "echec",
    "nonbachelier",
}

_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_DATETIME = re.compile(
    r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?:[ T]+([0-9]{1,2})[:h]([0-9]{2})(?::([0-9]{2}))?)?"
)
_NAME = re.compile(r"[^\W\d_](?:[^\W\d_]|[ '’.-])*")
_EMAIL = re.compile(r"|[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"[0-9+ ().-]*")
_POSTAL = re.compile(r"[0-9A-Za-z -]*")
# Control characters, and the invisible ones that reorder text (bidirectional overrides).
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_INE_OR_BLANK = re.compile(r"|[0-9]{9}[A-Z]{2}|[0-9A-Z]{10}[A-Z]|[0-9]{4}A[0-9]{5}[A-Z]")
_FORMULA_START = re.compile(r"[=@]")
# The same shapes checked on a whole column at once (its values joined by line breaks: one
# call in C for 4,096 lines; a value with a line break is refused anyway, see _CONTROL).
_INE_LINES = re.compile(r"(?:(?:[0-9]{9}[A-Z]{2}|[0-9A-Z]{10}[A-Z]|[0-9]{4}A[0-9]{5}[A-Z])?\n)*")
_PHONE_LINES = re.compile(r"[0-9+ ().\n-]*")
_POSTAL_LINES = re.compile(r"[0-9A-Za-z \n-]*")
_EMAIL_LINES = re.compile(r"(?:(?:[^@\s]+@[^@\s]+\.[^@\s.]+)?\n)*")

# The text fields of a line and their length limits (the model's), in FIELDS order.
_TEXT = tuple(
    (name, Applicant._meta.get_field(name).max_length)
    for name in (
        "birth_city",
        "birth_country",
        "nationality",
        "address1",
        "address2",
        "address3",
        "city",
        "country",
        "bac_series",
        "bac_mention",
    )
)
_NAME_MAX = Applicant._meta.get_field("last_name").max_length


def field_label(name: str) -> str:
    """A field of FIELDS as staff read it: the model's label (« Téléphone mobile »), for the
    applicant's page and the before → after of a change."""
    try:
        return str(Applicant._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def column_label(name: str) -> str:
    """« Nom » : a field's column as the standard export names it, quoted."""
    return f"« {ALIASES[name][0]} »"


@dataclass
class ParsedFile:
    """What a file holds once read: its kept applicants (number → (line number, canonical
    line)), its excluded lines, its errors, and the counts of the run's report."""

    lines: int = 0
    kept: dict[str, tuple[int, str]] = field(default_factory=dict)
    # (line number, candidate number, last name, first name, reason key)
    excluded: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # Neither the response nor the bac result was in the file: every valid line is kept.
    trusted: bool = False

    @property
    def excluded_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for *_rest, reason in self.excluded:
            counts[reason] = counts.get(reason, 0) + 1
        return counts


def digest(line: str) -> str:
    """The digest stored in Applicant.row_hash: equal lines, equal digests."""
    return hashlib.blake2b(line.encode(), digest_size=16).hexdigest()


def split(line: str) -> list[str]:
    """A canonical line's values, as text, in FIELDS order (COPY's NULL as "")."""
    values = line.split("\t")
    if "\\" in line:
        values = [_unescape(value) for value in values]
    return values


def _unescape(value: str) -> str:
    return "" if value == NULL else value.replace("\\\\", "\\")


def canonical_value(name: str, value) -> str:
    """A field's value read from the database, as the canonical line writes it: the two
    compare equal when nothing changed (admissions_sync/services/imports.py shows the
    differences)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S+00")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def read_file(uploaded) -> ParsedFile:
    """Read and validate ``uploaded`` (a Django UploadedFile or a binary file with a name):
    CSV (« ; », UTF-8 with or without BOM, or Windows-1252) or .xlsx / .ods. Raises
    ValidationError for a file refused as a whole (not a table, empty, no header, unknown
    or missing columns, NUL bytes); returns the lines otherwise, with their errors listed.
    Writes nothing."""
    _refuse_nul_bytes(uploaded)
    rows = read_rows(
        uploaded,
        max_rows=MAX_LINES + 1,
        max_columns=MAX_COLUMNS,
        max_bytes=MAX_BYTES,
        csv=True,
        max_unpacked=400 * 1024 * 1024,
        max_area=(MAX_LINES + 2) * MAX_COLUMNS,
        max_cells=(MAX_LINES + 2) * MAX_COLUMNS,
        raw=True,
    )
    header = next(rows, None)
    if header is None:
        raise ValidationError(EMPTY_FILE, code="empty")
    columns = _columns(header)
    parsed = ParsedFile(trusted="decision" not in columns and "bac" not in columns)
    _read_lines(rows, columns, parsed)
    if parsed.lines == 0 and not parsed.errors:
        raise ValidationError(NO_LINE, code="no_line")
    return parsed


def _refuse_nul_bytes(uploaded) -> None:
    uploaded.seek(0)
    head = uploaded.read(4)
    name = str(getattr(uploaded, "name", "") or "").lower()
    # A spreadsheet (a zip: they hold NUL bytes), UTF-16 with its BOM (Excel's « texte
    # Unicode », read by the shared reader), or a file not named .csv (the reader refuses
    # it as a table): not this check's concern.
    if head[:2] in (b"PK", b"\xff\xfe", b"\xfe\xff") or not name.endswith(".csv"):
        uploaded.seek(0)
        return
    uploaded.seek(0)
    while chunk := uploaded.read(1024 * 1024):
        if b"\x00" in chunk:
            raise ValidationError(NUL_BYTES, code="nul")
    uploaded.seek(0)


def _columns(header) -> dict[str, int]:
    columns: dict[str, int] = {}
    unknown = []
    for index, value in enumerate(header[1]):
        if value is None or not str(value).strip():
            continue
        value = str(value).strip()
        name = _FOLDED.get(fold(value))
        if name is None:
            unknown.append(f"« {value} »")
        elif name in columns:
            raise ValidationError(
                DUPLICATE_COLUMN, code="duplicate_column", params={"column": column_label(name)}
            )
        else:
            columns[name] = index
    if not columns:
        raise ValidationError(NO_HEADER, code="no_header")
    missing = [column_label(name) for name in REQUIRED if name not in columns]
    messages = []
    if missing:
        messages.append(
            ValidationError(MISSING_COLUMNS, code="missing", params={"columns": ", ".join(missing)})
        )
    if unknown:
        messages.append(
            ValidationError(UNKNOWN_COLUMNS, code="unknown", params={"columns": ", ".join(unknown)})
        )
    if messages:
        raise ValidationError(messages)
    return columns


def _read_lines(rows, columns: dict[str, int], parsed: ParsedFile) -> None:
    """Validate the lines ``rows`` gives, a chunk of CHUNK lines at a time, column by column:
    a value seen before (a city, a series, a birth date) is checked once, a column of
    unique values (numbers, e-mails) by one pass in C, and only a column that fails is read
    again cell by cell to say which line is wrong. A 100,000-line file costs about as much
    as reading it (docs/performance.md, « Import Parcoursup »)."""
    checker = _Checker(columns, parsed)
    count = 0
    while chunk := list(islice(rows, CHUNK)):
        count += len(chunk)
        if count > MAX_LINES:
            raise ValidationError(
                TOO_MANY_LINES, code="too_many", params={"max": f"{MAX_LINES:,}".replace(",", " ")}
            )
        if type(chunk[0][1]) is not list:  # a spreadsheet's rows: values as the CSV writes them
            chunk = [(number, _sheet_cells(cells)) for number, cells in chunk]
        checker.check(chunk)
    parsed.lines = count


_SEARCH_SEPARATORS = re.compile(r"[\s'’.-]+")


def search_key(text: str) -> str:
    """A name as the search compares it: lower case, no accents, apostrophes, hyphens and
    dots as single spaces (« SAINT-JUST » → « saint just », « Léa » → « lea »)."""
    return _SEARCH_SEPARATORS.sub(" ", fold_text(text)).strip()


def _searched(value: str) -> tuple[str, None]:
    return search_key(value), None


def _sheet_cells(cells) -> list[str]:
    return [
        "" if value is None else value if type(value) is str else _from_sheet(value)
        for value in cells
    ]


CHUNK = 4096


class _Checker:
    """The validation of a file's lines, chunk by chunk (``check``); what a value gives is
    kept from one chunk to the next for the columns whose values repeat."""

    def __init__(self, columns: dict[str, int], parsed: ParsedFile):
        self.columns = columns
        self.parsed = parsed
        self.first_line: dict[str, int] = {}
        self.labels = {name: column_label(name) for name in ALIASES}
        self.today = datetime.date.today()
        # per repeating column: value → canonical text, and value → error for the bad ones
        self.texts: dict[str, dict[str, str]] = {}
        self.bad: dict[str, dict[str, str]] = {}

    def check(self, chunk: list[tuple[int, list[str]]]) -> None:
        numbers = [number for number, _cells in chunk]
        table = list(zip_longest(*(cells for _number, cells in chunk), fillvalue=""))
        size = len(chunk)
        blank = ("",) * size
        problems: dict[int, list[str]] = {}

        def column(name: str) -> list[str]:
            index = self.columns.get(name)
            if index is None or index >= len(table):
                return list(blank)
            values = list(map(str.strip, table[index]))
            if "\xa0" in "".join(values):  # Excel's non-breaking spaces (« LE\xa0GOFF »)
                values = [value.replace("\xa0", " ").strip() for value in values]
            return values

        out: dict[str, list[str]] = {}
        labels = self.labels
        # Numéro: digits, 12 at most
        values = column("candidate_number")
        joined = "".join(values)
        if not (
            joined.isascii() and joined.isdigit() and all(values) and max(map(len, values)) <= 12
        ):
            for i, value in enumerate(values):
                if not value:
                    problems.setdefault(i, []).append(str(NUMBER_MISSING))
                elif not (value.isascii() and value.isdigit() and len(value) <= 12):
                    problems.setdefault(i, []).append(
                        str(NUMBER_INVALID) % {"value": _short(value)}
                    )
                    values[i] = ""
        out["candidate_number"] = values
        # INE
        values = list(map(str.upper, column("ine")))
        if not _INE_LINES.fullmatch("\n".join(values) + "\n"):
            for i, value in enumerate(values):
                if not _INE_OR_BLANK.fullmatch(value):
                    problems.setdefault(i, []).append(str(INE_INVALID) % {"value": _short(value)})
        out["ine"] = values
        # Columns whose values repeat: each distinct value checked once
        out["civility"] = self._cached("civility", column("civility"), self._civility, problems)
        for name in ("last_name", "first_name"):
            out[name] = self._cached(name, column(name), self._name(name), problems)
        for name, source in (
            ("search_last_name", "last_name"),
            ("search_first_name", "first_name"),
        ):
            out[name] = self._cached(name, out[source], _searched, problems)
        out["birth_date"] = self._cached(
            "birth_date", column("birth_date"), self._birth_date, problems
        )
        for name in ("gap_year", "boarding"):
            out[name] = self._cached(name, column(name), self._yes_no(name), problems)
        out["response_at"] = self._cached(
            "response_at", column("response_at"), self._response_at, problems
        )
        # Free text: length, formula-like start
        for name, limit in _TEXT:
            values = column(name)
            joined = "\n" + "\n".join(values)
            if max(map(len, values)) > limit or "\n=" in joined or "\n@" in joined:
                for i, value in enumerate(values):
                    if len(value) > limit:
                        problems.setdefault(i, []).append(
                            str(TOO_LONG)
                            % {"column": labels[name], "length": len(value), "max": limit}
                        )
                    elif _FORMULA_START.match(value):
                        problems.setdefault(i, []).append(
                            str(FORMULA) % {"column": labels[name], "value": _short(value)}
                        )
            out[name] = values
        # Shapes checked in one pass: postal code, phones, e-mail
        for name, pattern, lines_pattern, limit, message in (
            ("postal_code", _POSTAL, _POSTAL_LINES, 20, POSTAL_CODE_INVALID),
            ("phone", _PHONE, _PHONE_LINES, 30, PHONE_INVALID),
            ("mobile", _PHONE, _PHONE_LINES, 30, PHONE_INVALID),
            ("email", _EMAIL, _EMAIL_LINES, 254, EMAIL_INVALID),
        ):
            values = column(name)
            joined = "\n" + "\n".join(values) + "\n"
            if (
                max(map(len, values)) > limit
                or not lines_pattern.fullmatch(joined[1:])
                or "\n=" in joined
            ):
                for i, value in enumerate(values):
                    if len(value) > limit or not pattern.fullmatch(value) or value[:1] == "=":
                        problems.setdefault(i, []).append(
                            str(message) % {"column": labels[name], "value": _short(value)}
                        )
            out[name] = values
        # Avis and bac: who is kept
        reasons: list[str | None] = [None] * size
        response = list(blank)
        if "decision" in self.columns:
            decisions = self._cached("decision", column("decision"), self._decision, problems)
            response = [value if value != WAITING else "" for value in decisions]
            reasons = [WAITING if value == WAITING else None for value in decisions]
        if "bac" in self.columns:
            bacs = self._cached("bac", column("bac"), self._bac, problems)
            reasons = [
                reason or (NO_BAC if bac == "f" else None)
                for reason, bac in zip(reasons, bacs, strict=True)
            ]
        out["response"] = response
        for name in FIELDS:
            values = out[name]
            text = "".join(values)
            if not text.isprintable() and _CONTROL.search(text):  # a tab, a line break…
                for i, value in enumerate(values):
                    if _CONTROL.search(value):
                        problems.setdefault(i, []).append(
                            str(CONTROL_CHARACTER) % {"column": labels[name]}
                        )
            if "\ufffd" in text:  # bytes the decoder could not read
                for i, value in enumerate(values):
                    if "\ufffd" in value:
                        problems.setdefault(i, []).append(str(NOT_TEXT))
            if "\\" in text and name != "response_at":  # COPY's escape (NULL is response_at's)
                out[name] = [value.replace("\\", "\\\\") for value in values]
        lines = list(map("\t".join, zip(*(out[name] for name in FIELDS), strict=True)))
        self._keep(numbers, out, lines, reasons, problems)

    def _keep(self, numbers, out, lines, reasons, problems) -> None:
        parsed, first_line = self.parsed, self.first_line
        kept, excluded, errors = parsed.kept, parsed.excluded, parsed.errors
        candidates = out["candidate_number"]
        size = len(numbers)
        if (
            not problems
            and len(set(candidates)) == size
            and first_line.keys().isdisjoint(candidates)
        ):
            # The usual chunk: every line valid, no number seen twice; kept but the excluded.
            first_line.update(zip(candidates, numbers, strict=True))
            pairs = zip(candidates, zip(numbers, lines, strict=True), strict=True)
            if not any(reasons):
                kept.update(pairs)
                return
            kept.update(compress(pairs, map(operator.not_, reasons)))
            last, first = out["last_name"], out["first_name"]
            excluded.extend(
                (numbers[i], candidates[i], last[i], first[i], reason)
                for i, reason in enumerate(reasons)
                if reason is not None
            )
            return
        for i, number in enumerate(numbers):
            candidate = candidates[i]
            mine = problems.get(i)
            if candidate:
                other = first_line.get(candidate)
                if other is None:
                    first_line[candidate] = number
                else:
                    mine = mine or []
                    mine.insert(0, str(NUMBER_TWICE) % {"number": candidate, "other": other})
            if mine:
                errors.extend(line_error(number, problem) for problem in mine)
            elif reasons[i] is not None:
                excluded.append(
                    (number, candidate, out["last_name"][i], out["first_name"][i], reasons[i])
                )
            else:
                kept[candidate] = (number, lines[i])

    def _cached(self, name: str, values: list[str], check, problems) -> list[str]:
        texts = self.texts.setdefault(name, {})
        bad = self.bad.setdefault(name, {})
        distinct = set(values)
        for value in distinct.difference(texts):
            texts[value], error = check(value)
            if error:
                bad[value] = error
        if not bad.keys().isdisjoint(distinct):
            for i, value in enumerate(values):
                if value in bad:
                    problems.setdefault(i, []).append(bad[value])
        return list(map(texts.__getitem__, values))

    def _civility(self, value: str):
        civility = _CIVILITIES.get(value.casefold())
        if civility is None:
            return "", str(CIVILITY_INVALID) % {"value": _short(value)}
        return civility, None

    def _name(self, name: str):
        label = self.labels[name]

        def check(value: str):
            if not value:
                return value, str(REQUIRED_MISSING) % {"column": label}
            if len(value) > _NAME_MAX:
                return value, str(TOO_LONG) % {
                    "column": label,
                    "length": len(value),
                    "max": _NAME_MAX,
                }
            if not _NAME.fullmatch(value):
                return value, str(NAME_INVALID) % {"column": label, "value": _short(value)}
            return value, None

        return check

    def _birth_date(self, value: str):
        label = self.labels["birth_date"]
        if not value:
            return "", str(REQUIRED_MISSING) % {"column": label}
        match = _DATE.fullmatch(value)
        try:
            if match is None:
                raise ValueError
            day, month, year = match.groups()
            date = datetime.date(int(year), int(month), int(day))
        except ValueError:
            return "", str(DATE_INVALID) % {"column": label, "value": _short(value)}
        if date.year < 1900 or date > self.today:
            return "", str(BIRTH_IMPLAUSIBLE) % {"value": _short(value)}
        return date.isoformat(), None

    def _yes_no(self, name: str):
        label = self.labels[name]

        def check(value: str):
            folded = value.casefold()
            if folded in _NO:
                return "f", None
            if folded in _YES:
                return "t", None
            return "f", str(YES_NO_INVALID) % {"column": label, "value": _short(value)}

        return check

    def _response_at(self, value: str):
        if not value:
            return NULL, None
        text = _response_at(value)
        if text is None:
            label = self.labels["response_at"]
            return NULL, str(DATETIME_INVALID) % {"column": label, "value": _short(value)}
        return text, None

    def _decision(self, value: str):
        decision = _DECISIONS.get(fold(value))
        if decision is None:
            return "", str(DECISION_INVALID) % {"value": _short(value)}
        return decision, None

    def _bac(self, value: str):
        folded = fold(value)
        if folded in _BAC_NO:
            return "f", None
        if folded in _BAC_YES:
            return "t", None
        return "t", str(BAC_INVALID) % {"value": _short(value)}


def _from_sheet(value) -> str:
    """A spreadsheet cell's value as the CSV export would write it."""
    if isinstance(value, datetime.datetime):
        if value.hour or value.minute or value.second:
            return value.strftime("%d/%m/%Y %H:%M")
        return value.strftime("%d/%m/%Y")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_UTC_HOURS: dict[tuple[str, str, str, str], str | None] = {}


def _response_at(raw: str) -> str | None:
    """« 08/07/2026 14:32 » (Paris) as the UTC instant COPY reads, « 2026-07-08 12:32:00+00 »;
    None when it is not a date and time. The zone's offset is looked up once an hour of a
    day (Paris' offsets are whole hours)."""
    match = _DATETIME.fullmatch(raw)
    if match is None:
        return None
    day, month, year, hour, minute, second = match.groups()
    key = (day, month, year, hour or "0")
    prefix = _UTC_HOURS.get(key)
    if prefix is None:
        try:
            local = datetime.datetime(
                int(year), int(month), int(day), int(hour or 0), tzinfo=_PARIS
            )
        except ValueError:
            return None
        prefix = local.astimezone(datetime.UTC).strftime("%Y-%m-%d %H")
        _UTC_HOURS[key] = prefix
    if int(minute or 0) > 59 or int(second or 0) > 59:
        return None
    return f"{prefix}:{minute or '00'}:{second or '00'}+00"


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def display(name: str, text: str) -> str:
    """A canonical value as the staff read it (« Oui », 01/03/2005, 08/07/2026 14:32)."""
    if not text:
        return ""
    if name == "birth_date":
        year, month, day = text.split("-")
        return f"{day}/{month}/{year}"
    if name == "response_at":
        moment = datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S+00").replace(
            tzinfo=datetime.UTC
        )
        return moment.astimezone(_PARIS).strftime("%d/%m/%Y %H:%M")
    if name in ("gap_year", "boarding"):
        return gettext("Oui") if text == "t" else gettext("Non")
    if name == "civility":
        return str(Applicant.Civility(text).label)
    if name == "response":
        return str(Applicant.Response(text).label)
    return text
