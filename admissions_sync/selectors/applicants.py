"""Reads of the « Candidats admis » pages (docs/guide/parcoursup.md): the applicant base with
its state, the applicant's page and its history across imports. No writes; the number of
queries does not grow with the rows (docs/architecture.md rule 6)."""

import re
import zoneinfo

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404

from admissions_sync.imports import search_key
from admissions_sync.models import (
    PARCOURSUP_TIME_ZONE,
    Applicant,
    ApplicantEvent,
    Formation,
    Preregistration,
    Registration,
)

_PARIS = zoneinfo.ZoneInfo(PARCOURSUP_TIME_ZONE)

# « État » of the list: the applicants of the latest import, the ones it no longer holds,
# those of them whose pre-registration or registration is kept and needs review, everyone.
PRESENT = "presents"
REMOVED = "retires"
REVIEW = "a_revoir"
ALL = "tous"

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


def search_condition(queryset: QuerySet, text: str) -> QuerySet:
    """``queryset`` narrowed to the applicants ``text`` finds: a Parcoursup number (its
    beginning), an INE, or the beginning of the last name, the first name, « nom prénom »
    or « prénom nom », whatever the case, accents, hyphens and apostrophes (« le g » finds
    « LE GOFF », « lea » « Léa », « saint just » « SAINT-JUST »). Left-anchored LIKEs on the
    folded names, which their indexes serve (Applicant.Meta.indexes)."""
    words = search_key(text).split()
    if not words:
        return queryset
    joined = " ".join(words)
    condition = Q(search_last_name__startswith=joined) | Q(search_first_name__startswith=joined)
    for cut in range(1, len(words)):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        condition |= Q(search_last_name=head, search_first_name__startswith=tail)
        condition |= Q(search_first_name=head, search_last_name__startswith=tail)
    text = text.strip()
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
        .order_by("search_last_name", "search_first_name", "pk")
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
            "first_import__listing",
            "first_import__errors",
            "removed_by__plan",
            "removed_by__listing",
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
        .defer("run__plan", "run__errors", "run__listing")
        .order_by("pk")
    )
