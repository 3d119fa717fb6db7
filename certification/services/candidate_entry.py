"""Candidates a SUP or PRO centre types in: one by one (« Ajouter un candidat ») or a whole
spreadsheet at once (« Importer des candidats »). Both go through ``check_candidate``: the
same rules, the same French messages, keyed by the candidate field they concern."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.imports.candidates import COLUMNS, read_candidates_file
from certification.models import Candidate, CertificationSession, identity_key
from certification.services.candidates import ensure_candidates_can_be_added
from certification.services.student_candidates import EARLIEST_BIRTH_DATE
from registrar.geography import CommuneLookup, resolve_birth_place
from registrar.tabular import LINE

SCHOOL_CENTER = _(
    "Un centre SCO ajoute ses élèves depuis la liste des élèves : « Ajouter des élèves »."
)
REQUIRED = _("Ce champ est obligatoire.")
TOO_LONG = _("%(max)s caractères au plus.")
SEX_INVALID = _("Le sexe est M ou F.")
BIRTH_DATE_EARLY = _("La date de naissance doit être postérieure au 01/01/1900.")
BIRTH_DATE_FUTURE = _("La date de naissance ne peut pas être dans le futur.")
EMAIL_INVALID = _("« %(value)s » n'est pas une adresse e-mail valide.")
EXTRA_TIME_INVALID = _("Le temps majoré est un pourcentage entier de 0 à 99.")
PRICING_REQUIRED = _("Choisissez la tarification : Gratuite, Payante ou Prépayée.")
PRICING_INVALID = _("« %(value)s » n'est pas une tarification : Gratuite, Payante ou Prépayée.")
PREPAYMENT_CODE_REQUIRED = _("Une tarification Prépayée demande le code de prépaiement.")
PREPAYMENT_CODE_UNWANTED = _(
    "Le code de prépaiement ne s'indique que pour une tarification Prépayée."
)
IN_COLUMN = _("« %(column)s » : %(message)s")
SAME_AS_LINE = _("même candidat (nom, prénom, date de naissance) que la ligne %(other)s.")
ALREADY_CANDIDATE = _(
    "%(name)s est déjà candidat(e) de la session (même nom, prénom et date de naissance)."
)

# The fields a typed candidate has, in the order of the form and of the import template.
# birth_country takes an ISO code or a country's name; the birth place is checked as one.
TEXT_LENGTHS = {
    "last_name": 80,
    "first_name": 80,
    "birth_insee_code": 5,
    "birth_postal_code": 5,
    "birth_city": 80,
    "local_id": 40,
    "class_name": 40,
    "prepayment_code": 30,
}
COLUMN_LABELS = {name: header for header, name in COLUMNS}
BIRTH_PLACE_FIELDS = {
    "country": "birth_country",
    "insee_code": "birth_insee_code",
    "postal_code": "birth_postal_code",
    "city": "birth_city",
}


@dataclass
class CheckedCandidate:
    """A candidate's fields ready for the table (``fields``), or what is wrong with them
    (``errors``, messages by field name, in the order of the fields)."""

    fields: dict = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def refuse(self, name: str, message) -> None:
        self.errors.setdefault(name, []).append(str(message))


def check_candidate(
    values: dict,
    *,
    today: datetime.date | None = None,
    lookup: CommuneLookup | None = None,
) -> CheckedCandidate:
    """Check one candidate's ``values`` (texts, a date for birth_date, an int or None for
    extra_time_percent, a bool for accessibility_needed, a Pricing value or "" for pricing)
    against the rules of the certificate: names and sex, a birth date from 1900 to today, a
    birth place from the reference, valid e-mails, an extra time of 0–99 %, and a pricing
    with its prepayment code when Prépayée (typed candidates are SUP and PRO centres').
    Reads the commune reference (through ``lookup``, shared by the lines of a file); writes
    nothing."""
    today = today or timezone.localdate()
    checked = CheckedCandidate()
    out = checked.fields

    def text(name: str) -> str:
        value = " ".join(str(values.get(name) or "").split())
        if len(value) > TEXT_LENGTHS.get(name, 254):
            checked.refuse(name, TOO_LONG % {"max": TEXT_LENGTHS.get(name, 254)})
        return value

    for name in ("last_name", "first_name"):
        out[name] = text(name)
        if not out[name]:
            checked.refuse(name, REQUIRED)
    sex = text("sex").upper()
    out["sex"] = sex
    if not sex:
        checked.refuse("sex", REQUIRED)
    elif sex not in Candidate.Sex.values:
        checked.refuse("sex", SEX_INVALID)
    birth_date = values.get("birth_date")
    out["birth_date"] = birth_date
    if birth_date is None:
        checked.refuse("birth_date", REQUIRED)
    elif birth_date < EARLIEST_BIRTH_DATE:
        checked.refuse("birth_date", BIRTH_DATE_EARLY)
    elif birth_date > today:
        checked.refuse("birth_date", BIRTH_DATE_FUTURE)
    _check_birth_place(values, checked, text, lookup)
    for name in ("convocation_email", "results_email"):
        out[name] = text(name)
        if out[name]:
            try:
                validate_email(out[name])
            except ValidationError:
                checked.refuse(name, EMAIL_INVALID % {"value": out[name]})
    out["local_id"] = text("local_id")
    out["class_name"] = text("class_name")
    extra_time = values.get("extra_time_percent")
    out["extra_time_percent"] = extra_time
    if extra_time is not None and not (
        isinstance(extra_time, int) and not isinstance(extra_time, bool) and 0 <= extra_time <= 99
    ):
        checked.refuse("extra_time_percent", EXTRA_TIME_INVALID)
    out["accessibility_needed"] = bool(values.get("accessibility_needed"))
    _check_pricing(checked, text)
    return checked


def _check_birth_place(
    values: dict, checked: CheckedCandidate, text, lookup: CommuneLookup | None
) -> None:
    out = checked.fields
    typed = {part: text(name) for part, name in BIRTH_PLACE_FIELDS.items()}
    if any(name in checked.errors for name in BIRTH_PLACE_FIELDS.values()):
        return
    try:
        place = resolve_birth_place(**typed, lookup=lookup)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for part, errors in error.error_dict.items():
                for message in errors:
                    checked.refuse(BIRTH_PLACE_FIELDS[part], " ".join(message.messages))
        else:
            checked.refuse("birth_country", " ".join(error.messages))
        return
    out.update(
        birth_country=place.country,
        birth_country_code=place.country_code,
        birth_insee_code=place.insee_code,
        birth_postal_code=place.postal_code,
        birth_city=place.city,
        birth_department=place.department,
    )


def _check_pricing(checked: CheckedCandidate, text) -> None:
    # Only SUP and PRO centres type candidates in; their candidates have a pricing.
    out = checked.fields
    pricing = text("pricing")
    code = text("prepayment_code")
    out["pricing"], out["prepayment_code"] = pricing, code
    if not pricing:
        checked.refuse("pricing", PRICING_REQUIRED)
    elif pricing not in Candidate.Pricing.values:
        checked.refuse("pricing", PRICING_INVALID % {"value": pricing})
    elif pricing == Candidate.Pricing.PREPAID and not code:
        checked.refuse("prepayment_code", PREPAYMENT_CODE_REQUIRED)
    elif pricing != Candidate.Pricing.PREPAID and code:
        checked.refuse("prepayment_code", PREPAYMENT_CODE_UNWANTED)


def ensure_candidates_can_be_typed_in(session: CertificationSession) -> None:
    """Refuse (ValidationError) typing in or importing candidates for ``session``:
    SCHOOL_CENTER when its centre is SCO (it adds its pupils), then
    candidates.ensure_candidates_can_be_added (ADDING_CLOSED). The « Ajouter un candidat »
    and « Importer des candidats » pages show the refusal; candidate_create and
    candidates_import enforce it again under the session's lock. Writes nothing."""
    if session.center.is_school:
        raise ValidationError(SCHOOL_CENTER)
    ensure_candidates_can_be_added(session)


def _locked_session(session: CertificationSession) -> CertificationSession:
    """The session, its row locked until the transaction ends, if typed candidates may
    still be added to it (ensure_candidates_can_be_typed_in, decided under the lock)."""
    current = (
        CertificationSession.objects.select_for_update(of=("self",))
        .select_related("center")
        .get(pk=session.pk)
    )
    ensure_candidates_can_be_typed_in(current)
    return current


def candidate_create(*, actor, session: CertificationSession, values: dict) -> Candidate:
    """Add the candidate ``values`` describes to ``session`` (a SUP or PRO centre's),
    ``added_by`` = ``actor``. Refused, nothing written, when a field breaks a rule (the
    message at that field), the same person (names and birth date) is already a candidate,
    the centre is SCO or adding is closed. The session row is locked meanwhile."""
    with transaction.atomic():
        current = _locked_session(session)
        checked = check_candidate(values)
        if checked.errors:
            raise ValidationError(
                {name: [ValidationError(m) for m in ms] for name, ms in checked.errors.items()}
            )
        candidate = Candidate(session=current, added_by=actor, **checked.fields)
        if Candidate.objects.filter(
            session=current,
            identity_key=identity_key(
                candidate.last_name, candidate.first_name, candidate.birth_date
            ),
        ).exists():
            raise ValidationError(
                {
                    "last_name": ValidationError(
                        ALREADY_CANDIDATE,
                        params={"name": f"{candidate.first_name} {candidate.last_name}"},
                    )
                }
            )
        candidate.save()
    return candidate


def _in_column(name: str, message: str) -> str:
    """A message that does not say which value it is about names the file's column:
    « « Nom de naissance » : ce champ est obligatoire. »."""
    if message == str(REQUIRED) or message == str(TOO_LONG % {"max": TEXT_LENGTHS.get(name)}):
        column = COLUMN_LABELS[name].lstrip("* ")
        return str(IN_COLUMN % {"column": column, "message": message[0].lower() + message[1:]})
    return message


@dataclass
class ImportResult:
    added: int = 0
    already: int = 0  # lines of people already candidates of the session, left as they are


def candidates_import(*, actor, session: CertificationSession, uploaded) -> ImportResult:
    """Add the candidates of the spreadsheet ``uploaded`` (.xlsx or .ods, the template of
    « Importer des candidats ») to ``session``, in one transaction, ``added_by`` = ``actor``.

    Every line is checked first (``check_candidate``, and no person twice in the file);
    when any line breaks a rule, the ValidationError lists every problem as « Ligne N :
    message » and nothing is written. Lines of people already candidates of the session
    (the template comes pre-filled with them) are left as they are and counted. Refused too
    when the file cannot be read, is another session's template, the centre is SCO or
    adding is closed. The session row is locked meanwhile."""
    lines = read_candidates_file(uploaded, session=session)
    result = ImportResult()
    errors: list[str] = []
    with transaction.atomic():
        current = _locked_session(session)
        taken = set(
            Candidate.objects.filter(session=current).values_list("identity_key", flat=True)
        )
        first_line_of: dict[str, int] = {}
        new = []
        today = timezone.localdate()
        lookup = CommuneLookup()
        lookup.preload(
            insee_codes=(line.values["birth_insee_code"].strip().upper() for line in lines),
            postal_codes=(line.values["birth_postal_code"].strip() for line in lines),
        )
        for line in lines:
            checked = check_candidate(line.values, today=today, lookup=lookup)
            # A value that could not be read is not also « required ».
            problems = list(line.problems.values()) + [
                _in_column(name, message)
                for name, messages in checked.errors.items()
                if name not in line.problems
                for message in messages
            ]
            if not problems:
                key = identity_key(
                    checked.fields["last_name"],
                    checked.fields["first_name"],
                    checked.fields["birth_date"],
                )
                if key in first_line_of:
                    problems.append(str(SAME_AS_LINE % {"other": first_line_of[key]}))
                first_line_of.setdefault(key, line.number)
            errors.extend(str(LINE % {"line": line.number, "message": p}) for p in problems)
            if problems:
                continue
            if key in taken:
                result.already += 1
                continue
            new.append(
                Candidate(session=current, added_by=actor, identity_key=key, **checked.fields)
            )
        if errors:
            raise ValidationError(errors)
        # bulk_create does not call save(), which sets identity_key: it is set above.
        Candidate.objects.bulk_create(new)
        result.added = len(new)
    return result
