"""Background work of the admissions app: the link an applicant asked for at « Recevoir mon
lien » (sent by the worker, so that the page answers in the same time whether or not the
details matched). The bulk sending of links registers its tracked job kind here too."""

from django.core.exceptions import ValidationError
from django.tasks import task

from admissions_sync.models import Applicant, LinkSending
from admissions_sync.services import links


@task()
def send_requested_link(applicant_id: int, base_url: str) -> None:
    """Send applicant ``applicant_id`` a new link (link_send, channel « request »), if they
    are still present; a mailer failure is recorded by the mail service and ends here."""
    applicant = (
        Applicant.objects.select_related("formation")
        .filter(pk=applicant_id, removed_at__isnull=True)
        .first()
    )
    if applicant is None:
        return
    try:
        links.link_send(
            actor=None,
            applicant=applicant,
            channel=LinkSending.Channel.REQUEST,
            base_url=base_url,
        )
    except (links.EmailNotSent, ValidationError):
        return
