"""``manage.py release_placement_requests [--date YYYY-MM-DD]``: the nightly release of
the requests held in the outbox (« En attente jusqu'au »).

Sends every « Nouvelle » request whose ``held_until`` is on or before the day (today in
Montreal by default) through ``placements.services.sending.requests_send`` — one send per
cohort course and sender, individual PDFs, ``by_release`` —; a request lacking its site
or service is left in the outbox and printed with what it lacks. A second run the same day
sends nothing (the sent requests are no longer « Nouvelle »)."""

import argparse
import datetime
from itertools import groupby

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.utils import timezone

from placements.models import PlacementRequest
from placements.services.sending import missing_parts, requests_send


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        # argparse turns this into a usage error (exit status 2), not a traceback.
        raise argparse.ArgumentTypeError(f"date invalide : {value!r} (AAAA-MM-JJ)") from None


class Command(BaseCommand):
    help = "Envoie les demandes « Nouvelle » dont la date « En attente jusqu'au » est arrivée."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=_day, help="Le jour (AAAA-MM-JJ) ; aujourd'hui sinon.")

    def handle(self, *args, **options):
        day = options["date"] or timezone.localdate()
        due = (
            PlacementRequest.objects.filter(
                status=PlacementRequest.Status.NEW, held_until__isnull=False, held_until__lte=day
            )
            .select_related("worksheet__cohort_course", "agency", "sender", "created_by")
            .order_by("worksheet__cohort_course_id", "pk")
        )
        sent = by_pdf = skipped = refused = 0
        complete = []
        for request in due:
            missing = missing_parts(request)
            if missing:
                skipped += 1
                for message in missing:
                    self.stdout.write(str(message))
            else:
                complete.append(request)

        def key(request):
            sender = request.sender or request.created_by
            return (request.worksheet.cohort_course_id, sender.pk)

        for _key, group in groupby(sorted(complete, key=key), key=key):
            group = list(group)
            first = group[0]
            sender = first.sender or first.created_by
            try:
                batch = requests_send(
                    actor=first.created_by,
                    cohort_course=first.worksheet.cohort_course,
                    requests=group,
                    individual_files=True,
                    detailed_schedule=False,
                    due_date=None,
                    sender=sender,
                    by_release=True,
                )
            except ValidationError as exc:
                refused += len(group)
                for message in exc.messages:
                    self.stdout.write(message)
            else:
                sent += batch.sent_count
                by_pdf += batch.pdf_count
        self.stdout.write(
            f"{day:%Y-%m-%d} : {sent} envoyée(s) (Env), {by_pdf} envoyée(s) en PDF (Env-P), "
            f"{skipped} incomplète(s) laissée(s) dans la boîte de sortie, {refused} refusée(s)."
        )
