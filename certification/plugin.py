"""The certification app's place in the shell (registrar/plugins.py): its URLs, the
« Certification » entry and the certification-centre staff's permissions."""

from django.utils.translation import gettext_lazy as _

from registrar import navigation, plugins, roles
from registrar.navigation import NavEntry, PublicEntry


def register() -> None:
    plugins.register_urls("certification", prefix="certification/", module="certification.urls")
    navigation.register(
        NavEntry(
            "certification",
            _("Certification"),
            "certification:session_list",
            "certification.view_certificationsession",
            "i-certification",
            _("Sessions de certification et candidats."),
            order=50,
        )
    )
    navigation.register_public(
        PublicEntry(
            "invigilator",
            _("Vous surveillez une session de certification ?"),
            _("Espace surveillant"),
            "certification:invigilator_login",
        )
    )
    roles.grant(
        roles.CENTRE_STAFF.key,
        "registrar.view_term",
        "certification.view_certificationcenter",
        *(
            f"certification.{action}_{model}"
            for model in ("certificationsession", "candidate")
            for action in ("view", "add", "change", "delete")
        ),
    )
