from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdmissionsSyncConfig(AppConfig):
    name = "admissions_sync"
    verbose_name = _("Admissions Parcoursup")

    def ready(self) -> None:
        from admissions_sync import plugin

        plugin.register()
