"""The admissions app's place in the shell (registrar/plugins.py, docs/architecture.md):
its URLs under /admissions/, its menu entries, its runs in « Mes opérations » and the
permissions of the admissions officers (docs/guide/parcoursup.md)."""

from django.utils.translation import gettext_lazy as _

from registrar import activity, navigation, notices, plugins, roles
from registrar.navigation import NavEntry, PublicEntry


def register() -> None:
    plugins.register_urls("admissions_sync", prefix="admissions/", module="admissions_sync.urls")
    navigation.register(
        NavEntry(
            "admissions",
            _("Imports Parcoursup"),
            "admissions_sync:import_list",
            "admissions_sync.view_parcoursupimport",
            "i-admissions",
            _("Importer l'export des admissions de Parcoursup et revoir chaque import."),
            order=60,
        ),
        NavEntry(
            "admissions_applicants",
            _("Candidats admis"),
            "admissions_sync:applicant_list",
            "admissions_sync.view_applicant",
            "i-applicants",
            _("La base des candidats admis de chaque formation, et leur historique."),
            order=61,
        ),
        NavEntry(
            "admissions_export",
            _("Remontée vers Parcoursup"),
            "admissions_sync:export_report",
            "admissions_sync.export_parcoursup",
            "i-export",
            _("Les inscriptions validées et payées du jour, pour Parcoursup."),
            order=62,
        ),
        NavEntry(
            "admissions_desk",
            _("Chaîne d'inscription"),
            "admissions_sync:desk_dashboard",
            "admissions_sync.register_applicants",
            "i-desk",
            _("Les préinscriptions du jour : pièces, paiement, inscription administrative."),
            order=63,
        ),
    )
    navigation.register_public(
        PublicEntry(
            "preregistration",
            _("Admis·e par Parcoursup ?"),
            _("Recevoir mon lien de préinscription"),
            "admissions_sync:preregistration_request",
            order=30,
        )
    )
    from admissions_sync.activity import parcoursup_operations

    activity.register(parcoursup_operations)
    from admissions_sync.selectors.notices import admissions_notices

    notices.register(admissions_notices)
    roles.grant(
        roles.ADMISSIONS_OFFICER.key,
        "registrar.view_student",
        "registrar.view_admission",
        "registrar.view_program",
        "registrar.view_term",
        "registrar.add_student",
        "registrar.add_admission",
        "admissions_sync.view_formation",
        "admissions_sync.view_parcoursupimport",
        "admissions_sync.import_parcoursup",
        "admissions_sync.export_parcoursup",
        "admissions_sync.view_applicant",
        "admissions_sync.view_applicantevent",
        "admissions_sync.view_registration",
        "admissions_sync.view_preregistration",
        "admissions_sync.register_applicants",
        "admissions_sync.send_preregistration_links",
        "admissions_sync.view_applicantdocument",
        "admissions_sync.view_payment",
        "admissions_sync.view_fee",
        "registrar.change_student",
    )
