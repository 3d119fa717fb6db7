"""« Admission rapide »: a new student and their first admission, written together.

The guide (Clara, « Inscription d'un candidat à un cours ») sends staff to « Admission
rapide » for a new candidate: one screen for the identity, the contacts and the admission.
"""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _

from registrar import validators
from registrar.audit import record_change, snapshot
from registrar.models import (
    Admission,
    AuditEntry,
    Language,
    OrgUnit,
    Program,
    Student,
    Term,
)
from registrar.text import fold

SCREEN = "Admission rapide"

BIRTH_DATE_REQUIRED = _("Saisissez la date de naissance.")
BIRTH_DATE_EARLY = _("La date de naissance doit être postérieure au 01/01/1900.")
BIRTH_DATE_FUTURE = _("La date de naissance ne peut pas être dans le futur.")
SEX_REQUIRED = _("Indiquez le sexe.")
DA_CHARACTERS = _("Le numéro DA ne contient que des chiffres de 0 à 9 (le tiret est permis).")
DA_TAKEN = _("Le numéro DA %(da)s est déjà celui de %(name)s.")
DA_EXHAUSTED = _(
    "Aucun numéro DA libre après le plus grand numéro attribué : saisissez le numéro DA."
)
PERMANENT_CODE_TAKEN = _("Le code permanent %(code)s est déjà celui de %(name)s.")
HOMONYM_UNCONFIRMED = _(
    "Un étudiant du même nom, du même prénom et de la même date de naissance existe déjà : "
    "ouvrez son dossier, ou cochez « Il s'agit d'une autre personne »."
)
PROGRAM_INACTIVE = _("Le programme %(program)s n'est plus offert.")
ORG_UNIT_INACTIVE = _("L'unité organisationnelle %(unit)s n'est plus active.")
GRID_REQUIRED = _("Saisissez la grille (ex. JEE0K-17R-RA).")
GRID_FORMAT = _(
    "La grille ne contient que des lettres, des chiffres, des points et des tirets "
    "(ex. JEE0K-17R-RA)."
)

EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
# The fields of the file's « Coordonnées » the screen fills.
CONTACT_FIELDS = (
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
)
STUDENT_AUDITED = [
    "da_number",
    "permanent_code",
    "last_name",
    "first_name",
    "birth_date",
    "sex",
    *CONTACT_FIELDS,
    "language",
]
ADMISSION_AUDITED = ["program", "grid_code", "org_unit", "term", "status"]
_GRID = re.compile(r"[A-Z0-9][A-Z0-9.-]*")
# Two staff saving at once compute the same next DA; the loser takes the one after.
DA_ATTEMPTS = 5


@dataclass
class Duplicate:
    """An existing student who may be the person being admitted, and why."""

    student: Student
    reasons: set[str] = field(default_factory=set)  # "permanent_code", "da_number", "homonym"

    @property
    def blocks(self) -> bool:
        """Same code permanent or DA: both are unique, saving is refused."""
        return bool(self.reasons & {"permanent_code", "da_number"})


def normalize_da_number(value: str) -> str:
    """« 123-4567 » or « 123 4567 » -> « 1234567 »; other characters are left for the
    validator to refuse."""
    return "".join((value or "").replace("-", "").split())


def next_free_da_number() -> str:
    """The institution's next DA number: the one after the largest number of the mask's
    length (STUDENT_NUMBER_MASK), zero-padded. Only a suggestion under concurrency: the
    unique constraint decides, and student_admit_quickly retries (see DA_ATTEMPTS)."""
    count = validators.da_digit_count()
    # The unique index on da_number gives the maximum without reading the table.
    largest = Student.objects.filter(da_number__length=count).aggregate(m=Max("da_number"))["m"]
    following = int(largest) + 1 if largest else 1
    if following >= 10**count:
        raise ValidationError({"da_number": DA_EXHAUSTED})
    return f"{following:0{count}d}"


