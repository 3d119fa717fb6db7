"""The left navigation column of the staff shell.

Each workflow's entry names the URL of its landing page and the permission that opens it.
An entry whose URL is not routed yet (its workflow not built) is left out rather than shown
as a dead link; a user sees only the entries their roles open.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str | Promise
    url_name: str
    permission: str | None  # None: every staff user
    icon: str  # a class of static/css/app.css
    description: str | Promise = ""
    # False: a home-page shortcut only (the guide's « Inscription en lot » in the centre
    # of the home page), not an entry of the left column.
    in_menu: bool = True


NAVIGATION: tuple[NavEntry, ...] = (
    NavEntry("home", _("Accueil"), "home", None, "i-home"),
    NavEntry(
        "students",
        _("Étudiants"),
        "student_search",
        "registrar.view_student",
        "i-students",
        _("Recherche simple d'un étudiant par nom, numéro DA, code permanent ou programme."),
    ),
    NavEntry(
        "courses",
        _("Cours"),
        "course_search",
        "registrar.view_course",
        "i-courses",
        _("Recherche de cours par numéro ou par titre."),
    ),
    NavEntry(
        "operations",
        _("Opérations"),
        "operation_list",
        "enrollment.view_batchoperation",
        "i-operations",
        _("Inscriptions en lot, mode simulation et rapports d'exécution."),
    ),
    NavEntry(
        "batch_enrollment",
        _("Inscription en lot"),
        "batch_create",
        "enrollment.add_batchoperation",
        "i-operations",
        _("Inscrire en lot des étudiants à un cours (« cours bidon ») et à un groupe."),
        in_menu=False,
    ),
    NavEntry(
        "placements",
        _("Stages"),
        "cohort_list",
        "placements.view_cohort",
        "i-placements",
        _("Cohortes, fiches de travail, boîte de sortie et affectations."),
    ),
    NavEntry(
        "certification",
        _("Certification"),
        "certification_session_list",
        "certification.view_certificationsession",
        "i-certification",
        _("Sessions de certification et candidats."),
    ),
    NavEntry(
        "admissions",
        _("Admissions"),
        "parcoursup_import_list",
        "admissions_sync.view_parcoursupimport",
        "i-admissions",
        _("Import Parcoursup, préinscriptions et inscriptions administratives."),
    ),
)


def entries_for(user, *, menu: bool = True) -> list[dict]:
    """The navigation entries ``user`` may open, with their resolved URLs: those of the
    left column, or with ``menu`` False every entry (the home page's shortcuts)."""
    entries = []
    for entry in NAVIGATION:
        if menu and not entry.in_menu:
            continue
        if entry.permission and not user.has_perm(entry.permission):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        entries.append({"entry": entry, "url": url})
    return entries
