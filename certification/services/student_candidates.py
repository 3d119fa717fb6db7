"""Adding a SCO centre's own pupils as candidates of its session (the guide's « Ajouter des
candidats » → « Ajouter des élèves »): the pupils of certification.selectors.pupils_of, no
other student of the institution."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import Candidate, CertificationSession, identity_key
from certification.selectors import linked_students_named, pupils_of, taken_by_candidates
from certification.services.candidates import ensure_candidates_can_be_added
from registrar.models import Student
from registrar.text import parse_id

NOT_SCHOOL_CENTER = _(
    "Seuls les centres SCO ajoutent leurs élèves comme candidats : "
    "ce centre ajoute ses candidats un par un ou par import."
)
NOT_CENTRE_PUPILS = _(
    "Élève absent de la liste des élèves du centre (inactif, sans classe, d'un autre "
    "établissement ou inconnu) : %(names)s. Aucun élève n'a été ajouté."
)
# A forged value is quoted back, cut to this length.
QUOTED_MAX_LENGTH = 20

# What a student record lacks to make a candidate, as the warning lists it.
MISSING_BIRTH_DATE = _("date de naissance")
MISSING_SEX = _("sexe")
MISSING_BIRTH_CITY = _("commune de naissance")
MISSING_BIRTH_COUNTRY = _("pays de naissance")

# The candidate table refuses a birth date before 1900 (certification_candidate_birth_after_1900).
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)


@dataclass
class AddResult:
    """What « Ajouter » did: ``added`` new candidates, ``already`` students skipped because
    they are already candidates of the session (same student or same identity), and the
    ``incomplete`` students not added, each with the labels of what their record lacks."""

    added: int = 0
    already: int = 0
    incomplete: list[tuple[Student, list[str]]] = field(default_factory=list)


def missing_for_candidate(student: Student, *, today: datetime.date | None = None) -> list[str]:
    """The labels of what ``student``'s record lacks to become a candidate (empty when
    nothing): a birth date (after 1900, not in the future), a sex M or F, the birth city
    and the birth country."""
    today = today or timezone.localdate()
    missing = []
    if student.birth_date is None or not EARLIEST_BIRTH_DATE <= student.birth_date <= today:
        missing.append(str(MISSING_BIRTH_DATE))
    if student.sex not in Candidate.Sex.values:
        missing.append(str(MISSING_SEX))
    if not (student.birth_city or "").strip():
        missing.append(str(MISSING_BIRTH_CITY))
    if not (student.birth_country or "").strip():
        missing.append(str(MISSING_BIRTH_COUNTRY))
    return missing


def student_identity_key(student: Student) -> str:
    return identity_key(student.last_name, student.first_name, student.birth_date)


def _candidate_from(student: Student, *, session: CertificationSession, actor) -> Candidate:
    # Student records hold no INSEE or postal code: the commune is the birth city (for a
    # France-born student too) and the codes stay blank.
    return Candidate(
        session=session,
        student=student,
        last_name=student.last_name.strip(),
        first_name=student.first_name.strip(),
        sex=student.sex,
        birth_date=student.birth_date,
        birth_city=student.birth_city.strip(),
        birth_department=student.birth_department.strip(),
        birth_country=student.birth_country.strip(),
        class_name=student.class_division.strip(),
        # bulk_create does not call save(), which sets it.
        identity_key=student_identity_key(student),
        added_by=actor,
    )


def _student_ids(values: Iterable) -> tuple[list[int], list[str]]:
    """The ids among ``values`` (ints, or request text in ASCII digits within bigint: « ² »,
    « ١٢ » or 20 digits are not ids, registrar.text.parse_id), each once; and the values that
    are not ids, quoted for the refusal."""
    ids, forged = [], []
    for value in values:
        pk = value if isinstance(value, int) and value > 0 else parse_id(value)
        if pk is None:
            text = str(value)
            if len(text) > QUOTED_MAX_LENGTH:
                text = text[:QUOTED_MAX_LENGTH] + "…"
            forged.append(f"« {text} »")
        else:
            ids.append(pk)
    return list(dict.fromkeys(ids)), forged


def _refuse_strangers(center, ids: list[int], found: set[int], forged: list[str]) -> None:
    """Refuse the chosen students who are not the centre's pupils (a stale page: inactive
    since, or no class any more; a forged request: another school's student, an unknown id).
    Only students of the centre's own schools are named; others are a number to its staff."""
    absent = [pk for pk in ids if pk not in found]
    names = linked_students_named(center, absent) if absent else {}
    listed = ", ".join(forged + [names.get(pk, f"n° {pk}") for pk in absent])
    raise ValidationError(NOT_CENTRE_PUPILS, params={"names": listed})


def ensure_pupils_can_be_added(session: CertificationSession) -> None:
    """Refuse (ValidationError) adding pupils to ``session``: NOT_SCHOOL_CENTER unless its
    centre is SCO, then candidates.ensure_candidates_can_be_added (ADDING_CLOSED). The
    « Ajouter des élèves » page shows the refusal; candidates_add_from_students enforces
    it again under the session's lock. Writes nothing."""
    if not session.center.is_school:
        raise ValidationError(NOT_SCHOOL_CENTER)
    ensure_candidates_can_be_added(session)


def candidates_add_from_students(
    *, actor, session: CertificationSession, student_ids: Iterable
) -> AddResult:
    """Add the pupils ``student_ids`` of ``session``'s SCO centre as its candidates, with
    their identity, birth data and class copied from their record, ``added_by`` = ``actor``;
    one INSERT for all of them.

    Students already candidates of the session (the same student, or the same folded names
    and birth date) are skipped and counted; students whose record lacks what a candidate
    needs are not added and are returned with what they lack. Refused, nothing written, when
    the centre is not SCO, adding is closed (the session has started, a candidate joined it,
    or it is finalized), or an id is not one of the centre's pupils (selectors.pupils_of:
    active, with a class, admitted to one of its schools) — checked under the session's
    lock, like the rest. The lock also keeps two staff adding at once from adding anyone
    twice.
    """
    ids, forged = _student_ids(student_ids)
    result = AddResult()
    with transaction.atomic():
        current = (
            CertificationSession.objects.select_for_update(of=("self",))
            .select_related("center")
            .get(pk=session.pk)
        )
        ensure_pupils_can_be_added(current)
        if not ids and not forged:
            return result
        students = list(pupils_of(current.center).filter(pk__in=ids)) if ids else []
        if forged or len(students) != len(ids):
            _refuse_strangers(current.center, ids, {student.pk for student in students}, forged)
        taken = taken_by_candidates(current)
        new = []
        today = timezone.localdate()
        for student in students:
            key = student_identity_key(student)
            if taken.includes(student, key):
                result.already += 1
                continue
            missing = missing_for_candidate(student, today=today)
            if missing:
                result.incomplete.append((student, missing))
                continue
            new.append(_candidate_from(student, session=current, actor=actor))
            # Two records of the same person chosen together: the second one is « already ».
            taken.add(student, key)
        Candidate.objects.bulk_create(new)
        result.added = len(new)
    return result
