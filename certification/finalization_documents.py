"""The « PV d'incident » of a finalized session as an A4 PDF (weasyprint): the session's facts,
each candidate's attendance as recorded at finalization, the incidents, the global comment
and who finalized the session, when.

Three queries whatever the number of candidates and incidents: the candidates, the
incidents with their candidate, the user who finalized. Nothing is fetched while the PDF is
made (no font, style sheet or image: DESIGN.md rule 9); the system's DejaVu fonts cover
French.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy

from certification import selectors
from certification.documents import long_date
from certification.models import CertificationSession, UnfinishedReason

TEMPLATE = "certification/incident_report.html"

TITLE = gettext_lazy("PV d'incident")
SESSION_NUMBER = gettext_lazy("Session n° %(number)s")
CENTER_LABEL = gettext_lazy("Centre")
SESSION_NUMBER_LABEL = gettext_lazy("N° de session")
SESSION_NAME_LABEL = gettext_lazy("Nom de la session")
DATE_LABEL = gettext_lazy("Date")
START_LABEL = gettext_lazy("Heure de début")
SITE_LABEL = gettext_lazy("Site")
ROOM_LABEL = gettext_lazy("Salle")
INVIGILATORS_LABEL = gettext_lazy("Surveillant(s)")
PRESENT = gettext_lazy("Présent")
ABSENT = gettext_lazy("Absent")
NOT_TOLD = gettext_lazy("Non renseigné")
YES = gettext_lazy("Oui")
NO = gettext_lazy("Non")
NO_CANDIDATE = "—"
NO_COMMENT = gettext_lazy("Aucun commentaire.")
NO_INCIDENT = gettext_lazy("Aucun incident signalé.")
COUNTS = gettext_lazy("%(present)s présent(s), %(absent)s absent(s) sur %(total)s candidat(s)")
FINALIZED_BY = gettext_lazy("Session finalisée par %(user)s le %(date)s à %(time)s.")


def incident_report_filename(session: CertificationSession) -> str:
    """« pv-incident-200001.pdf »."""
    return f"pv-incident-{session.number}.pdf"


def user_label(user) -> str:
    """« Claire Martin », or the username of a user without a name."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def incident_report_pdf(session: CertificationSession) -> bytes:
    """The PV d'incident of a finalized ``session`` as an A4 PDF, one or several pages, the
    tables' headers repeated on each page and « Page X / Y » at the bottom."""
    from weasyprint import HTML  # heavy import, only where a PDF is made
    from weasyprint.urls import URLFetcher

    html = render_to_string(TEMPLATE, incident_report_context(session))
    # Fetches nothing, not even a data: URL.
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()


def incident_report_context(session: CertificationSession) -> dict:
    """What the PV d'incident prints, as strings ready for the template."""
    reasons = dict(UnfinishedReason.choices)
    candidates = list(selectors.candidates_of(session))
    incidents = list(session.incidents.select_related("candidate"))
    yes, no = str(YES), str(NO)
    rows = [
        {
            "number": number,
            "last_name": c.last_name,
            "first_name": c.first_name,
            "presence": str(NOT_TOLD if c.present is None else PRESENT if c.present else ABSENT),
            "absent": c.present is False,
            "end_screen": (yes if c.end_screen_seen else no) if c.present else "",
            "reason": reasons.get(c.unfinished_reason, c.unfinished_reason),
        }
        for number, c in enumerate(candidates, start=1)
    ]
    present = sum(1 for c in candidates if c.present)
    absent = sum(1 for c in candidates if c.present is False)
    zone = session.starts_at.tzinfo
    finalized = timezone.localtime(session.finalized_at, zone) if session.finalized_at else None
    header = str(SESSION_NUMBER % {"number": session.number})
    facts = [
        ((CENTER_LABEL, session.center.name), (SESSION_NUMBER_LABEL, session.number)),
        ((SESSION_NAME_LABEL, session.name), (DATE_LABEL, long_date(session.date))),
        ((START_LABEL, session.start_time.strftime("%H:%M")), (SITE_LABEL, session.site)),
        ((ROOM_LABEL, session.room), (INVIGILATORS_LABEL, session.invigilators)),
    ]
    return {
        "language": (get_language() or settings.LANGUAGE_CODE)[:2],
        "title": TITLE,
        "heading": f"{TITLE} — {header}",
        "subtitle": f"{header} — {session.name}",
        "center": session.center.name,
        "facts": facts,
        "rows": rows,
        "counts": COUNTS % {"present": present, "absent": absent, "total": len(candidates)},
        "incidents": [
            {
                "number": number,
                "category": incident.get_category_display(),
                "candidate": (
                    f"{incident.candidate.last_name} {incident.candidate.first_name}"
                    if incident.candidate
                    else NO_CANDIDATE
                ),
                "description": incident.description,
            }
            for number, incident in enumerate(incidents, start=1)
        ],
        "no_incident": NO_INCIDENT,
        "comment": session.global_comment,
        "no_comment": NO_COMMENT,
        "finalized": (
            FINALIZED_BY
            % {
                "user": user_label(session.finalized_by),
                "date": finalized.strftime("%d/%m/%Y"),
                "time": finalized.strftime("%H:%M"),
            }
            if finalized
            else ""
        ),
    }
