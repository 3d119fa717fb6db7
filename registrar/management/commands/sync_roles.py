"""``manage.py sync_roles``: set each staff role's permissions to what the apps grant."""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError

from registrar.roles import sync_roles


class Command(BaseCommand):
    help = (
        "Create the staff roles' groups and set each one's permissions to exactly the union "
        "the installed apps grant (idempotent; also run after every migrate)."
    )

    def handle(self, *args, **options) -> None:
        try:
            outcome = sync_roles(Group, Permission)
        except LookupError as exc:
            raise CommandError(f"{exc} Run manage.py migrate first.") from None
        for role, count in outcome:
            self.stdout.write(f"{role.name}: {count} permissions")
