"""Staff roles: Django groups and the named permissions each one holds.

The six roles are the product's (its users: docs/architecture.md); what each may do is the
union of the grants every installed app makes from its ``AppConfig.ready()`` (``grant``
below; registrar's own in ``registrar/plugin.py``). ``manage.py sync_roles`` sets each
group's permissions to exactly that union, and runs after every ``migrate`` (and every test
flush) through ``registrar.signals``. Code checks permissions, never group names.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    key: str
    name: str  # the Group's name, as administrators see it
    description: str

    @property
    def permissions(self) -> tuple[str, ...]:
        """ "app_label.codename" of every permission the installed apps grant this role."""
        return tuple(sorted(_grants.get(self.key, ())))


REGISTRAR_STAFF = Role(
    key="registrar_staff",
    name="Personnel du registrariat",
    description=str(_("Dossiers étudiants, dossiers sessions, inscriptions et opérations en lot.")),
)
READONLY_STAFF = Role(
    key="readonly_staff",
    name="Personnel en lecture seule",
    description=str(_("Consulte les dossiers sans pouvoir les modifier.")),
)
PLACEMENT_COORDINATOR = Role(
    key="placement_coordinator",
    name="Coordination des stages",
    description=str(_("Cohortes, fiches de travail, boîte de sortie et affectations de stage.")),
)
CENTRE_STAFF = Role(
    key="centre_staff",
    name="Personnel de centre de certification",
    description=str(_("Sessions de certification et candidats de son centre.")),
)
ADMISSIONS_OFFICER = Role(
    key="admissions_officer",
    name="Agent d'admission",
    description=str(_("Import Parcoursup, préinscriptions et inscriptions administratives.")),
)

RECEIVING_COORDINATOR = Role(
    key="receiving_coordinator",
    name="Coordination de stages – organisme receveur",
    description=str(
        _("Demandes de stage reçues par son organisme : réponses et étudiants divulgués.")
    ),
)

ROLES: tuple[Role, ...] = (
    REGISTRAR_STAFF,
    READONLY_STAFF,
    PLACEMENT_COORDINATOR,
    CENTRE_STAFF,
    ADMISSIONS_OFFICER,
    RECEIVING_COORDINATOR,
)
_BY_KEY = {role.key: role for role in ROLES}
_grants: dict[str, set[str]] = {}


def grant(role_key: str, *permissions: str) -> None:
    """Give the role ``role_key`` these "app_label.codename" permissions (idempotent)."""
    if role_key not in _BY_KEY:
        raise LookupError(f"No staff role {role_key!r}; the roles are {sorted(_BY_KEY)}.")
    for dotted in permissions:
        if dotted.count(".") != 1:
            raise ValueError(f"A permission reads app_label.codename, not {dotted!r}.")
    _grants.setdefault(role_key, set()).update(permissions)


def sync_roles(group_model, permission_model) -> list[tuple[Role, int]]:
    """Create each role's group and set its permissions to exactly the granted union.

    Changes the groups' permissions (adds the missing, removes the others); running it
    again changes nothing. Returns each role with its number of permissions. Takes the
    models as arguments so that a migration could pass its historical ones. A permission
    that does not exist (its app not migrated yet) raises LookupError before any change.
    """
    wanted = {role: role.permissions for role in ROLES}
    labels = {dotted.split(".")[0] for perms in wanted.values() for dotted in perms}
    existing = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in permission_model.objects.filter(
            content_type__app_label__in=labels
        ).values_list("pk", "content_type__app_label", "codename")
    }
    missing = sorted({d for perms in wanted.values() for d in perms} - existing.keys())
    if missing:
        raise LookupError(f"Permissions granted to a role do not exist: {', '.join(missing)}.")
    outcome = []
    for role, perms in wanted.items():
        group, _created = group_model.objects.get_or_create(name=role.name)
        group.permissions.set([existing[dotted] for dotted in perms])
        outcome.append((role, len(perms)))
    return outcome
