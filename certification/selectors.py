"""Reads of certification centres, sessions and candidates, scoped to the user's centres.

Every view reads through these: a session, candidate or document of a centre the user does
not belong to answers 404, as if it did not exist.
"""

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from certification.models import Candidate, CertificationCenter, CertificationSession
from registrar.text import parse_id


def centers_of(user) -> QuerySet[CertificationCenter]:
    """The centres ``user`` works for (every centre for a superuser), by name."""
    if user.is_superuser:
        return CertificationCenter.objects.order_by("name")
    return CertificationCenter.objects.filter(memberships__user=user).order_by("name")


def _with_counts(sessions: QuerySet[CertificationSession]) -> QuerySet[CertificationSession]:
    checked_in = Candidate.objects.filter(session=OuterRef("pk"), checked_in_at__isnull=False)
    return sessions.annotate(
        candidate_count=Count("candidates", distinct=True),
        has_checked_in=Exists(checked_in),
    )


def sessions_visible_to(user, *, center: CertificationCenter | None = None):
    """The sessions of ``user``'s centres (of ``center`` only, if given), latest first, each
    with ``candidate_count`` and ``has_checked_in`` in the same query."""
    sessions = CertificationSession.objects.filter(center__in=centers_of(user))
    if center is not None:
        sessions = sessions.filter(center=center)
    return _with_counts(sessions.select_related("center")).order_by(
        "-date", "-start_time", "-number"
    )


def session_for(user, pk: int) -> CertificationSession:
    """The session if it belongs to one of ``user``'s centres; 404 otherwise."""
    sessions = CertificationSession.objects.filter(center__in=centers_of(user))
    return get_object_or_404(_with_counts(sessions.select_related("center")), pk=pk)


def status_of(session: CertificationSession) -> str:
    """The derived status of a session read by session_for / sessions_visible_to."""
    return session.status_from(checked_in=session.has_checked_in)


def candidates_of(session: CertificationSession) -> QuerySet[Candidate]:
    """The session's candidates as the « Candidats » tab lists them: by name."""
    # identity_key starts with the folded names: « Éluard » sorts with the E's everywhere.
    return Candidate.objects.filter(session=session).order_by("identity_key", "pk")


def candidate_for(user, pk: int) -> Candidate:
    """The candidate if their session belongs to one of ``user``'s centres; 404 otherwise."""
    candidates = Candidate.objects.filter(session__center__in=centers_of(user)).select_related(
        "session__center"
    )
    return get_object_or_404(candidates, pk=pk)


def center_filter(user, value: str) -> CertificationCenter | None:
    """The centre a list is narrowed to (?centre=<id>), when it is one of the user's; None
    (no narrowing) for any other text, « ² » and « ١٢ » included."""
    pk = parse_id(value)
    if pk is None:
        return None
    return centers_of(user).filter(pk=pk).first()
