"""The messages the placements app sends (docs/architecture.md: « emails »), through
registrar.services.mail: the print queue's report (« Envoyer un courriel »), its purpose in
SentEmail and the French defaults the form proposes."""

from django.utils.translation import gettext as _

from placements.models import PrintReport

# SentEmail.purpose of a print report sent from « Envoyer un courriel ».
REPORT_PURPOSE = "placement_request_report"


def report_subject(report: PrintReport) -> str:
    """The « Objet » proposed: « Demande de stage – <organisme> »."""
    return _("Demande de stage – %(agency)s") % {"agency": report.agency.name}


def report_message(report: PrintReport) -> str:
    """The « Message » proposed: a short French letter naming the attached file."""
    return _(
        "Bonjour,\n\n"
        "Veuillez trouver ci-joint une demande de stage pour votre organisme (%(name)s).\n"
        "Merci de nous faire part de votre réponse.\n\n"
        "Cordialement,\n"
    ) % {"name": report.filename}
