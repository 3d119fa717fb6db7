"""Reads of the end-of-day report back to Parcoursup (the guide: « Remontée vers Parcoursup
des inscriptions administratives »): what one day's file holds. No writes."""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from admissions_sync.models import Formation, Registration


@dataclass(frozen=True)
class ReportLine:
    """One line of the report: an applicant and the état of their registration that day."""

    candidate_number: str
    ine: str
    last_name: str
    first_name: str
    birth_date: datetime.date
    formation_code: str
    uai: str
    state: int

    @property
    def state_label(self) -> str:
        return str(Registration.State(self.state).label)


def report_lines(day: datetime.date, formation: Formation | None = None) -> list[ReportLine]:
    """The report of ``day`` (a Paris day), of one formation or all: every registration that
    became validated and paid that day (``reported_on``) with its état, and every one
    cancelled that day (``cancelled_on``) with état 3 — once, with état 3, when both
    happened the same day. A registration cancelled later is still reported with its own
    état on the day it became complete: a day's file never changes afterwards, except for
    what happens on that very day (the report is re-read, never stored). A registration
    cancelled before it was ever reported is not listed.
    Ordered by formation code, then candidate number. One query."""
    registrations = (
        # A registration cancelled before it was ever complete was never reported: its
        # cancellation is nothing Parcoursup needs to hear about.
        Registration.objects.filter(
            Q(reported_on=day) | Q(cancelled_on=day, reported_on__isnull=False)
        )
        .select_related("applicant__formation")
        .only(
            "state",
            "reported_on",
            "cancelled_on",
            "applicant__candidate_number",
            "applicant__ine",
            "applicant__last_name",
            "applicant__first_name",
            "applicant__birth_date",
            "applicant__formation__code",
            "applicant__formation__uai",
        )
    )
    if formation is not None:
        registrations = registrations.filter(applicant__formation=formation)
    lines = []
    for registration in registrations:
        applicant = registration.applicant
        state = (
            Registration.State.CANCELLED
            if registration.cancelled_on == day
            else Registration.State(registration.state)
        )
        lines.append(
            ReportLine(
                candidate_number=applicant.candidate_number,
                ine=applicant.ine,
                last_name=applicant.last_name,
                first_name=applicant.first_name,
                birth_date=applicant.birth_date,
                formation_code=applicant.formation.code,
                uai=applicant.formation.uai,
                state=int(state),
            )
        )
    # Candidate numbers are digits of varying length: sorted as numbers, not as text.
    lines.sort(key=lambda line: (line.formation_code, int(line.candidate_number)))
    return lines
