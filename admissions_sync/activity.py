"""« Mes opérations » (registrar/activity.py): the Parcoursup imports the user ran or
confirmed, newest first, each linked to its report. Registered by admissions_sync/plugin.py."""

from django.urls import reverse
from django.utils.translation import gettext

from admissions_sync.selectors.imports import outcome_label, user_runs
from registrar.activity import Operation


def parcoursup_operations(user, limit: int) -> list[Operation]:
    """The user's own runs (``actor`` = user): « Import Parcoursup 6543 – fichier.csv », its
    outcome, linked to the run's page. One query."""
    if not user.has_perm("admissions_sync.view_parcoursupimport"):
        return []
    kind = gettext("Import Parcoursup")
    return [
        Operation(
            label=f"{kind} {run.formation.code} – {run.file_name}",
            kind=kind,
            status=outcome_label(run),
            started_at=run.started_at,
            url=reverse("admissions_sync:import_detail", args=[run.pk]),
        )
        for run in user_runs(user, limit)
    ]
