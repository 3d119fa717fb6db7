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
import re
import zoneinfo
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from admissions_sync.models import PARCOURSUP_TIME_ZONE, Applicant
from registrar.tabular import fold, line_error, read_rows

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
)
INDEX = {name: i for i, name in enumerate(FIELDS)}
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
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"[0-9+ ().-]+")
_POSTAL = re.compile(r"[0-9A-Za-z -]+")
_INE = re.compile(r"[0-9]{9}[A-Z]{2}|[0-9A-Z]{10}[A-Z]|[0-9]{4}A[0-9]{5}[A-Z]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

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
    compare equal when nothing changed (admissions_sync/services/plan.py shows the
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
        max_area=0,
        max_cells=0,
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
    if head[:2] == b"PK":  # a spreadsheet: zip archives hold NUL bytes
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
    for index, value in enumerate(header.cells):
        if value is None:
            continue
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
    # The hot loop of a 100,000-line import: each cell read once, no call per field where a
    # local test does (docs/performance.md, « Import Parcoursup »).
    errors = parsed.errors
    kept = parsed.kept
    excluded = parsed.excluded
    first_line: dict[str, int] = {}
    get = columns.get
    c_number, c_ine, c_civ = get("candidate_number"), get("ine"), get("civility")
    c_last, c_first, c_birth = get("last_name"), get("first_name"), get("birth_date")
    c_phone, c_mobile, c_email = get("phone"), get("mobile"), get("email")
    c_postal, c_gap, c_board = get("postal_code"), get("gap_year"), get("boarding")
    c_resp_at, c_decision, c_bac = get("response_at"), get("decision"), get("bac")
    text_columns = [(name, get(name), limit) for name, limit in _TEXT]
    labels = {name: column_label(name) for name in ALIASES}
    today = datetime.date.today()
    datetimes: dict[str, str] = {}
    interned: dict[str, str] = {}
    count = 0
    for row in rows:
        count += 1
        if count > MAX_LINES:
            raise ValidationError(
                TOO_MANY_LINES, code="too_many", params={"max": f"{MAX_LINES:,}".replace(",", " ")}
            )
        number = row.number
        cells = row.cells
        width = len(cells)
        problems: list[str] = []

        def cell(index, cells=cells, width=width):
            if index is None or index >= width:
                return ""
            value = cells[index]
            if value is None:
                return ""
            if isinstance(value, str):
                return value
            return _from_sheet(value)

        # Numéro
        candidate = cell(c_number)
        if not candidate:
            problems.append(gettext(NUMBER_MISSING))
        elif not (candidate.isascii() and candidate.isdigit() and len(candidate) <= 12):
            problems.append(gettext(NUMBER_INVALID) % {"value": _short(candidate)})
            candidate = ""
        elif candidate in first_line:
            problems.append(
                gettext(NUMBER_TWICE) % {"number": candidate, "other": first_line[candidate]}
            )
        else:
            first_line[candidate] = number
        # INE
        ine = cell(c_ine).upper()
        if ine and not _INE.fullmatch(ine):
            problems.append(gettext(INE_INVALID) % {"value": _short(ine)})
        # Civilité
        raw = cell(c_civ)
        civility = _CIVILITIES.get(raw.casefold())
        if civility is None:
            civility = ""
            problems.append(gettext(CIVILITY_INVALID) % {"value": _short(raw)})
        # Nom, Prénom
        last = cell(c_last)
        first = cell(c_first)
        for name, value in (("last_name", last), ("first_name", first)):
            if not value:
                problems.append(gettext(REQUIRED_MISSING) % {"column": labels[name]})
            elif len(value) > _NAME_MAX:
                problems.append(
                    gettext(TOO_LONG)
                    % {"column": labels[name], "length": len(value), "max": _NAME_MAX}
                )
            elif not _NAME.fullmatch(value):
                problems.append(
                    gettext(NAME_INVALID) % {"column": labels[name], "value": _short(value)}
                )
        # Date de naissance
        raw = cell(c_birth)
        birth = ""
        if not raw:
            problems.append(gettext(REQUIRED_MISSING) % {"column": labels["birth_date"]})
        else:
            match = _DATE.fullmatch(raw)
            try:
                if match is None:
                    raise ValueError
                day, month, year = match.groups()
                date = datetime.date(int(year), int(month), int(day))
            except ValueError:
                problems.append(
                    gettext(DATE_INVALID) % {"column": labels["birth_date"], "value": _short(raw)}
                )
            else:
                if date.year < 1900 or date > today:
                    problems.append(gettext(BIRTH_IMPLAUSIBLE) % {"value": raw})
                birth = date.isoformat()
        # Free text
        texts = []
        for name, index, limit in text_columns:
            value = cell(index)
            if value:
                if len(value) > limit:
                    problems.append(
                        gettext(TOO_LONG)
                        % {"column": labels[name], "length": len(value), "max": limit}
                    )
                elif value[0] in "=@":
                    problems.append(
                        gettext(FORMULA) % {"column": labels[name], "value": _short(value)}
                    )
                value = interned.setdefault(value, value) if len(value) < 40 else value
            texts.append(value)
        # Code postal, téléphones, e-mail
        postal = cell(c_postal)
        if postal and (len(postal) > 20 or not _POSTAL.fullmatch(postal)):
            problems.append(gettext(POSTAL_CODE_INVALID) % {"value": _short(postal)})
        phones = []
        for name, index in (("phone", c_phone), ("mobile", c_mobile)):
            value = cell(index)
            if value and (len(value) > 30 or not _PHONE.fullmatch(value)):
                problems.append(
                    gettext(PHONE_INVALID) % {"column": labels[name], "value": _short(value)}
                )
            phones.append(value)
        email = cell(c_email)
        if email and (len(email) > 254 or not _EMAIL.fullmatch(email)):
            problems.append(gettext(EMAIL_INVALID) % {"value": _short(email)})
        # Année de césure, internat
        flags = []
        for name, index in (("gap_year", c_gap), ("boarding", c_board)):
            value = cell(index).casefold()
            if value in _NO:
                flags.append("f")
            elif value in _YES:
                flags.append("t")
            else:
                flags.append("f")
                problems.append(
                    gettext(YES_NO_INVALID) % {"column": labels[name], "value": _short(value)}
                )
        # Date réponse
        raw = cell(c_resp_at)
        responded = NULL
        if raw:
            responded = datetimes.get(raw)
            if responded is None:
                responded = _response_at(raw)
                if responded is None:
                    problems.append(
                        gettext(DATETIME_INVALID)
                        % {"column": labels["response_at"], "value": _short(raw)}
                    )
                    responded = NULL
                else:
                    datetimes[raw] = responded
        # Avis, bac: who is kept
        reason = None
        response = ""
        if c_decision is not None:
            raw = cell(c_decision)
            decision = _DECISIONS.get(fold(raw))
            if decision is None:
                problems.append(gettext(DECISION_INVALID) % {"value": _short(raw)})
            elif decision == WAITING:
                reason = WAITING
            else:
                response = decision
        if c_bac is not None:
            raw = fold(cell(c_bac))
            if raw in _BAC_NO:
                reason = reason or NO_BAC
            elif raw not in _BAC_YES:
                problems.append(gettext(BAC_INVALID) % {"value": _short(cell(c_bac))})
        values = (
            candidate,
            ine,
            civility,
            last,
            first,
            birth,
            *texts[:6],
            postal,
            *texts[6:8],
            *phones,
            email,
            *texts[8:],
            *flags,
            response,
            responded,
        )
        line = "\t".join(values)
        if _CONTROL.search(line.replace("\t", " ")):
            for name, value in zip(FIELDS, values, strict=True):
                if _CONTROL.search(value):
                    problems.append(gettext(CONTROL_CHARACTER) % {"column": labels[name]})
                    break
        if "\ufffd" in line:
            problems.append(gettext(NOT_TEXT))
        if problems:
            errors.extend(line_error(number, problem) for problem in problems)
            continue
        if reason is not None:
            excluded.append((number, candidate, last, first, reason))
            continue
        if "\\" in line:
            line = "\t".join(value.replace("\\", "\\\\") for value in values)
        kept[candidate] = (number, line)
    parsed.lines = count


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


def _response_at(raw: str) -> str | None:
    match = _DATETIME.fullmatch(raw)
    if match is None:
        return None
    day, month, year, hour, minute, second = match.groups()
    try:
        local = datetime.datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=_PARIS,
        )
    except ValueError:
        return None
    return local.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S+00")


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
