"""Reads of the registration desk (« chaîne d'inscription »): the day's dashboard, the
search, an applicant's file, the students a validation may match. No writes; query counts
that do not grow with the rows (docs/architecture.md « selectors »)."""

import datetime
import re
import zoneinfo
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Concat
from django.http import Http404
from django.utils.translation import gettext as _

from admissions_sync.imports import search_key
from admissions_sync.models import (
    PARCOURSUP_TIME_ZONE,
    Applicant,
    ApplicantDocument,
    Formation,
    LinkSending,
    Preregistration,
    Registration,
    RegistrationEvent,
)
from registrar.models import Student
from registrar.services.students import find_duplicates

PARIS = zoneinfo.ZoneInfo(PARCOURSUP_TIME_ZONE)
LINKS_SHOWN = 10


@dataclass
class DashboardRow:
    """A formation's line of the day's dashboard."""

    formation: Formation
    waiting: int = 0
    in_progress: int = 0
    validated: int = 0
    paid: int = 0


@dataclass
class Dashboard:
    day: datetime.date
    rows: list[DashboardRow] = field(default_factory=list)

    def _sum(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.rows)

    @property
    def totals(self) -> dict[str, int]:
        return {name: self._sum(name) for name in ("waiting", "in_progress", "validated", "paid")}