def find_duplicates(
    *,
    permanent_code: str = "",
    da_number: str = "",
    last_name: str = "",
    first_name: str = "",
    birth_date: datetime.date | None = None,
    limit: int = 20,
) -> list[Duplicate]:
    """The existing students with the same code permanent, the same DA, or the same folded
    last and first names and birth date (registrar.text.fold), each with its reasons.
    Reads only; one query, through the indexes of those columns."""
    permanent_code = validators.normalize_permanent_code(permanent_code)
    da_number = normalize_da_number(da_number)
    folded_last, folded_first = fold(last_name), fold(first_name)
    conditions = Q()
    if permanent_code:
        conditions |= Q(permanent_code=permanent_code)
    if da_number:
        conditions |= Q(da_number=da_number)
    if folded_last and folded_first and birth_date:
        conditions |= Q(
            search_last_name=folded_last, search_first_name=folded_first, birth_date=birth_date
        )
    if not conditions:
        return []
    found = []
    for student in Student.objects.filter(conditions).order_by("last_name", "first_name", "pk")[
        :limit
    ]:
        duplicate = Duplicate(student)
        if permanent_code and student.permanent_code == permanent_code:
            duplicate.reasons.add("permanent_code")
        if da_number and student.da_number == da_number:
            duplicate.reasons.add("da_number")
        if (student.search_last_name, student.search_first_name, student.birth_date) == (
            folded_last,
            folded_first,
            birth_date,
        ):
            duplicate.reasons.add("homonym")
        found.append(duplicate)
    return found


def student_admit_quickly(
    *,
    actor,
    last_name: str,
    first_name: str,
    birth_date: datetime.date | None,
    sex: str,
    program: Program,
    grid_code: str,
    org_unit: OrgUnit,
    term: Term,
    permanent_code: str = "",
    da_number: str = "",
    contacts: Mapping[str, str] | None = None,
    language: Language | None = None,
    homonym_confirmed: bool = False,
    screen: str = SCREEN,
) -> Student:
    """« Admission rapide »: create a student and their admission to ``program``
    (``grid_code``, ``org_unit``, first term ``term``, status « Admis »), with one audit
    entry for each, in one transaction.

    ``da_number`` blank takes the next free DA (next_free_da_number); ``contacts`` holds
    CONTACT_FIELDS. Refused, writing nothing: a birth date missing, before 1900 or in the
    future; a code permanent or DA already taken (also when another agent took it while
    this one was saving: the database's unique constraints decide); a student with the same
    names and birth date unless ``homonym_confirmed``; an inactive program or org unit; any
    rule of the student record (Student.full_clean: DA mask, code permanent format and its
    agreement with birth date and sex, e-mail, lengths).
    """
    contacts = dict(contacts or {})
    unknown = contacts.keys() - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    typed_da = normalize_da_number(da_number)
    student = Student(
        last_name=(last_name or "").strip(),
        first_name=(first_name or "").strip(),
        birth_date=birth_date,
        sex=sex or "",
        permanent_code=validators.normalize_permanent_code(permanent_code),
        language=language,
        **{name: (value or "").strip() for name, value in contacts.items()},
    )
    _check_identity(student, typed_da)
    grid_code = (grid_code or "").strip().upper()
    _check_admission(program, org_unit, grid_code)
    _refuse_duplicates(student, typed_da, homonym_confirmed=homonym_confirmed)
    with transaction.atomic():
        _create_student(actor=actor, student=student, typed_da=typed_da, screen=screen)
        _create_admission(
            actor=actor,
            student=student,
            program=program,
            grid_code=grid_code,
            org_unit=org_unit,
            term=term,
            screen=screen,
        )
    return student


def _create_student(
    *, actor, student: Student, typed_da: str, screen: str, audited=STUDENT_AUDITED
) -> None:
    """Insert ``student`` (the typed DA, else the next free one) and audit its creation."""
    _save_with_da(student, typed_da)
    record_change(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=student,
        student=student,
        screen=screen,
        # A creation lists what was given: the blank fields would only be noise.
        after={
            name: value
            for name, value in snapshot(student, audited).items()
            if value not in ("", None)
        },
    )


def _create_admission(
    *, actor, student: Student, program, grid_code: str, org_unit, term, screen: str
) -> Admission:
    """Insert ``student``'s admission to ``program`` (status « Admis ») and audit it."""
    admission = Admission(
        student=student,
        program=program,
        grid_code=grid_code,
        org_unit=org_unit,
        term=term,
        status=Admission.Status.ADMITTED,
    )
    admission.full_clean()
    admission.save()
    record_change(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=admission,
        student=student,
        screen=screen,
        after=snapshot(admission, ADMISSION_AUDITED),
    )
    return admission


