"""Reads of the « Candidats admis » pages (docs/guide/parcoursup.md): the applicant base with
its state, the applicant's page and its history across imports. No writes; the number of
queries does not grow with the rows (docs/architecture.md rule 6)."""

import re
import zoneinfo

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat, TruncDate
from django.shortcuts import get_object_or_404

from admissions_sync.models import (
    PARCOURSUP_TIME_ZONE,
    Applicant,
    ApplicantEvent,
    Formation,
    Preregistration,
    Registration,
)
from registrar.text import fold

_PARIS = zoneinfo.ZoneInfo(PARCOURSUP_TIME_ZONE)

# « État » of the list: the applicants of the latest import, the ones it no longer holds,
# those of them whose pre-registration or registration is kept and needs review, everyone.
PRESENT = "presents"
REMOVED = "retires"
REVIEW = "a_revoir"
ALL = "tous"

# A letter typed without its accent finds it with one (« lea » → « Léa »): each base letter
# becomes the class of its accented forms, both cases (the database compares them
# case-insensitively, but not every engine folds accented capitals).
_ACCENTED = {
    "a": "aàâäáãå",
    "c": "cç",
    "e": "eéèêë",
    "i": "iîïíì",
    "n": "nñ",
    "o": "oôöóòõø",
    "u": "uùûüú",
    "y": "yÿý",
}
_SEPARATORS = " '’-"
_INE = re.compile(r"[0-9A-Za-z]{10}[A-Za-z]")


def formations() -> list[Formation]:
    """Every formation, by code: the « Formation » filters' options (one query)."""
    return list(Formation.objects.order_by("code"))


def _needs_review() -> Q:
    return Q(removed_at__isnull=False) & (
        Q(Exists(Preregistration.objects.filter(applicant=OuterRef("pk"))))
        | Q(Exists(Registration.objects.filter(applicant=OuterRef("pk"))))
    )


def state_condition(state: str) -> Q:
    """The applicants of a value of « État » (PRESENT for an unknown one)."""
    if state == ALL:
        return Q()
    if state == REMOVED:
        return Q(removed_at__isnull=False)
    if state == REVIEW:
        return _needs_review()
    return Q(removed_at__isnull=True)


def name_pattern(text: str) -> str:
    """A regular expression (understood alike by Python for SQLite and by PostgreSQL) that
    matches a name beginning with ``text``, whatever its case and accents: « le g » finds
    « LE GOFF », « lea » finds « Léa », « saint just » finds « SAINT-JUST »."""
    parts = ["^"]
    for ch in fold(text):
        if ch in _ACCENTED:
            parts.append(f"[{_ACCENTED[ch]}{_ACCENTED[ch].upper()}]")
        elif ch in _SEPARATORS:
            parts.append("[ '’-]")
        elif ch.isascii() and ch.isalnum():
            parts.append(ch)
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


def search_condition(queryset: QuerySet, text: str) -> QuerySet:
    """``queryset`` narrowed to the applicants ``text`` finds: a Parcoursup number (its
    beginning), an INE, or the beginning of the last name, the first name, « nom prénom »
    or « prénom nom »."""
    text = " ".join(text.split())
    if not text:
        return queryset
    pattern = name_pattern(text)
    queryset = queryset.annotate(
        _last_first=Concat("last_name", Value(" "), "first_name"),
        _first_last=Concat("first_name", Value(" "), "last_name"),
    )
    condition = (
        Q(last_name__iregex=pattern)
        | Q(first_name__iregex=pattern)
        | Q(_last_first__iregex=pattern)
        | Q(_first_last__iregex=pattern)
    )
    if text.isascii() and text.isdigit():
        condition |= Q(candidate_number__startswith=text)
    elif _INE.fullmatch(text):
        condition |= Q(ine=text.upper())
    return queryset.filter(condition)


def applicant_rows() -> QuerySet:
    """The rows of « Candidats admis »: applicants with their formation, the Paris day they
    appeared (``appeared_on``) and were removed (``removed_on``). The first run is not
    joined whole: its ``plan`` can weigh megabytes."""
    return (
        Applicant.objects.select_related("formation")
        .defer("row_hash")
        .annotate(
            appeared_on=TruncDate(F("first_import__started_at"), tzinfo=_PARIS),
            removed_on=TruncDate(F("removed_at"), tzinfo=_PARIS),
        )
        .order_by("last_name", "first_name", "pk")
    )


def review_count() -> int:
    """How many removed applicants keep a pre-registration or a registration (« À revoir »)."""
    return Applicant.objects.filter(_needs_review()).count()


def applicant_for(pk: int) -> Applicant:
    """The applicant's page: the applicant with their formation, first and removing runs,
    pre-registration and registration (one query); 404 for an unknown pk."""
    return get_object_or_404(
        Applicant.objects.select_related(
            "formation", "first_import", "removed_by", "preregistration", "registration"
        ).defer(
            "first_import__plan",
            "first_import__errors",
            "removed_by__plan",
            "removed_by__errors",
            "preregistration__answers",
        ),
        pk=pk,
    )


def history_of(applicant: Applicant) -> list[ApplicantEvent]:
    """The applicant's history across imports, oldest first, each with its run (one query)."""
    return list(
        ApplicantEvent.objects.filter(applicant=applicant)
        .select_related("run")
        .defer("run__plan", "run__errors")
        .order_by("pk")
    )
