from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class RegistrarConfig(AppConfig):
    name = "registrar"
    verbose_name = _("Registrariat")

    def ready(self) -> None:
        from registrar import plugin
        from registrar.signals import sync_roles_after_migrate

        plugin.register()
        # Sent once per app: the handler is idempotent, and by the last app every
        # permission exists. dispatch_uid keeps it to one connection.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="registrar.sync_roles")
        # The header's cached terms (registrar/selectors.py) are forgotten when one changes.
        from registrar.models import Term
        from registrar.selectors import forget_terms

        post_save.connect(forget_terms, sender=Term, dispatch_uid="registrar.forget_terms")
        post_delete.connect(forget_terms, sender=Term, dispatch_uid="registrar.forget_terms_d")
