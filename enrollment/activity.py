"""The batch operations in « Mes opérations » of the home page."""

from django.urls import reverse
from django.utils.translation import gettext as _

from enrollment.selectors import operations_visible_to
from enrollment.tables import totals_text
from registrar.activity import Operation


def my_batch_operations(user, limit: int) -> list[Operation]:
    """The user's latest batch operations, each with its state and its latest report's
    totals, linked to the operation. One query."""
    if not user.has_perm("enrollment.view_batchoperation"):
        return []
    return [
        Operation(
            label=f"{operation} — {operation.description}".rstrip(" —"),
            kind=str(_("Inscription en lot")),
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
