"""The admissions' warnings on the home page (registrar/notices.py): the withdrawn applicants
whose data waits for review, and the previews no one confirmed yet."""

from django.urls import reverse
from django.utils.translation import gettext, ngettext

from admissions_sync.models import ParcoursupImport
from admissions_sync.selectors.applicants import REVIEW, review_count
from registrar.notices import Notice


def admissions_notices(user) -> list[Notice]:
    """Two counts at most (two queries, each served by an index), for the officers."""
    notices = []
    if user.has_perm("admissions_sync.view_applicant"):
        to_review = review_count()
        if to_review:
            notices.append(
                Notice(
                    ngettext(
                        "%(count)s candidat retiré de Parcoursup à revoir",
                        "%(count)s candidats retirés de Parcoursup à revoir",
                        to_review,
                    )
                    % {"count": to_review},
                    reverse("admissions_sync:applicant_list") + f"?etat={REVIEW}",
                )
            )
    if user.has_perm("admissions_sync.import_parcoursup"):
        waiting = ParcoursupImport.objects.filter(outcome=ParcoursupImport.Outcome.PREVIEW).count()
        if waiting:
            notices.append(
                Notice(
                    gettext("Aperçus d'import Parcoursup à confirmer : %(count)s")
                    % {"count": waiting},
                    reverse("admissions_sync:import_list")
                    + f"?resultat={ParcoursupImport.Outcome.PREVIEW}",
                    level="info",
                )
            )
    return notices
