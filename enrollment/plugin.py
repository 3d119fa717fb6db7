"""The enrolment app's place in the shell (registrar/plugins.py): its URLs, the « Opérations »
entry and « Inscription en lot » shortcut, the file's « Dossiers sessions / Inscriptions »
section, « Mes opérations », and its permissions for the registrar's staff."""

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enrollment.selectors import operations_visible_to
from enrollment.tables import totals_text
from registrar import activity, navigation, plugins, roles, student_file
from registrar.activity import Operation
from registrar.navigation import NavEntry
from registrar.student_file import FileSection

# Where the app's pages were before they moved under /inscriptions/ (issue 11): bookmarks
# and links in old e-mails still open them.
MOVED = (
    ("etudiants/<int:pk>/dossiers-sessions/", "student_term_records"),
    ("etudiants/<int:pk>/dossiers-sessions/ajouter/", "term_record_create"),
    ("dossiers-sessions/<int:record_pk>/modifier/", "term_record_update"),
    ("dossiers-sessions/<int:record_pk>/copier/", "term_record_copy"),
    ("dossiers-sessions/<int:record_pk>/supprimer/", "term_record_delete"),
    ("dossiers-sessions/<int:record_pk>/inscriptions/ajouter/", "course_enrollment_create"),
    ("grille-rac/", "rac_grid"),
    ("operations/", "operation_list"),
    ("operations/inscription-en-lot/", "batch_create"),
    ("operations/<int:pk>/", "batch_detail"),
    ("operations/<int:pk>/selection/", "batch_selection"),
    ("operations/rapports/<int:pk>/", "batch_report"),
)
_CRUD = ("view", "add", "change", "delete")


def my_batch_operations(user, limit: int) -> list[Operation]:
    """« Mes opérations » of the home page: the user's latest batch operations, each with its
    state and its latest report's totals, linked to the operation. One query."""
    if not user.has_perm("enrollment.view_batchoperation"):
        return []
    return [
        Operation(
            label=f"{operation} — {operation.description}".rstrip(" —"),
            kind=str(gettext("Inscription en lot")),
            status=" · ".join(
                part
                for part in (
                    str(operation.get_status_display()),
                    totals_text(operation.last_run_totals),
                )
                if part
            ),
            started_at=operation.created_at,
            url=reverse("enrollment:batch_detail", args=[operation.pk]),
        )
        for operation in operations_visible_to(user)[:limit]
    ]


def register() -> None:
    plugins.register_urls(
        "enrollment", prefix="inscriptions/", module="enrollment.urls", moved=MOVED
    )
    navigation.register(
        NavEntry(
            "operations",
            _("Opérations"),
            "enrollment:operation_list",
            "enrollment.view_batchoperation",
            "i-operations",
            _("Inscriptions en lot, mode simulation et rapports d'exécution."),
            order=30,
        ),
        NavEntry(
            "batch_enrollment",
            _("Inscription en lot"),
            "enrollment:batch_create",
            "enrollment.add_batchoperation",
            "i-operations",
            _("Inscrire en lot des étudiants à un cours (« cours bidon ») et à un groupe."),
            in_menu=False,
            order=31,
        ),
    )
    student_file.register(
        FileSection(
            "term_records",
            _("Dossiers sessions / Inscriptions"),
            "enrollment:student_term_records",
            "enrollment.view_termrecord",
            order=20,
        )
    )
    activity.register(my_batch_operations)
    records = ("termrecord", "courseenrollment", "batchoperation")
    roles.grant(
        roles.REGISTRAR_STAFF.key,
        *(f"enrollment.{action}_{model}" for model in records for action in _CRUD),
    )
    roles.grant(roles.READONLY_STAFF.key, *(f"enrollment.view_{model}" for model in records))
