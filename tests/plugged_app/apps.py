from django.apps import AppConfig


class PluggedAppConfig(AppConfig):
    name = "tests.plugged_app"
    label = "plugged_app"

    def ready(self) -> None:
        from tests.plugged_app import plugin

        plugin.register()