def _check_identity(student: Student, typed_da: str) -> None:
    """The rules the model leaves to the screen: a birth date (the homonym check needs it)
    within 1900..today, a sex, and a typed DA in ASCII digits (said first, in its own
    words: « ١٢٣٤٥٦٧ » has the mask's length, and the model's DA_FORMAT would only say
    « exactement 7 chiffres »)."""
    errors: dict[str, list] = {}
    if student.birth_date is None:
        errors["birth_date"] = [BIRTH_DATE_REQUIRED]
    elif student.birth_date < EARLIEST_BIRTH_DATE:
        errors["birth_date"] = [BIRTH_DATE_EARLY]
    elif student.birth_date > datetime.date.today():
        errors["birth_date"] = [BIRTH_DATE_FUTURE]
    if not student.sex:
        errors["sex"] = [SEX_REQUIRED]
    if typed_da and not typed_da.isascii():
        errors["da_number"] = [DA_CHARACTERS]
    if errors:
        raise ValidationError(errors)


def _check_admission(program: Program, org_unit: OrgUnit, grid_code: str) -> None:
    errors = {}
    if not grid_code:
        errors["grid_code"] = [GRID_REQUIRED]
    elif not _GRID.fullmatch(grid_code):
        # Only the characters of a grid: a formula or markup is no grid code.
        errors["grid_code"] = [GRID_FORMAT]
    if not program.is_active:
        errors["program"] = [PROGRAM_INACTIVE % {"program": program.code}]
    if not org_unit.is_active:
        errors["org_unit"] = [ORG_UNIT_INACTIVE % {"unit": org_unit.code}]
    if errors:
        raise ValidationError(errors)


def _refuse_duplicates(student: Student, typed_da: str, *, homonym_confirmed: bool) -> None:
    errors: dict[str, list] = {}
    for duplicate in find_duplicates(
        permanent_code=student.permanent_code,
        da_number=typed_da,
        last_name=student.last_name,
        first_name=student.first_name,
        birth_date=student.birth_date,
    ):
        name = duplicate.student.full_name
        if "permanent_code" in duplicate.reasons:
            errors.setdefault("permanent_code", []).append(
                PERMANENT_CODE_TAKEN % {"code": student.permanent_code, "name": name}
            )
        if "da_number" in duplicate.reasons:
            errors.setdefault("da_number", []).append(
                DA_TAKEN % {"da": duplicate.student.da_display, "name": name}
            )
        if "homonym" in duplicate.reasons and not homonym_confirmed:
            errors["homonym_confirmed"] = [HOMONYM_UNCONFIRMED]
    if errors:
        raise ValidationError(errors)


def _save_with_da(student: Student, typed_da: str) -> None:
    """Give ``student`` the typed DA or the next free one, check the whole record
    (full_clean) and insert it. A generated DA that another agent took meanwhile is
    replaced by the next one; a typed DA or a code permanent taken meanwhile is refused
    with this screen's message (the identifier and whose it is), never a server error."""
    for _attempt in range(DA_ATTEMPTS):
        student.da_number = typed_da or next_free_da_number()
        try:
            student.full_clean()
            # A savepoint: a lost race rolls back this insert only, not the transaction.
            with transaction.atomic():
                student.save()
            return
        except (ValidationError, IntegrityError):
            # Another agent's student took an identifier since _refuse_duplicates looked:
            # full_clean saw it committed, or the unique constraint refused the insert
            # (PostgreSQL made the insert wait for that commit, so this read sees it).
            student.pk = None
            taken = _taken_identifiers(student)
            if not taken:
                raise
            if taken == {"da_number"} and not typed_da:
                continue
            raise _taken_error(student, taken) from None
    raise ValidationError({"da_number": DA_EXHAUSTED})


def _taken_identifiers(student: Student) -> set[str]:
    """Which of the student's unique identifiers another student holds now."""
    taken = set()
    if Student.objects.filter(da_number=student.da_number).exists():
        taken.add("da_number")
    if (
        student.permanent_code
        and Student.objects.filter(permanent_code=student.permanent_code).exists()
    ):
        taken.add("permanent_code")
    return taken


def _taken_error(student: Student, taken: set[str]) -> ValidationError:
    errors = {}
    if "da_number" in taken:
        holder = Student.objects.filter(da_number=student.da_number).first()
        errors["da_number"] = [
            DA_TAKEN % {"da": student.da_display, "name": holder.full_name if holder else "—"}
        ]
    if "permanent_code" in taken:
        holder = Student.objects.filter(permanent_code=student.permanent_code).first()
        errors["permanent_code"] = [
            PERMANENT_CODE_TAKEN
            % {"code": student.permanent_code, "name": holder.full_name if holder else "—"}
        ]
    return ValidationError(errors)


# --------------------------------------------------------------------------------------
# A workflow's registration: create the student, or update the one the agent confirmed
# --------------------------------------------------------------------------------------

