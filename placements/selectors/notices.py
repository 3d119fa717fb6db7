"""The placements' warnings on the home page (registrar/notices.py): the guide's
« Rapports réacheminés à livrer : N » and « N demandes en attente – Env-P », and for a
receiving coordinator the requests waiting for their answer. One count query each."""

from django.urls import reverse
from django.utils.translation import gettext, ngettext

from placements.models import PlacementRequest, PrintReport
from placements.selectors import receiving, scope
from registrar.notices import Notice

Status = PlacementRequest.Status


def placement_notices(user) -> list[Notice]:
    notices = []
    if user.has_perm("placements.view_placementrequest"):
        programs = scope.programs_of(user)
        to_deliver = PrintReport.objects.filter(
            batch__cohort_course__cohort__program__in=programs,
            status=PrintReport.Status.READY,
            delivered_at__isnull=True,
        ).count()
        if to_deliver:
            notices.append(
                Notice(
                    gettext("Rapports réacheminés à livrer : %(count)s") % {"count": to_deliver},
                    reverse("placements:print_queue"),
                )
            )
        waiting = PlacementRequest.objects.filter(
            worksheet__cohort_course__cohort__program__in=programs, status=Status.SENT_PDF
        ).count()
        if waiting:
            notices.append(
                Notice(
                    ngettext(
                        "%(count)s demande en attente – Env-P",
                        "%(count)s demandes en attente – Env-P",
                        waiting,
                    )
                    % {"count": waiting},
                    reverse("placements:pending_answers"),
                    level="info",
                )
            )
    if user.has_perm("placements.answer_placementrequest"):
        pending = receiving.received_by(user).filter(status=Status.SENT).count()
        if pending:
            notices.append(
                Notice(
                    ngettext(
                        "%(count)s demande de stage reçue attend votre réponse",
                        "%(count)s demandes de stage reçues attendent votre réponse",
                        pending,
                    )
                    % {"count": pending},
                    reverse("placements:received_list"),
                )
            )
    return notices
