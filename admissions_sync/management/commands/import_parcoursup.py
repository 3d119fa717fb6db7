"""``manage.py import_parcoursup FILE --formation CODE [--dry-run] [--force]``: the nightly
import of Parcoursup's admissions export into a formation's applicant base (purged and
re-imported: docs/guide/parcoursup.md), for cron and systemd (docs/operations.md).

A progress bar on a terminal, one summary line otherwise. Exit status: 0 imported (or, with
``--dry-run``, the file would be), 1 the file was refused (its errors on stderr, « Ligne N :
… »), or the import stopped before removing too many applicants (``--force`` confirms),
2 a usage error (no such file, no such formation). Calls
``admissions_sync.services.imports.import_file``: the web's « Confirmer l'import » runs the
same code."""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from admissions_sync.imports import EXCLUSION_LABELS, read_file
from admissions_sync.models import Formation, ParcoursupImport
from admissions_sync.services.imports import (
    guard_message,
    import_file,
    max_removed_share,
    plan_import,
)

Outcome = ParcoursupImport.Outcome


class Command(BaseCommand):
    help = "Importe l'export des admissions Parcoursup d'une formation (purge et réimport)."
    # Cron runs it every night: no system checks first (manage.py check, and every deploy,
    # run them), they would cost a third of a second of the 100,000-line budget.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="Le fichier exporté de Parcoursup (.csv ou .xlsx).")
        parser.add_argument("--formation", required=True, help="Le code de la formation.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Dire ce qui changerait, sans rien écrire."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            # « %% »: argparse formats the help with %.
            help=f"Confirmer le retrait de plus de {max_removed_share() * 100:.0f} %% des "
            "candidats présents.",
        )

    def handle(self, *args, **options):
        translation.activate("fr")
        try:
            formation = Formation.objects.get(code=options["formation"])
        except Formation.DoesNotExist:
            raise CommandError(
                f"Formation inconnue : « {options['formation']} ».", returncode=2
            ) from None
        try:
            stream = open(options["file"], "rb")  # noqa: SIM115 (closed below)
        except OSError as error:
            raise CommandError(
                f"Fichier illisible : « {options['file']} » ({error.strerror}).", returncode=2
            ) from None
        with stream:
            if options["dry_run"]:
                return self._dry_run(formation, stream)
            run = import_file(
                actor=None,
                formation=formation,
                uploaded=stream,
                file_name=options["file"],
                force=options["force"],
                progress=self._progress if self.stdout.isatty() else None,
            )
        if self.stdout.isatty():
            self.stdout.write("")
        self._summary(run)
        if run.outcome != Outcome.IMPORTED:
            sys.exit(1)

    def _dry_run(self, formation, stream):
        try:
            parsed = read_file(stream)
        except ValidationError as error:
            for message in error.messages:
                self.stderr.write(message)
            sys.exit(1)
        if parsed.errors:
            for message in parsed.errors:
                self.stderr.write(message)
            self.stdout.write(
                f"Refusé (simulation) : {len(parsed.errors)} erreur(s), rien n'est écrit."
            )
            sys.exit(1)
        plan = plan_import(formation=formation, parsed=parsed)
        self.stdout.write(
            f"Simulation, rien n'est écrit — {formation.code} : {parsed.lines} lignes, "
            f"{len(parsed.kept)} gardées, {len(parsed.excluded)} exclues ; "
            f"{len(plan.new)} nouveaux, "
            f"{len(plan.removed)} retirés, {len(plan.changed)} modifiés, {len(plan.back)} revenus, "
            f"{len(plan.unchanged)} inchangés."
        )
        if plan.needs_confirmation():
            self.stdout.write(guard_message(plan) + " (--force)")

    def _progress(self, stage: str, done: int, total: int) -> None:
        if stage == "read":
            self.stdout.write(f"\rLecture : {done} lignes validées", ending="")
            self.stdout.write("")
            return
        width = 30
        filled = width * done // total if total else width
        percent = 100 * done // total if total else 100
        self.stdout.write(
            f"\rÉcriture [{'#' * filled}{' ' * (width - filled)}] {percent:3d} %", ending=""
        )
        self.stdout.flush()

    def _summary(self, run: ParcoursupImport) -> None:
        code = run.formation.code
        if run.outcome == Outcome.REFUSED:
            for message in run.errors:
                self.stderr.write(message)
            self.stdout.write(
                f"Refusé — {code} : {len(run.errors)} erreur(s), rien n'est importé "
                f"(import n° {run.pk})."
            )
            return
        if run.outcome == Outcome.GUARDED:
            self.stderr.write(run.message)
            self.stdout.write(
                f"Arrêté — {code} : {run.removed} retraits à confirmer avec --force, rien n'est "
                f"importé (import n° {run.pk})."
            )
            return
        excluded = ", ".join(
            f"{count} {str(EXCLUSION_LABELS.get(reason, reason)).lower()}"
            for reason, count in sorted(run.excluded.items())
        )
        trusted = " ; fichier sans avis ni résultat du bac : tous gardés" if run.trusted else ""
        seconds = run.duration.total_seconds() if run.duration else 0.0
        self.stdout.write(
            f"Importé — {code} : {run.lines} lignes, {run.kept} gardées"
            f"{' (exclues : ' + excluded + ')' if excluded else ''}{trusted} ; {run.new} nouveaux, "
            f"{run.removed} retirés, {run.changed} modifiés, {run.back} revenus, {run.unchanged} "
            f"inchangés en {seconds:.1f} s (import n° {run.pk})."
        )
