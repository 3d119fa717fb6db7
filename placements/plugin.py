"""The placements app's place in the shell (registrar/plugins.py). Its workflow is not built
yet: its « Stages » entry stays hidden until its URLs are routed."""

from django.utils.translation import gettext_lazy as _

from registrar import navigation, roles
from registrar.navigation import NavEntry


def register() -> None:
    navigation.register(
        NavEntry(
            "placements",
            _("Stages"),
            "placements:cohort_list",
            "placements.view_cohort",
            "i-placements",
            _("Cohortes, fiches de travail, boîte de sortie et affectations."),
            order=40,
        )
    )
    roles.grant(
        roles.PLACEMENT_COORDINATOR.key,
        "registrar.view_student",
        "registrar.view_program",
        "registrar.view_course",
        "registrar.view_term",
    )
