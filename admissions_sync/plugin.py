"""The admissions app's place in the shell (registrar/plugins.py). Its workflow is not built
yet: its « Admissions » entry stays hidden until its URLs are routed."""

from django.utils.translation import gettext_lazy as _

from registrar import navigation, roles
from registrar.navigation import NavEntry


def register() -> None:
    navigation.register(
        NavEntry(
            "admissions",
            _("Admissions"),
            "admissions_sync:import_list",
            "admissions_sync.view_parcoursupimport",
            "i-admissions",
            _("Import Parcoursup, préinscriptions et inscriptions administratives."),
            order=60,
        )
    )
    roles.grant(
        roles.ADMISSIONS_OFFICER.key,
        "registrar.view_student",
        "registrar.view_admission",
        "registrar.view_program",
        "registrar.view_term",
        "registrar.add_student",
        "registrar.add_admission",
    )
