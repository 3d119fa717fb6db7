"""« Importer des organismes »: a spreadsheet of receiving agencies, their sites, services,
destinations and contact persons, read line by line through the shared tabular reader
(registrar/tabular; an « imports » module of docs/architecture.md: file → validated rows, no
writes). ``placements.services.agencies.agencies_import`` writes the lines once every one is
clean (docs/architecture.md rule 1).

One line = one level: the line names a path, Organisme [/ Site [/ Service [/ Destination]]],
and its address, active flag and contact person belong to the deepest level it names. The
records are matched by name without case or accents (registrar.text.fold): found ones are
updated with the cells that are filled, missing ones created (their missing parents too).
"""

import io
from dataclasses import dataclass, field
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font

from placements.models import Agency, Contact
from registrar.exports import safe_cell
from registrar.tabular import Row, header_columns, line_error, ods_bytes, read_rows
from registrar.text import fold

# The template's columns, in order: (header, the value it fills). The headers are the file
# format's, the same whatever the interface's language.
COLUMNS = (
    ("Organisme", "agency"),
    ("Site", "site"),
    ("Service", "service"),
    ("Destination", "destination"),
    ("Adresse", "address"),
    ("Ville", "city"),
    ("Province", "province"),
    ("Code postal", "postal_code"),
    ("Actif (oui/non)", "is_active"),
    ("Utilise le système (oui/non)", "uses_system"),
    ("Contact nom", "contact_name"),
    ("Contact fonction", "contact_role"),
    ("Contact courriel", "contact_email"),
    ("Contact téléphone", "contact_phone"),
)
HEADERS = [header for header, _name in COLUMNS]
# Other spellings a person may type (compared without case, accents or spaces).
ALIASES = {
    "agency": ("Organisme receveur", "Établissement"),
    "service": ("Unité", "Service / unité"),
    "postal_code": ("CP",),
    "is_active": ("Actif", "Active"),
    "uses_system": ("Utilise le système", "Connecté"),
    "contact_name": ("Personne-ressource", "Nom du contact", "Contact"),
    "contact_role": ("Fonction", "Fonction du contact"),
    "contact_email": ("Courriel", "Courriel du contact", "Contact e-mail"),
    "contact_phone": ("Téléphone", "Téléphone du contact"),
}
LEVELS = ("agency", "site", "service", "destination")
ADDRESS_FIELDS = ("address", "city", "province", "postal_code")
CONTACT_FIELDS = ("contact_name", "contact_role", "contact_email", "contact_phone")
# The models' max lengths, read from the models so that they never drift apart.
MAX_LENGTHS = {
    **{name: Agency._meta.get_field("name").max_length for name in LEVELS},
    **{name: Agency._meta.get_field(name).max_length for name in ADDRESS_FIELDS},
    "contact_name": Contact._meta.get_field("name").max_length,
    "contact_role": Contact._meta.get_field("role").max_length,
    "contact_email": Contact._meta.get_field("email").max_length,
    "contact_phone": Contact._meta.get_field("phone").max_length,
}
MAX_LINES = 2_000
MAX_COLUMNS = 40  # columns past the template's are read, then ignored

HEADERS_WRONG = _(
    "La première ligne doit nommer les colonnes du modèle (au moins « Organisme ») : "
    "%(expected)s. Téléchargez le modèle."
)
NO_LINE = _(
    "Le fichier ne contient aucun organisme : remplissez une ligne par organisme, site, "
    "service ou destination."
)
TOO_MANY = _("Le fichier contient plus de %(max)s lignes : scindez-le.")
AGENCY_REQUIRED = _("« Organisme » est obligatoire.")
PARENT_REQUIRED = _("« %(column)s » est rempli mais pas « %(parent)s ».")
TOO_LONG = _("« %(column)s » dépasse %(max)s caractères.")
YES_NO_INVALID = _("« %(column)s » : « %(value)s » — répondez oui ou non.")
USES_SYSTEM_AGENCY_ONLY = _(
    "« Utilise le système » se remplit sur la ligne de l'organisme (sans site)."
)
EMAIL_INVALID = _("« %(value)s » n'est pas une adresse courriel valide.")
CONTACT_NAME_REQUIRED = _(
    "« Contact nom » est obligatoire quand un autre champ du contact est rempli."
)
CONTACT_ON_DESTINATION = _(
    "une personne-ressource se rattache à un organisme, un site ou un service, pas à une "
    "destination : mettez-la sur une ligne sans destination."
)
DUPLICATE = _("Doublon de la ligne %(other)s.")

_YES = {"oui", "o", "yes", "y", "x", "vrai", "true", "1"}
_NO = {"non", "n", "no", "faux", "false", "0"}


@dataclass
class Line:
    """One filled line: its number in the spreadsheet and what it says. ``path`` holds the
    names of the levels it names, outermost first; ``fields`` the cells given for the
    deepest level (absent: left as they are); ``contact`` the contact person, if any."""

    number: int
    path: tuple[str, ...]
    fields: dict = field(default_factory=dict)
    contact: dict | None = None

    @property
    def level(self) -> str:
        return LEVELS[len(self.path) - 1]


@dataclass
class AgenciesFile:
    lines: list[Line] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # « Ligne N : message », in line order


# --------------------------------------------------------------------------------------
# The template
# --------------------------------------------------------------------------------------

