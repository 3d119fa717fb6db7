"""Keep the staff roles in step with the apps' grants after every migrate (and test flush)."""

from django.contrib.auth.models import Group, Permission


def sync_roles_after_migrate(sender, **kwargs) -> None:
    from registrar.roles import sync_roles

    try:
        sync_roles(Group, Permission)
    except LookupError:
        # An app whose permissions a role is granted is not migrated yet (a partial
        # migrate): the last app's post_migrate applies them.
        return
