from registrar import activity, navigation, plugins, roles, student_file
from registrar.navigation import NavEntry, PublicEntry
from registrar.student_file import FileSection
from tests.plugged_app import views


def register() -> None:
    plugins.register_urls(
        "plugged_app",
        prefix="branchee/",
        module="tests.plugged_app.urls",
        moved=(("vieux/", "index"),),
    )
    navigation.register(
        NavEntry("plugged", "Appli branchée", "plugged_app:index", "registrar.view_term", "i-home")
    )
    navigation.register_public(
        PublicEntry("plugged_door", "Vous êtes invité ?", "Porte branchée", "plugged_app:door")
    )
    student_file.register(
        FileSection(
            "plugged", "Volet branché", "plugged_app:file_section", "registrar.view_term", order=15
        )
    )
    activity.register(views.my_operations)
    roles.grant(roles.CENTRE_STAFF.key, "registrar.view_student")
