"""Staff roles: Django groups and the named permissions each one holds.

The groups are created by the apps' role data migrations and kept in step with this table
after every ``migrate`` (and every test flush) by ``registrar.signals``, which calls
``sync_roles`` below; there is no management command for it. Code checks permissions,
never group names.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    key: str
    name: str  # the Group's name, as administrators see it
    description: str
    permissions: tuple[str, ...]  # "app_label.codename"


_READ_CORE = (
    "registrar.view_student",
    "registrar.view_admission",
    "registrar.view_program",
    "registrar.view_course",
    "registrar.view_coursegroup",
    "registrar.view_term",
    "registrar.view_orgunit",
)

REGISTRAR_STAFF = Role(
    key="registrar_staff",
    name="Personnel du registrariat",
    description=str(_("Dossiers étudiants, dossiers sessions, inscriptions et opérations en lot.")),
    permissions=(
        *_READ_CORE,
        "registrar.add_student",
        "registrar.change_student",
        "registrar.add_admission",
        "registrar.change_admission",
        "registrar.view_auditentry",
        "enrollment.view_termrecord",
        "enrollment.add_termrecord",
        "enrollment.change_termrecord",
        "enrollment.delete_termrecord",
        "enrollment.view_courseenrollment",
        "enrollment.add_courseenrollment",
        "enrollment.change_courseenrollment",
        "enrollment.delete_courseenrollment",
        "enrollment.view_batchoperation",
        "enrollment.add_batchoperation",
        "enrollment.change_batchoperation",
        "enrollment.delete_batchoperation",
    ),
)
READONLY_STAFF = Role(
    key="readonly_staff",
    name="Personnel en lecture seule",
    description=str(_("Consulte les dossiers sans pouvoir les modifier.")),
    permissions=(
        *_READ_CORE,
        "registrar.view_auditentry",
        "enrollment.view_termrecord",
        "enrollment.view_courseenrollment",
        "enrollment.view_batchoperation",
    ),
)
PLACEMENT_COORDINATOR = Role(
    key="placement_coordinator",
    name="Coordination des stages",
    description=str(_("Cohortes, fiches de travail, boîte de sortie et affectations de stage.")),
    permissions=(
        "registrar.view_student",
        "registrar.view_program",
        "registrar.view_course",
        "registrar.view_term",
    ),
)
CENTRE_STAFF = Role(
    key="centre_staff",
    name="Personnel de centre de certification",
    description=str(_("Sessions de certification et candidats de son centre.")),
    permissions=(
        "registrar.view_term",
        "certification.view_certificationcenter",
        "certification.view_certificationsession",
        "certification.add_certificationsession",
        "certification.change_certificationsession",
        "certification.delete_certificationsession",
        "certification.view_candidate",
        "certification.add_candidate",
        "certification.change_candidate",
        "certification.delete_candidate",
    ),
)
ADMISSIONS_OFFICER = Role(
    key="admissions_officer",
    name="Agent d'admission",
    description=str(_("Import Parcoursup, préinscriptions et inscriptions administratives.")),
    permissions=(
        "registrar.view_student",
        "registrar.view_admission",
        "registrar.view_program",
        "registrar.view_term",
        "registrar.add_student",
        "registrar.add_admission",
    ),
)

ROLES: tuple[Role, ...] = (
    REGISTRAR_STAFF,
    READONLY_STAFF,
    PLACEMENT_COORDINATOR,
    CENTRE_STAFF,
    ADMISSIONS_OFFICER,
)


def sync_roles(group_model, permission_model) -> None:
    """Create each role's group and set its permissions to exactly the table's.

    Takes the models as arguments so that a migration can pass its historical ones.
    Permissions that do not exist yet (their app not migrated) raise LookupError.
    """
    for role in ROLES:
        group, _created = group_model.objects.get_or_create(name=role.name)
        perms = []
        for dotted in role.permissions:
            app_label, codename = dotted.split(".")
            try:
                perms.append(
                    permission_model.objects.get(
                        content_type__app_label=app_label, codename=codename
                    )
                )
            except permission_model.DoesNotExist:
                raise LookupError(
                    f"Permission {dotted} for role {role.key} does not exist."
                ) from None
        group.permissions.set(perms)
