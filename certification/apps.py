from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = _("Certification")

    def ready(self) -> None:
        from certification import plugin
        from certification.services import invigilator_access

        plugin.register()
        invigilator_access.revoke_links_with_the_session()
