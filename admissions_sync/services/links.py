"""Applicants' personal pre-registration links (docs/guide/preinscription.md, decision 0018),
on the shared public links (registrar/public_links.py, decision 0013): issued and sent by
e-mail (in bulk from « Imports Parcoursup », one by one from the desk, or on the applicant's
own request at « Recevoir mon lien »), opened by the applicant's pages.

A link's target is the applicant. It is not revoked when an import removes the applicant:
their pages then say the application is no longer active, and the same link works again if
a later import brings them back. Several links may be open at once (a re-sent one does not
end the one the applicant may be using); the desk can withdraw them all."""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions_sync import emails
from admissions_sync.models import Applicant, LinkSending, RegistrationEvent
from registrar import public_links, throttle
from registrar.models import Job
from registrar.network import client_address
from registrar.public_links import LinkRefused
from registrar.services.mail import EmailNotSent, send_email

PURPOSE = "preregistration"
# The visitor's session key holding their token once a link has been opened: the token
# leaves the address bar at once, and every applicant page opens it again.
SESSION_KEY = "admissions_sync.preregistration_link"

# « Recevoir mon lien »: at most REQUESTS_PER_TARGET requests a REQUEST_WINDOW for one
# e-mail address or one Parcoursup number, REQUESTS_PER_CLIENT for one client; past them,
# the page answers the same words and sends nothing.
REQUEST_DOOR = "preregistration-link-request"
REQUEST_WINDOW = datetime.timedelta(hours=1)
REQUESTS_PER_TARGET = 3
REQUESTS_PER_CLIENT = 20

__all__ = [
    "PURPOSE",
    "SESSION_KEY",
    "EmailNotSent",
    "LinkRefused",
    "applicant_for_token",
    "link_address",
    "link_request",
    "link_send",
    "links_revoke",
]


def link_address(token: str, base_url: str | None = None) -> str:
    """The link's full address (``base_url``: the request's scheme and host, else
    settings.SITE_URL)."""
    base = (base_url or settings.SITE_URL).rstrip("/")
    return base + reverse("admissions_sync:preregistration_link", args=[token])


def link_send(
    *,
    actor,
    applicant: Applicant,
    channel: str,
    base_url: str | None = None,
    job: Job | None = None,
    compose: Callable[[str, datetime.date], tuple[str, str]] | None = None,
    purpose: str = emails.LINK_PURPOSE,
    connection=None,
) -> LinkSending:
    """Issue a new personal link to ``applicant`` (open PREREGISTRATION_LINK_DAYS days) and
    e-mail it to the applicant's address. ``compose(address, expires_on)`` gives the
    message's subject and body (by default the link's message, emails.link_message; a
    refused document's or a returned pre-registration's message carries a link too),
    ``purpose`` its record's purpose, ``connection`` a mailer connection shared by a bulk
    sending (registrar.services.mail.mail_connection).

    Writes the PublicLink, the SentEmail (registrar.services.mail), a LinkSending and a
    « Lien envoyé » RegistrationEvent, in one transaction. Refused, writing nothing: an
    applicant removed from Parcoursup, or without a valid e-mail address (ValidationError).
    When the mailer fails the link is revoked, the failed SentEmail stays recorded, and
    EmailNotSent is raised."""
    if not applicant.is_active:
        raise ValidationError(
            _("%(name)s n'est plus dans Parcoursup : aucun lien n'est envoyé.")
            % {"name": f"{applicant.first_name} {applicant.last_name}"}
        )
    if not applicant.email:
        raise ValidationError(_("Ce candidat n'a pas d'adresse électronique dans Parcoursup."))
    ttl = datetime.timedelta(days=settings.PREREGISTRATION_LINK_DAYS)
    user = actor if getattr(actor, "pk", None) else None
    failure = None
    # One transaction, one commit per link (a bulk sending of 5,000 made three each: the
    # link, the e-mail's record, the sending): the message leaves inside it, and a refused
    # message (ValidationError) rolls the new link back — nothing written.
    with transaction.atomic():
        link, token = public_links.issue_link(
            actor=actor, purpose=PURPOSE, target=applicant, ttl=ttl
        )
        address = link_address(token, base_url)
        expires_on = timezone.localdate(link.expires_at)
        if compose is None:
            subject, body = emails.link_message(applicant, address, expires_on)
        else:
            subject, body = compose(address, expires_on)
        try:
            sent = send_email(
                actor=actor,
                to=[applicant.email],
                subject=subject,
                body=body,
                purpose=purpose,
                connection=connection,
            )
        except EmailNotSent as exc:
            # The failed record stays, with the link revoked.
            public_links.revoke(actor=actor, link=link)
            failure = exc
        else:
            now = timezone.now()
            sending = LinkSending.objects.create(
                applicant=applicant,
                link=link,
                email=sent,
                channel=channel,
                sent_at=now,
                sent_by=user,
                job=job,
            )
            RegistrationEvent.objects.create(
                applicant=applicant,
                at=now,
                actor=user,
                kind=RegistrationEvent.Kind.LINK_SENT,
                note=LinkSending.Channel(channel).label,
            )
    if failure is not None:
        raise failure
    return sending


def links_revoke(*, actor, applicant: Applicant) -> int:
    """Withdraw every open pre-registration link of ``applicant``: sets their
    ``revoked_at``/``revoked_by``. Returns how many."""
    return public_links.revoke_for(actor=actor, target=applicant, purpose=PURPOSE)


