"""What registrar itself brings to the shell, registered like any app's (registrar/plugins.py):
the home, students and courses entries, the student file's own sections, and the core
records' permissions of the registrar's staff roles."""

from django.utils.translation import gettext_lazy as _

from registrar import navigation, roles, student_file
from registrar.navigation import NavEntry
from registrar.student_file import FileSection

_READ_CORE = (
    "registrar.view_student",
    "registrar.view_admission",
    "registrar.view_program",
    "registrar.view_course",
    "registrar.view_coursegroup",
    "registrar.view_term",
    "registrar.view_orgunit",
)


def register() -> None:
    navigation.register(
        NavEntry("home", _("Accueil"), "registrar:home", None, "i-home", order=0),
        NavEntry(
            "students",
            _("Étudiants"),
            "registrar:student_search",
            "registrar.view_student",
            "i-students",
            _("Recherche simple d'un étudiant par nom, numéro DA, code permanent ou programme."),
            order=10,
        ),
        NavEntry(
            "courses",
            _("Cours"),
            "registrar:course_search",
            "registrar.view_course",
            "i-courses",
            _("Recherche de cours par numéro ou par titre."),
            order=20,
        ),
    )
    student_file.register(
        FileSection(
            "summary", _("Sommaire"), "registrar:student_file", "registrar.view_student", order=0
        ),
        FileSection(
            "admissions",
            _("Admission"),
            "registrar:student_admissions",
            "registrar.view_admission",
            order=10,
        ),
        FileSection(
            "history",
            _("Historique"),
            "registrar:student_history",
            "registrar.view_auditentry",
            order=90,
        ),
    )
    roles.grant(
        roles.REGISTRAR_STAFF.key,
        *_READ_CORE,
        "registrar.add_student",
        "registrar.change_student",
        "registrar.add_admission",
        "registrar.change_admission",
        "registrar.view_auditentry",
    )
    roles.grant(roles.READONLY_STAFF.key, *_READ_CORE, "registrar.view_auditentry")
