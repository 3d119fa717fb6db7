"""The placements app's place in the shell (registrar/plugins.py): its URLs under /stages/,
its « Stages » menu entry and what placement coordinators may do."""

from django.utils.translation import gettext_lazy as _

from registrar import navigation, notices, plugins, roles
from registrar.navigation import NavEntry

_COORDINATED = ("cohort", "cohortcourse", "cohortenrollment", "preference", "worksheet")
_RECEIVING = ("agency", "site", "service", "destination", "contact")
_CRUD = ("view", "add", "change", "delete")


def register() -> None:
    plugins.register_urls("placements", prefix="stages/", module="placements.urls")
    navigation.register(
        NavEntry(
            "placements",
            _("Stages"),
            "placements:cohort_list",
            "placements.view_cohort",
            "i-placements",
            _("Cohortes, fiches de travail, boîte de sortie et affectations."),
            order=40,
        ),
        NavEntry(
            "placement_agencies",
            _("Organismes receveurs"),
            "placements:agency_list",
            "placements.view_agency",
            "i-agencies",
            _("Organismes, sites, services et destinations qui reçoivent les stagiaires."),
            order=41,
        ),
    )
    navigation.register(
        NavEntry(
            "placement_print_queue",
            _("File d'impression"),
            "placements:print_queue",
            "placements.view_placementrequest",
            "i-print",
            _("Rapports réacheminés (PDF) à livrer aux organismes qui n'utilisent pas le système."),
            order=42,
        ),
        NavEntry(
            "placement_capacity",
            _("Surallocation"),
            "placements:capacity_report",
            "placements.view_placementrequest",
            "i-capacity",
            _("Services dont la capacité d'accueil est dépassée, tous programmes ensemble."),
            order=43,
        ),
        NavEntry(
            "placement_received",
            _("Demandes reçues"),
            "placements:received_list",
            "placements.answer_placementrequest",
            "i-received",
            _("Demandes de stage envoyées à votre organisme : accepter, refuser, étudiants."),
            order=44,
        ),
    )
    from placements.selectors.notices import placement_notices

    notices.register(placement_notices)
    roles.grant(roles.RECEIVING_COORDINATOR.key, "placements.answer_placementrequest")
    roles.grant(
        roles.PLACEMENT_COORDINATOR.key,
        "registrar.view_student",
        "registrar.view_program",
        "registrar.view_course",
        "registrar.view_term",
        *(f"placements.{action}_{model}" for model in _COORDINATED for action in _CRUD),
        "placements.view_placementrequest",
        "placements.add_placementrequest",
        "placements.change_placementrequest",
        "placements.delete_placementrequest",
        "placements.view_assignment",
        "placements.add_assignment",
        "placements.change_assignment",
        *(f"placements.view_{model}" for model in _RECEIVING),
        "placements.view_reasoncode",
        "placements.change_contact",
    )
