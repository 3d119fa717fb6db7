"""manage.py seed_demo: the demo institution (and, with --students, a large one)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from registrar.demo import print_progress, seed_demo

REFUSED = (
    "seed_demo creates the demo login demo/demo: it runs only with DEBUG or in tests. "
    "Add --force if this database really is a demonstration or benchmark one."
)


class Command(BaseCommand):
    help = "Load the demo data (idempotent): the guides' institution, students and demo users."

    def add_arguments(self, parser):
        parser.add_argument(
            "--students",
            type=int,
            default=300,
            help="number of generated students to have (default 300; 200000 for benchmarks)",
        )
        parser.add_argument(
            "--force", action="store_true", help="run even though DEBUG is off (never in prod)"
        )

    def handle(self, *args, students: int, force: bool, **options):
        if not (settings.DEBUG or getattr(settings, "TESTING", False) or force):
            raise CommandError(REFUSED)
        if students < 0:
            raise CommandError("--students must be 0 or more.")
        verbose = options["verbosity"] > 0
        report = seed_demo(students=students, progress=print_progress if verbose else None)
        if verbose:
            for what in sorted(set(report.created) | set(report.present)):
                self.stdout.write(
                    f"  {what}: {report.created.get(what, 0)} créés, "
                    f"{report.present.get(what, 0)} déjà présents"
                )
            self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