def paris_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The instants the Paris day ``day`` starts and ends."""
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=PARIS)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, PARIS)
    return start, end


def _by_formation(queryset: QuerySet) -> dict[int, int]:
    return {
        row["applicant__formation"]: row["n"]
        for row in queryset.values("applicant__formation").annotate(n=Count("pk")).order_by()
    }


def dashboard(day: datetime.date) -> Dashboard:
    """The Paris day ``day``, by formation: pre-registrations submitted and waiting (no
    registration opened), registrations in progress (opened, not validated), validated
    that day, paid that day. Five queries whatever the counts: one aggregate per kind and
    the formations."""
    start, end = paris_bounds(day)
    waiting = _by_formation(
        Preregistration.objects.filter(
            status=Preregistration.Status.SUBMITTED, applicant__registration__isnull=True
        )
    )
    in_progress = _by_formation(
        Registration.objects.filter(
            opened_at__isnull=False, validated_at__isnull=True, cancelled_at__isnull=True
        )
    )
    validated = _by_formation(
        Registration.objects.filter(validated_at__gte=start, validated_at__lt=end)
    )
    paid = _by_formation(Registration.objects.filter(paid_at__gte=start, paid_at__lt=end))
    ids = set(waiting) | set(in_progress) | set(validated) | set(paid)
    formations = Formation.objects.filter(Q(is_active=True) | Q(pk__in=ids)).order_by("code")
    return Dashboard(
        day=day,
        rows=[
            DashboardRow(
                formation,
                waiting.get(formation.pk, 0),
                in_progress.get(formation.pk, 0),
                validated.get(formation.pk, 0),
                paid.get(formation.pk, 0),
            )
            for formation in formations
        ],
    )


# --------------------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------------------

_WILDCARDS = re.compile(r"\*+")


def fold_pattern(text: str) -> str:
    """``text`` folded as the names are (admissions_sync.imports.search_key), the ``*``
    wildcards kept: « DUP* » → « dup* », « *Léa » → « *lea »."""
    return "*".join(search_key(part) for part in _WILDCARDS.split(text))


def _name_match(name: str, pattern: str) -> Q:
    """``name`` (a folded column) matching ``pattern`` (folded, ``*`` any characters): an
    equality, a left-anchored LIKE (its varchar_pattern_ops index serves it), or — a leading
    wildcard — a scan."""
    if "*" not in pattern:
        return Q(**{name: pattern})
    parts = pattern.split("*")
    condition = Q()
    if parts[0]:
        condition &= Q(**{f"{name}__startswith": parts[0]})
    if parts[-1]:
        condition &= Q(**{f"{name}__endswith": parts[-1]})
    middles = [part for part in parts[1:-1] if part]
    if middles:
        regex = "^" + ".*".join(re.escape(part) for part in parts) + "$"
        condition &= Q(**{f"{name}__regex": regex})
    return condition


def search_condition(text: str) -> Q:
    """The applicants ``text`` finds: a Parcoursup number (ASCII digits, exact), or names
    with ``*`` wildcards; « NOM Prénom » also splits into last name then first name."""
    text = " ".join(text.split())
    if text.isascii() and text.isdigit():
        return Q(candidate_number=text)
    words = [fold_pattern(word) for word in text.split()]
    words = [word for word in words if word]
    joined = " ".join(words)
    condition = _name_match("search_last_name", joined) | _name_match("search_first_name", joined)
    for cut in range(1, len(words)):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        condition |= _name_match("search_last_name", head) & _name_match("search_first_name", tail)
    return condition


def search_rows(text: str = "", birth_date: datetime.date | None = None) -> QuerySet:
    """The applicants the desk's search finds, with their formation's code and the French
    labels of their pre-registration's and registration's states (one query a page)."""
    # Only what the table shows: never a pre-registration's answers nor an applicant's whole
    # Parcoursup line (the states come as labels, from the joins of the annotations below).
    rows = Applicant.objects.select_related("formation").only(
        "pk",
        "candidate_number",
        "last_name",
        "first_name",
        "birth_date",
        "removed_at",
        "search_last_name",
        "search_first_name",
        "formation__code",
    )
    if text:
        rows = rows.filter(search_condition(text))
    if birth_date is not None:
        rows = rows.filter(birth_date=birth_date)
    return rows.annotate(
        preregistration_state=Case(
            *[
                When(preregistration__status=value, then=Value(str(label)))
                for value, label in Preregistration.Status.choices
            ],
            default=Value(_("Aucune")),
            output_field=CharField(),
        ),
        registration_state=Case(
            When(registration__cancelled_at__isnull=False, then=Value(_("Annulée"))),
            When(registration__validated_at__isnull=False, then=Value(_("Inscrit"))),
            When(registration__opened_at__isnull=False, then=Value(_("En cours"))),
            default=Value(_("Aucune")),
            output_field=CharField(),
        ),
    ).order_by(
        # In name order, through an expression no index holds: with the page's LIMIT, the
        # planner would otherwise walk the whole name-order index and filter it (« dup* »:
        # 16.8 ms) instead of combining the two prefix indexes and sorting the few rows
        # found (2.1 ms; docs/performance.md « Préinscription et chaîne d'inscription »).
        Concat(F("search_last_name"), Value(""), output_field=CharField()),
        Concat(F("search_first_name"), Value(""), output_field=CharField()),
        "pk",
    )


# --------------------------------------------------------------------------------------
# An applicant's file
# --------------------------------------------------------------------------------------


def applicant_for(pk: int) -> Applicant:
    """The applicant with their formation, pre-registration (and documents with their
    reviewer), registration (student, payment); 404 if none."""
    applicant = (
        Applicant.objects.select_related(
            "formation",
            "formation__program",
            "formation__admission_term",
            "preregistration",
            "registration",
            "registration__student",
            "registration__validated_by",
        )
        .defer("row_hash")
        .filter(pk=pk)
        .first()
    )
    if applicant is None:
        raise Http404
    return applicant


def documents_of(preregistration: Preregistration | None) -> list[ApplicantDocument]:
    if preregistration is None:
        return []
    return list(
        ApplicantDocument.objects.filter(preregistration=preregistration)
        .select_related("reviewed_by")
        .order_by("kind")
    )


def document_for(applicant: Applicant, pk: int) -> ApplicantDocument:
    """The applicant's document ``pk``; another applicant's → 404."""
    document = (
        ApplicantDocument.objects.select_related("preregistration")
        .filter(pk=pk, preregistration__applicant=applicant)
        .first()
    )
    if document is None:
        raise Http404
    return document


def events_of(applicant: Applicant) -> list[RegistrationEvent]:
    return list(
        RegistrationEvent.objects.filter(applicant=applicant)
        .select_related("actor")
        .order_by("-at", "-pk")
    )


def link_sendings_of(applicant: Applicant) -> list[LinkSending]:
    return list(
        LinkSending.objects.filter(applicant=applicant)
        .select_related("sent_by", "email", "link")
        .order_by("-sent_at", "-pk")[:LINKS_SHOWN]
    )


def payment_of(registration: Registration | None):
    from admissions_sync.models import Payment

    if registration is None:
        return None
    return (
        Payment.objects.select_related("recorded_by", "scholarship_proof")
        .filter(registration=registration)
        .first()
    )


def registration_matches(applicant: Applicant) -> list[Student]:
    """The registrar's students who may be ``applicant``: the INE's holder first (the
    applicant's, or the one typed at the bac step), then the students with the same folded
    last and first names and birth date (registrar.text.fold)."""
    ine = (applicant.ine or "").upper()
    if not ine:
        preregistration = Preregistration.objects.filter(applicant=applicant).first()
        bac = (preregistration.answers or {}).get("bac") if preregistration else None
        value = bac.get("ine") if isinstance(bac, dict) else None
        ine = value.strip().upper() if isinstance(value, str) else ""
    found: list[Student] = []
    if len(ine) == 11:
        found = list(Student.objects.filter(ine=ine))
    for duplicate in find_duplicates(
        last_name=applicant.last_name,
        first_name=applicant.first_name,
        birth_date=applicant.birth_date,
    ):
        if duplicate.student not in found:
            found.append(duplicate.student)
    return found


__all__ = [
    "Dashboard",
    "applicant_for",
    "dashboard",
    "document_for",
    "documents_of",
    "events_of",
    "link_sendings_of",
    "registration_matches",
    "search_rows",
]