EXAMPLE_LINES = (
    ["CISSS de la Montérégie-Centre", "", "", "", "3120, boulevard Taschereau",
     "Greenfield Park", "QC", "J4V 2H1", "oui", "oui", "Josée Tremblay",
     "Coordonnatrice des stages", "stages@cisss.example.org", "450 466-5000"],
    ["CISSS de la Montérégie-Centre", "Hôpital Charles-Le Moyne", "", "", "", "", "", "",
     "oui", "", "", "", "", ""],
    ["CISSS de la Montérégie-Centre", "Hôpital Charles-Le Moyne", "Médecine 3e", "", "",
     "", "", "", "oui", "", "", "", "", ""],
    ["CISSS de la Montérégie-Centre", "Hôpital Charles-Le Moyne", "Médecine 3e",
     "Unité 3A", "", "", "", "", "oui", "", "", "", "", ""],
)  # fmt: skip


def template_rows() -> list[list[str]]:
    return [HEADERS, *[list(line) for line in EXAMPLE_LINES]]


def template_xlsx() -> bytes:
    """The template to fill: the header line and example lines, every cell through
    registrar.exports.safe_cell as in every spreadsheet we write."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Organismes"
    for row in template_rows():
        sheet.append([safe_cell(value) for value in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index in range(len(HEADERS)):
        sheet.column_dimensions[sheet.cell(row=1, column=index + 1).column_letter].width = 24
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_ods() -> bytes:
    # ods_bytes writes strings through registrar.exports.safe_cell_text itself.
    return ods_bytes(
        template_rows(), sheet_name="Organismes", bold_rows=(1,), column_widths_cm=(5,) * 14
    )


# --------------------------------------------------------------------------------------
# Reading a filled file
# --------------------------------------------------------------------------------------


def read_agencies(uploaded) -> AgenciesFile:
    """The lines of an uploaded .xlsx, .ods or .csv, each checked: « Organisme » given, no
    service without its site (nor site without organisme, destination without service),
    lengths within the models', oui/non cells, a valid e-mail, « Utilise le système » on
    an organisme line only, no contact on a destination line, no path twice (« Doublon de
    la ligne N »). The first line names the columns: the template's headers or their
    ALIASES, any order; unknown columns are ignored. Raises ValidationError for a file that
    cannot be read (a Word file: the message names .xlsx, .ods and .csv), one over the
    reader's bounds, without « Organisme » column, empty or too long. Writes nothing."""
    rows = iter(
        read_rows(
            uploaded,
            max_columns=MAX_COLUMNS,
            max_rows=MAX_LINES + 1,
            csv=True,
        )
    )
    header = next(rows, None)
    aliases = {name: (text, *ALIASES.get(name, ())) for text, name in COLUMNS}
    columns = header_columns(header, aliases) if header else {}
    if "agency" not in columns:
        raise ValidationError(HEADERS_WRONG, params={"expected": " | ".join(HEADERS)})
    filled = list(rows)
    if not filled:
        raise ValidationError(NO_LINE)
    if len(filled) > MAX_LINES:
        raise ValidationError(TOO_MANY, params={"max": MAX_LINES})
    result = AgenciesFile()
    seen: dict[tuple[str, ...], int] = {}
    for row in filled:
        line, problems = _read_line(row, columns)
        if line is not None and not problems:
            key = tuple(fold(name) for name in line.path)
            if key in seen:
                problems.append(str(DUPLICATE % {"other": seen[key]}))
            else:
                seen[key] = row.number
        result.errors.extend(line_error(row.number, problem) for problem in problems)
        if line is not None and not problems:
            result.lines.append(line)
    return result


def _read_line(row: Row, columns: dict[str, int]) -> tuple[Line | None, list[str]]:
    headers = {name: header for header, name in COLUMNS}
    cells = {name: _text(row.cell(columns.get(name))) for _header, name in COLUMNS}
    problems: list[str] = []
    for name, max_length in MAX_LENGTHS.items():
        if len(cells[name]) > max_length:
            problems.append(str(TOO_LONG % {"column": headers[name], "max": max_length}))
    if not cells["agency"]:
        problems.append(str(AGENCY_REQUIRED))
    for parent, child in pairwise(LEVELS):
        # A missing « Organisme » is said once, above.
        if cells[child] and not cells[parent] and parent != "agency":
            problems.append(
                str(PARENT_REQUIRED % {"column": headers[child], "parent": headers[parent]})
            )
    path = []
    for name in LEVELS:
        if not cells[name]:
            break
        path.append(cells[name])
    fields: dict = {name: cells[name] for name in ADDRESS_FIELDS if cells[name]}
    for name in ("is_active", "uses_system"):
        value = _yes_no(row.cell(columns.get(name)), headers[name], problems)
        if value is not None:
            fields[name] = value
    if "uses_system" in fields and len(path) > 1:
        problems.append(str(USES_SYSTEM_AGENCY_ONLY))
    contact = None
    if any(cells[name] for name in CONTACT_FIELDS):
        if not cells["contact_name"]:
            problems.append(str(CONTACT_NAME_REQUIRED))
        if len(path) == len(LEVELS):
            problems.append(str(CONTACT_ON_DESTINATION))
        email = cells["contact_email"]
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(str(EMAIL_INVALID % {"value": email}))
        contact = {
            "name": cells["contact_name"],
            "role": cells["contact_role"],
            "email": email,
            "phone": cells["contact_phone"],
        }
    if not path:
        return None, problems
    return Line(number=row.number, path=tuple(path), fields=fields, contact=contact), problems


def _text(value) -> str:
    """A cell as text, its spaces collapsed. Text that looks like a formula (« =1+1 ») is
    kept as typed: the reader never evaluates a cell, and every spreadsheet we write puts it
    through registrar.exports.safe_cell."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else " ".join(str(value).split())


def _yes_no(raw, column: str, problems: list[str]) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = _text(raw)
    if not text:
        return None
    if fold(text) in _YES:
        return True
    if fold(text) in _NO:
        return False
    problems.append(str(YES_NO_INVALID % {"column": column, "value": text}))
    return None
