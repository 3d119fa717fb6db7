"""``manage.py export_parcoursup --date JJ/MM/AAAA [--formation CODE] [--output FILE]``: the
end-of-day report of the administrative registrations back to Parcoursup (docs/guide/
parcoursup.md), for cron and for the desk.

Writes the day's file (admissions_sync/documents.py) into the current directory under its
name (« remontee-parcoursup-<CODE ou toutes>-AAAA-MM-JJ.csv »), into FILE, or to the standard
output with ``--output -``, then one summary line (on stderr when the file went to stdout).
Exit status: 0 the file is written, even with no line (its header only); 2 a usage error
(a bad date, an unknown formation, an unwritable file), with a French message and no
traceback. The web's « Télécharger le fichier » hands out the same bytes."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from admissions_sync.documents import report_csv, report_filename
from admissions_sync.forms.export import parse_day
from admissions_sync.models import Formation
from admissions_sync.selectors.export import report_lines


class Command(BaseCommand):
    help = "Écrit le fichier de remontée vers Parcoursup des inscriptions d'un jour."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", required=True, help="Le jour des inscriptions (JJ/MM/AAAA, heure de Paris)."
        )
        parser.add_argument("--formation", help="Le code d'une formation (toutes sinon).")
        parser.add_argument(
            "--output",
            help="Le fichier à écrire (« - » : la sortie standard ; par défaut, le nom du "
            "fichier dans le répertoire courant).",
        )

    def handle(self, *args, **options):
        translation.activate("fr")
        try:
            day = parse_day(options["date"])
        except ValidationError as error:
            raise CommandError(
                f"Date invalide « {options['date']} » : {' '.join(error.messages)}", returncode=2
            ) from None
        formation = None
        if options["formation"]:
            try:
                formation = Formation.objects.get(code=options["formation"])
            except Formation.DoesNotExist:
                raise CommandError(
                    f"Formation inconnue : « {options['formation']} ».", returncode=2
                ) from None
        lines = report_lines(day, formation)
        content = report_csv(lines)
        name = report_filename(day, formation)
        output = options["output"] or name
        if output == "-":
            self.stdout.write(content.decode("utf-8"), ending="")
            target, summary = "la sortie standard", self.stderr
        else:
            try:
                Path(output).write_bytes(content)
            except OSError as error:
                raise CommandError(
                    f"Impossible d'écrire « {output} » ({error.strerror}).", returncode=2
                ) from None
            target, summary = output, self.stdout
        count = len(lines)
        what = "inscription remontée" if count < 2 else "inscriptions remontées"
        scope = formation.code if formation else "toutes les formations"
        summary.write(f"{count} {what} — {scope}, {day:%d/%m/%Y} : {target}.")