def applicant_for_token(request: HttpRequest, token: object) -> Applicant:
    """The applicant ``token`` opens (with their formation), counting the use. Raises
    LinkRefused — one message whatever the reason — otherwise (registrar/public_links.py).
    A removed applicant is returned: the pages say the application is no longer active."""
    link = public_links.open_link(request, token, purpose=PURPOSE)
    applicant = link.target
    if not isinstance(applicant, Applicant):
        raise LinkRefused("gone")
    return Applicant.objects.select_related("formation").get(pk=applicant.pk)


def _throttled(client: str | None, targets: list[str], now: datetime.datetime) -> bool:
    since = now - REQUEST_WINDOW
    if (
        throttle.client_failure_count(door=REQUEST_DOOR, client=client, since=since)
        >= REQUESTS_PER_CLIENT
    ):
        return True
    return any(
        throttle.target_failure_count(door=REQUEST_DOOR, target=target, since=since)
        >= REQUESTS_PER_TARGET
        for target in targets
    )


def link_request(
    request: HttpRequest, *, number: str, birth_date: datetime.date, email: str
) -> bool:
    """« Recevoir mon lien »: when ``number``, ``birth_date`` and ``email`` (case ignored)
    are those of an applicant present in the latest import, and neither the address, the
    number nor the client asked too often, send that applicant a new link (in the
    background: the answer takes the same time whoever asks).

    Writes one request record per target (address, number) for the rate limit, and — on a
    match — what link_send writes. Returns whether a link was sent, for tests and logs
    only: the page says the same words either way. Raises
    registrar.throttle.ThrottleUnavailable, sending nothing, when the requests cannot be
    counted (Redis down; docs/decisions/0020-rate-limits-in-redis.md)."""
    now = timezone.now()
    client = client_address(request)
    folded_email = email.strip().lower()
    targets = [f"email:{folded_email}", f"number:{number}"]
    if _throttled(client, targets, now):
        return False
    for target in targets:
        throttle.failed_attempt_record(
            door=REQUEST_DOOR, client=client, target=target, keep=REQUEST_WINDOW
        )
    applicant = (
        Applicant.objects.filter(
            candidate_number=number, birth_date=birth_date, removed_at__isnull=True
        )
        .exclude(email="")
        .only("pk", "email")
        .order_by("pk")
    )
    match = next((each for each in applicant if each.email.strip().lower() == folded_email), None)
    if match is None:
        return False
    from admissions_sync.tasks import send_requested_link

    send_requested_link.enqueue(match.pk, request.build_absolute_uri("/"))
    return True


# ---------------------------------------------------------------------------------------
# « Envoyer les liens de préinscription » (in bulk, from « Imports Parcoursup »): a tracked
# job (admissions_sync/tasks.py) about the formation.

BULK_JOB = "admissions_sync.preregistration_links"


def bulk_recipients(formation, *, resend: bool):
    """The applicants of ``formation`` the bulk sending writes to: present in the latest
    import, with an e-mail address, and — unless ``resend`` — never sent a link (a send
    that failed left no LinkSending: they are written to again)."""
    applicants = Applicant.objects.filter(formation=formation, removed_at__isnull=True).exclude(
        email=""
    )
    if not resend:
        applicants = applicants.exclude(
            pk__in=LinkSending.objects.filter(applicant__formation=formation).values("applicant_id")
        )
    return applicants


def bulk_figures(formation) -> dict[str, int]:
    """The page's figures for ``formation`` (one query): present applicants with an
    e-mail address (``with_email``), those of them already sent a link (``already``),
    present applicants without an address (``without_email``)."""
    from django.db.models import Count, Exists, OuterRef, Q

    sent = LinkSending.objects.filter(applicant=OuterRef("pk"))
    figures = (
        Applicant.objects.filter(formation=formation, removed_at__isnull=True)
        .annotate(has_link=Exists(sent))
        .aggregate(
            with_email=Count("pk", filter=~Q(email="")),
            already=Count("pk", filter=~Q(email="") & Q(has_link=True)),
            without_email=Count("pk", filter=Q(email="")),
        )
    )
    return {key: value or 0 for key, value in figures.items()}


def bulk_job_active(formation) -> Job | None:
    """The bulk sending of ``formation`` still queued or running (not stale), if any."""
    from registrar.jobs import latest_job
    from registrar.services.jobs import job_is_stale

    job = latest_job(BULK_JOB, formation)
    if job is not None and job.is_active and not job_is_stale(job, timezone.now()):
        return job
    return None


def links_send_bulk(*, actor, formation, resend: bool) -> Job:
    """Ask for the bulk sending of ``formation``'s links (``resend``: to those who already
    received one too). One sending at a time per formation: while one is queued or running
    it is returned and nothing is written; otherwise a new tracked Job (job_enqueue) whose
    run sends each link (admissions_sync.tasks.send_links). The formation row is locked
    while this is decided, so two clicks make one job. Refused (ValidationError) for a
    formation that is closed."""
    from admissions_sync.models import Formation
    from registrar.services.jobs import job_enqueue

    with transaction.atomic():
        locked = Formation.objects.select_for_update().filter(pk=formation.pk).first()
        if locked is None or not locked.is_active:
            raise ValidationError(
                {"formation": _("Choisissez une formation active dans la liste.")}
            )
        running = bulk_job_active(locked)
        if running is not None:
            return running
        return job_enqueue(
            actor=actor, kind=BULK_JOB, target=locked, params={"resend": bool(resend)}
        )
