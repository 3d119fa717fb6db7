from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementsConfig(AppConfig):
    name = "placements"
    verbose_name = _("Stages")

    def ready(self) -> None:
        from placements import plugin

        plugin.register()