# The identity fields a workflow hands over (the rest of the file stays as it is).
IDENTITY_FIELDS = (
    "last_name",
    "first_name",
    "birth_date",
    "sex",
    "ine",
    "birth_city",
    "birth_country",
)
REGISTER_AUDITED = [*STUDENT_AUDITED, "ine", "birth_city", "birth_country"]
INE_TAKEN = _("L'INE %(ine)s est déjà celui de %(name)s.")
ADMISSION_OTHER_PROGRAM = _(
    "%(name)s a déjà une admission de grille %(grid)s pour la session %(term)s dans un autre "
    "programme : corrigez la grille de la formation."
)


def _clipped(name: str, value) -> object:
    """``value`` stripped and cut to the Student field's length (a workflow's text fields
    may be longer than the record's: an address line of 150 characters)."""
    if not isinstance(value, str):
        return value
    max_length = Student._meta.get_field(name).max_length
    value = value.strip()
    return value[:max_length] if max_length else value


def student_register_or_update(
    *,
    actor,
    student: Student | None,
    identity: Mapping[str, object],
    contacts: Mapping[str, str],
    program: Program,
    grid_code: str,
    org_unit: OrgUnit,
    term: Term,
    screen: str,
) -> tuple[Student, Admission]:
    """Register a person in ``program``: create their student record (``student`` None, the
    next free DA) or update ``student``, the existing record an agent confirmed is the same
    person (its identity and contacts brought up to date with the non-blank values given;
    its sex only filled when blank), then their admission (``grid_code``, ``org_unit``,
    first term ``term``, status « Admis »), reusing an admission with the same grid and term
    in that program.

    ``identity`` holds IDENTITY_FIELDS, ``contacts`` CONTACT_FIELDS (values longer than the
    record's fields are cut). Writes the Student and the Admission, each audited
    (registrar.audit, ``screen``), in one transaction; when called inside the caller's
    transaction, it joins it. Refused, writing nothing: an INE another student holds; an
    identity the record refuses (birth date, sex, Student.full_clean); an inactive program or
    org unit, a malformed grid; an admission with the same grid and term in another program.
    """
    unknown = (identity.keys() - set(IDENTITY_FIELDS)) | (contacts.keys() - set(CONTACT_FIELDS))
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    values = {
        name: _clipped(name, value)
        for name, value in {**identity, **contacts}.items()
        if value not in (None, "")
    }
    grid_code = (grid_code or "").strip().upper()
    _check_admission(program, org_unit, grid_code)
    with transaction.atomic():
        if student is None:
            student = Student(**values)
            _check_identity(student, "")
            _refuse_taken_ine(student)
            _create_student(
                actor=actor, student=student, typed_da="", screen=screen, audited=REGISTER_AUDITED
            )
        else:
            student = Student.objects.select_for_update().get(pk=student.pk)
            before = snapshot(student, REGISTER_AUDITED)
            for name, value in values.items():
                # The record's sex, when it has one, stays: its code permanent may encode it.
                if name == "sex" and student.sex:
                    continue
                setattr(student, name, value)
            _check_identity(student, "")
            _refuse_taken_ine(student)
            student.full_clean()
            after = snapshot(student, REGISTER_AUDITED)
            if after != before:
                student.save()
                record_change(
                    actor=actor,
                    action=AuditEntry.Action.UPDATE,
                    instance=student,
                    student=student,
                    screen=screen,
                    before=before,
                    after=after,
                )
        admission = _admission_for(
            actor=actor,
            student=student,
            program=program,
            grid_code=grid_code,
            org_unit=org_unit,
            term=term,
            screen=screen,
        )
    return student, admission


def _refuse_taken_ine(student: Student) -> None:
    student.ine = (student.ine or "").strip().upper()
    if not student.ine:
        return
    holder = Student.objects.filter(ine=student.ine).exclude(pk=student.pk).first()
    if holder is not None:
        raise ValidationError({"ine": [INE_TAKEN % {"ine": student.ine, "name": holder.full_name}]})


def _admission_for(
    *, actor, student: Student, program, grid_code: str, org_unit, term, screen: str
) -> Admission:
    existing = (
        Admission.objects.select_for_update()
        .filter(student=student, grid_code=grid_code, term=term)
        .first()
    )
    if existing is not None:
        if existing.program_id != program.pk:
            raise ValidationError(
                ADMISSION_OTHER_PROGRAM
                % {"name": student.full_name, "grid": grid_code, "term": term.code}
            )
        return existing
    return _create_admission(
        actor=actor,
        student=student,
        program=program,
        grid_code=grid_code,
        org_unit=org_unit,
        term=term,
        screen=screen,
    )
