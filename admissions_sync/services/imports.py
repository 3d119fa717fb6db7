"""Every write of the Parcoursup import (docs/guide/parcoursup.md; decision 0017): a run
replaces a formation's applicant base with a file — purged and re-imported, losing nothing.

- ``import_file`` (the command, cron): read and validate the whole file, then, in one
  transaction under the formation's row lock, compare it with the base and write the
  difference; or refuse, writing nothing but the run's record.
- the web, in two steps, each a tracked background job (admissions_sync/tasks.py; decision
  0021): ``upload_start`` keeps the uploaded file (Django's storage) and creates the run
  « En cours », whose job (``preview_run``) reads it and records what would change —
  the preview; ``confirm_start`` checks the preview may still be confirmed and makes it
  « En cours » again (once, whoever clicks), whose job (``confirm_run``) reads the kept
  file again, checks it is the one previewed (checksum) and runs the same code as the
  command. ``import_preview`` and ``import_confirm`` do each step in the calling process
  (benchmarks, tests); ``import_abandon`` drops a preview.

Pretix's way (DESIGN.md): every line is validated before any lock is taken; the writes are
one short transaction; the run's own record is written outside it, so that a refused,
failed or killed import leaves the base exactly as it was and its record says so.
"""

import datetime
import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _

from admissions_sync import imports
from admissions_sync.imports import (
    FIELDS,
    INDEX,
    SHOWN_FIELDS,
    ParsedFile,
    canonical_value,
    display,
    split,
)
from admissions_sync.models import Applicant, ApplicantEvent, Formation, ParcoursupImport
from registrar.bulk import bulk_insert

Outcome = ParcoursupImport.Outcome
Progress = Callable[[str, int, int], None]

# Share of the formation's present applicants an import may remove without being
# confirmed (« --force », or the box of the preview): more looks like a truncated or wrong
# file. A setting: PARCOURSUP_MAX_REMOVED_SHARE (docs/operations.md).
DEFAULT_MAX_REMOVED_SHARE = 0.2
CHUNK = 2_000

GUARD = _(
    "Cet import retirerait %(removed)s des %(base)s candidats présents (%(percent)s %%), plus "
    "que les %(limit)s %% admis sans confirmation : le fichier est peut-être tronqué ou d'une "
    "autre formation. Vérifiez-le, puis confirmez le retrait."
)
FILE_CHANGED = _(
    "Le fichier n'est plus celui de l'aperçu (sa somme de contrôle a changé) : rien n'a été "
    "importé. Déposez-le de nouveau."
)
BASE_CHANGED = _(
    "Un autre import de cette formation a eu lieu depuis l'aperçu : rien n'a été importé. "
    "Déposez le fichier de nouveau pour voir ce qu'il change maintenant."
)
NOT_A_PREVIEW = _("Cet aperçu a déjà été confirmé ou abandonné : rien n'a été importé.")
FORMATION_INACTIVE = _("La formation %(code)s n'est plus active : aucun import n'y est possible.")
FAILED = _("L'import a échoué (%(error)s) : rien n'a été écrit, la base est inchangée.")
EMPTY_UPLOAD = _("Le fichier déposé est vide (0 octet).")
PREVIEW_NOT_READY = _(
    "L'aperçu de ce fichier est encore en préparation : attendez qu'il s'affiche pour le confirmer."
)
FILE_GONE = _(
    "Le fichier déposé n'a pas pu être relu : rien n'a été importé. Déposez-le de nouveau."
)
# The tracked jobs of the web import (admissions_sync/tasks.py), about the run.
PREVIEW_JOB = "admissions_sync.import_preview"
CONFIRM_JOB = "admissions_sync.import_confirm"


def max_removed_share() -> float:
    return float(getattr(settings, "PARCOURSUP_MAX_REMOVED_SHARE", DEFAULT_MAX_REMOVED_SHARE))


@dataclass
class Plan:
    """What a file would change in a formation's base: computed without writing."""

    new: list[tuple[int, str, str]] = field(default_factory=list)  # (line, number, canonical)
    back: list[tuple[int, str, int, str]] = field(default_factory=list)  # (+ id)
    changed: list[tuple[int, str, int, str]] = field(default_factory=list)
    unchanged: list[tuple[int, str, str]] = field(default_factory=list)
    # (id, number, last name, first name)
    removed: list[tuple[int, str, str, str]] = field(default_factory=list)
    base_size: int = 0
    # applicant id → {field: [before, after]} for the changed and returning ones
    changes: dict[int, dict[str, list[str]]] = field(default_factory=dict)

    def guard_share(self) -> float:
        return len(self.removed) / self.base_size if self.base_size else 0.0

    def needs_confirmation(self) -> bool:
        return exceeds_guard(removed=len(self.removed), base_size=self.base_size)


def exceeds_guard(*, removed: int, base_size: int) -> bool:
    """Whether removing ``removed`` of ``base_size`` present applicants needs confirming."""
    return base_size > 0 and removed / base_size > max_removed_share()


def file_checksum(uploaded) -> tuple[str, int]:
    """SHA-256 (hex) and size of ``uploaded``, read in chunks."""
    sha = hashlib.sha256()
    size = 0
    uploaded.seek(0)
    while chunk := uploaded.read(1024 * 1024):
        sha.update(chunk)
        size += len(chunk)
    uploaded.seek(0)
    return sha.hexdigest(), size


def plan_import(*, formation: Formation, parsed: ParsedFile) -> Plan:
    """Compare ``parsed`` with ``formation``'s base as it is now. Writes nothing; reads one
    row of three columns per applicant, and the fields of the changed ones only."""
    plan = Plan()
    existing = {}
    for number, pk, row_hash, removed_at in Applicant.objects.filter(
        formation=formation
    ).values_list("candidate_number", "pk", "row_hash", "removed_at"):
        existing[number] = (pk, row_hash, removed_at is not None)
        if removed_at is None:
            plan.base_size += 1
    digest = imports.digest
    kept = parsed.kept
    for number, (line_no, line) in kept.items():
        known = existing.get(number)
        if known is None:
            plan.new.append((line_no, number, line))
        elif known[2]:
            plan.back.append((line_no, number, known[0], line))
        elif known[1] != digest(line):
            plan.changed.append((line_no, number, known[0], line))
        else:
            plan.unchanged.append((line_no, number, line))
    gone = [
        (pk, number)
        for number, (pk, _hash, removed) in existing.items()
        if not removed and number not in kept
    ]
    names = {}
    for start in range(0, len(gone), CHUNK):
        ids = [pk for pk, _number in gone[start : start + CHUNK]]
        names.update(
            (pk, (last, first))
            for pk, last, first in Applicant.objects.filter(pk__in=ids).values_list(
                "pk", "last_name", "first_name"
            )
        )
    plan.removed = [(pk, number, *names[pk]) for pk, number in gone]
    plan.removed.sort(key=lambda item: (item[2], item[3], item[1]))
    _read_changes(plan)
    return plan


def _read_changes(plan: Plan) -> None:
    """The fields that differ, before and after, of each changed or returning applicant."""
    lines = {pk: line for _line_no, _number, pk, line in plan.changed + plan.back}
    ids = list(lines)
    for start in range(0, len(ids), CHUNK):
        for row in Applicant.objects.filter(pk__in=ids[start : start + CHUNK]).values(
            "pk", *FIELDS
        ):
            after = split(lines[row["pk"]])
            diff = {}
            for name in SHOWN_FIELDS:
                before = canonical_value(name, row[name])
                new = after[INDEX[name]]
                if before != new:
                    diff[name] = [display(name, before), display(name, new)]
            plan.changes[row["pk"]] = diff


def plan_report(parsed: ParsedFile, plan: Plan) -> dict:
    """The run's ``plan``, its report: names and changes of the changed, returning, removed
    and excluded lines. Never the new and the unchanged ones (« new » stays an empty list):
    once imported, the new ones are the applicants whose ``first_import`` is the run; a
    preview keeps both lists in ``listing`` (``preview_listing``), as text — a first import
    of 100,000 lines would otherwise store, and each page of its preview decode, 100,000
    JSON lists."""

    def names(line: str) -> list[str]:
        values = split(line)
        return [values[INDEX["last_name"]], values[INDEX["first_name"]]]

    report = {
        "new": [],
        "back": [
            [line_no, number, *names(line), plan.changes.get(pk, {})]
            for line_no, number, pk, line in plan.back
        ],
        "changed": [
            [line_no, number, *names(line), plan.changes.get(pk, {})]
            for line_no, number, pk, line in plan.changed
        ],
        "removed": [[number, last, first] for _pk, number, last, first in plan.removed],
        "excluded": [list(item) for item in parsed.excluded],
    }
    for key in ("back", "changed"):
        report[key].sort(key=lambda item: (item[2], item[3], item[1]))
    return report


def preview_listing(plan: Plan) -> str:
    """A preview's new and unchanged applicants, by name: one « line⇥number⇥last⇥first »
    a line, the two lists separated by a form feed (names hold no control character:
    admissions_sync/imports.py refuses them). Read by admissions_sync/selectors/imports.py."""
    last, first = INDEX["last_name"], INDEX["first_name"]

    def listed(entries) -> str:
        rows = []
        for line_no, number, line in entries:
            values = split(line)
            rows.append((values[last], values[first], number, line_no))
        rows.sort()
        return "\n".join(
            f"{line_no}\t{number}\t{surname}\t{given}" for surname, given, number, line_no in rows
        )

    return listed(plan.new) + "\f" + listed(plan.unchanged)


def _counts(run: ParcoursupImport, parsed: ParsedFile, plan: Plan | None) -> None:
    run.lines = parsed.lines
    run.kept = len(parsed.kept)
    run.excluded = parsed.excluded_counts
    run.trusted = parsed.trusted
    if plan is not None:
        run.new, run.back = len(plan.new), len(plan.back)
        run.changed, run.unchanged = len(plan.changed), len(plan.unchanged)
        run.removed, run.base_size = len(plan.removed), plan.base_size


def guard_message(plan: Plan) -> str:
    share = plan.guard_share()
    return str(GUARD) % {
        "removed": len(plan.removed),
        "base": plan.base_size,
        "percent": f"{share * 100:.0f}",
        "limit": f"{max_removed_share() * 100:.0f}",
    }


def _refusal_messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _finish(run: ParcoursupImport, outcome: str, **fields) -> ParcoursupImport:
    run.outcome = outcome
    run.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(run, name, value)
    run.save()
    return run


# ---------------------------------------------------------------------------------------
# The command (and cron)
# ---------------------------------------------------------------------------------------


def import_file(
    *,
    actor,
    formation: Formation,
    uploaded,
    file_name: str,
    source: str = ParcoursupImport.Source.COMMAND,
    force: bool = False,
    progress: Progress | None = None,
) -> ParcoursupImport:
    """Import ``uploaded`` into ``formation``'s applicant base.

    Changes: one ParcoursupImport row, created « En cours » and committed first, then
    finished « Importé », « Refusé » (errors listed, nothing else written), « Arrêté :
    confirmation requise » (more than PARCOURSUP_MAX_REMOVED_SHARE of the base would leave
    and not ``force``) or « Échec ». When imported, in one transaction under the formation's
    row lock: new Applicants, changed ones updated, absent ones flagged removed, returning
    ones unflagged, one ApplicantEvent each. Another formation is never read nor written.
    A file equal to the base writes nothing but the run."""
    checksum, size = file_checksum(uploaded)
    run = ParcoursupImport.objects.create(
        formation=formation,
        file_name=os.path.basename(file_name)[:255],
        checksum=checksum,
        size=size,
        source=source,
        actor=actor,
        outcome=Outcome.RUNNING,
        forced=force,
    )
    return _run(run, uploaded, force=force, progress=progress)


def _read(run: ParcoursupImport, uploaded) -> ParsedFile | None:
    """The file's validated lines; None when it is refused, the run then finished
    « Refusé » with every error (the file's own, or each line's)."""
    formation = run.formation
    try:
        if not formation.is_active:
            raise ValidationError(FORMATION_INACTIVE, params={"code": formation.code})
        if run.size == 0:
            raise ValidationError(EMPTY_UPLOAD)
        parsed = imports.read_file(uploaded)
    except ValidationError as error:
        _finish(run, Outcome.REFUSED, errors=_refusal_messages(error))
        return None
    if parsed.errors:
        _counts(run, parsed, None)
        _finish(run, Outcome.REFUSED, errors=parsed.errors)
        return None
    return parsed


def _run(run, uploaded, *, force: bool, progress: Progress | None) -> ParcoursupImport:
    formation = run.formation
    parsed = _read(run, uploaded)
    if parsed is None:
        return run
    if progress:
        progress("read", parsed.lines, parsed.lines)
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The commit does not wait for the WAL of 100,000 rows to reach the disk
                # (about 1.4 s here): a crash in that instant loses the whole import and its
                # run record together — never half of it — and the file imports again.
                # Decision 0017.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
            Formation.objects.select_for_update().get(pk=formation.pk)
            plan = plan_import(formation=formation, parsed=parsed)
            _counts(run, parsed, plan)
            if plan.needs_confirmation() and not force:
                guarded = True
            else:
                guarded = False
                _write(run, plan, progress)
                run.plan = plan_report(parsed, plan)
                run.listing = ""
                _finish(run, Outcome.IMPORTED, message="", forced=force)
    except Exception as error:  # the transaction rolled back: the base is as it was
        run.refresh_from_db()
        _finish(run, Outcome.FAILED, message=str(FAILED) % {"error": type(error).__name__})
        raise
    if guarded:
        run.plan = plan_report(parsed, plan)
        run.listing = ""
        return _finish(run, Outcome.GUARDED, message=guard_message(plan))
    return run


# ---------------------------------------------------------------------------------------
# The web: preview, then confirm
# ---------------------------------------------------------------------------------------


def upload_start(*, actor, formation: Formation, uploaded) -> tuple[ParcoursupImport, object]:
    """« Importer un fichier »: keep ``uploaded`` and ask for its preview.

    Changes: saves the file in Django's storage (``parcoursup/…``, under a random name;
    through the storage API only, S3 included), creates one ParcoursupImport « En cours »
    (web, ``actor``) and enqueues the job PREVIEW_JOB about it (``preview_run``). Returns
    the run and the job. The applicant base is not written."""
    from registrar.services.jobs import job_enqueue  # the jobs' services import the kinds

    run = import_upload(actor=actor, formation=formation, uploaded=uploaded)
    job = job_enqueue(actor=actor, kind=PREVIEW_JOB, target=run)
    return run, job


def import_upload(*, actor, formation: Formation, uploaded) -> ParcoursupImport:
    """The upload alone. Changes: the file kept in storage and one run « En cours » (web)
    naming it; its checksum is computed by the preview from the stored bytes."""
    name = os.path.basename(getattr(uploaded, "name", "") or "parcoursup.csv")[:255]
    extension = os.path.splitext(name)[1].lower()
    if extension not in (".csv", ".xlsx", ".ods"):
        extension = ".csv"
    run = ParcoursupImport(
        formation=formation,
        file_name=name,
        size=getattr(uploaded, "size", None) or 0,
        source=ParcoursupImport.Source.WEB,
        actor=actor,
        outcome=Outcome.RUNNING,
    )
    uploaded.seek(0)
    # The file first, then the row: a row never names a file that is not there.
    run.file.save(f"{get_random_string(32)}{extension}", File(uploaded), save=False)
    run.save()
    return run


def import_preview(*, actor, formation: Formation, uploaded) -> ParcoursupImport:
    """What ``uploaded`` would change in ``formation``'s base, without changing it, in the
    calling process: ``import_upload`` then ``preview_run`` (the web does both through a
    job, ``upload_start``). Changes: see both."""
    run = import_upload(actor=actor, formation=formation, uploaded=uploaded)
    return preview_run(run.pk)


def _load(run: ParcoursupImport, progress: Progress | None) -> tuple[io.BytesIO, str]:
    """The kept file's bytes, read through the storage API (never a local path: the
    storage may be S3), and their SHA-256. OSError when the file is gone."""
    sha = hashlib.sha256()
    content = io.BytesIO()
    total = max(run.size, 1)
    with run.file.open("rb") as stored:
        while chunk := stored.read(1024 * 1024):
            sha.update(chunk)
            content.write(chunk)
            if progress:
                progress("load", min(content.tell(), total), total)
    content.seek(0)
    content.name = run.file_name
    return content, sha.hexdigest()


class _Reading:
    """A binary file that reports how much of it has been read (``progress("parse", …)``),
    for the bar of a job. The reader (admissions_sync/imports.py) goes over a CSV twice —
    its NUL bytes, then its lines, in chunks as it validates them — and loads a
    spreadsheet at once: the bytes read in all, over the expected passes, never going back."""

    def __init__(self, stream: io.BytesIO, progress: Progress):
        self._stream, self._progress = stream, progress
        self.name = stream.name
        self.size = stream.getbuffer().nbytes
        passes = 2 if str(self.name).lower().endswith(".csv") else 1
        self._expected = max(self.size * passes, 1)
        self._read = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._read += len(data)
        self._progress("parse", min(self._read, self._expected), self._expected)
        return data

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._stream.seek(offset, whence)

    def tell(self) -> int:
        return self._stream.tell()


def preview_run(run_id: int, progress: Progress | None = None) -> ParcoursupImport:
    """The preview job: read the kept file of the web run ``run_id`` and compare it with
    the formation's base. Reports progress (``load``, ``parse``, ``plan``); writes only the
    run, never the base.

    Changes: the run « En cours » becomes « Aperçu » with its checksum, counts, lists
    (new, removed, changed with their fields, unchanged, excluded) and the latest imported
    run it was compared with — or « Refusé » with every error, its file deleted. A run
    that is no longer « En cours » (a job taken over after its work was done) is left as
    it is."""
    run = ParcoursupImport.objects.select_related("formation").get(pk=run_id)
    if run.outcome != Outcome.RUNNING:
        return run
    run.base_run = latest_imported(run.formation)
    try:
        content, run.checksum = _load(run, progress)
    except OSError:
        run.file = ""
        return _finish(run, Outcome.REFUSED, errors=[str(FILE_GONE)])
    run.size = content.getbuffer().nbytes
    parsed = _read(run, _Reading(content, progress) if progress else content)
    if parsed is None:
        _drop_file(run)
        return run
    if progress:
        progress("plan", 0, 1)
    plan = plan_import(formation=run.formation, parsed=parsed)
    _counts(run, parsed, plan)
    run.plan = plan_report(parsed, plan)
    run.listing = preview_listing(plan)
    run.message = guard_message(plan) if plan.needs_confirmation() else ""
    return _finish(run, Outcome.PREVIEW, finished_at=None)


def _drop_file(run: ParcoursupImport) -> None:
    """A refused preview keeps no file."""
    name = run.file.name
    if name:
        run.file = ""
        run.save(update_fields=["file"])
        default_storage.delete(name)


def preview_needs_confirmation(run: ParcoursupImport) -> bool:
    """Whether the preview's removals exceed the share the guard lets pass."""
    return run.outcome == Outcome.PREVIEW and exceeds_guard(
        removed=run.removed, base_size=run.base_size
    )


def preview_in_preparation(run: ParcoursupImport) -> bool:
    """A web run « En cours » whose file has not been read yet: its checksum is written by
    the preview, from the stored bytes, when the preview is done (a confirmed one being
    imported has it)."""
    return (
        run.outcome == Outcome.RUNNING
        and run.source == ParcoursupImport.Source.WEB
        and not run.checksum
    )


def confirm_start(
    *, actor, run: ParcoursupImport, checksum: str, confirm_removals: bool = False
) -> tuple[ParcoursupImport, object]:
    """« Confirmer l'import » from the web: ``confirm_check``, then the job CONFIRM_JOB
    about the run (``confirm_run``, with ``force`` = ``confirm_removals``). Changes: see
    both; ValidationError (nothing enqueued) when the preview may not be confirmed.
    Returns the run and the job."""
    from registrar.services.jobs import job_enqueue

    run = confirm_check(actor=actor, run=run, checksum=checksum)
    job = job_enqueue(
        actor=actor, kind=CONFIRM_JOB, target=run, params={"force": bool(confirm_removals)}
    )
    return run, job


def confirm_check(*, actor, run: ParcoursupImport, checksum: str) -> ParcoursupImport:
    """Whether the preview ``run`` may be confirmed, decided once under the run's row lock.

    Changes: the run becomes « En cours » (``actor``, started now) when it is still a
    preview (a second click or a second agent finds it « En cours » or done:
    NOT_A_PREVIEW, or PREVIEW_NOT_READY while the preview is still being read), ``checksum``
    is the preview's and no import of the formation came since; otherwise ValidationError
    and — for the last two — the preview is marked « abandonné », its file deleted. The base
    is not written."""
    refusal = None
    with transaction.atomic():
        # The run's row only (of=self): locking its formation too, joined, deadlocked with
        # the import of a concurrent confirmation, which holds the formation and then
        # writes the run.
        run = (
            ParcoursupImport.objects.select_for_update(of=("self",))
            .select_related("formation")
            .get(pk=run.pk)
        )
        if preview_in_preparation(run):
            raise ValidationError(PREVIEW_NOT_READY, code="not_ready")
        if run.outcome != Outcome.PREVIEW:
            raise ValidationError(NOT_A_PREVIEW, code="not_preview")
        latest = latest_imported(run.formation)
        if checksum != run.checksum:
            refusal = ValidationError(FILE_CHANGED, code="file_changed")
        elif (latest.pk if latest else None) != run.base_run_id:
            refusal = ValidationError(BASE_CHANGED, code="base_changed")
        if refusal is not None:
            # Committed, then raised: raising inside the block would roll the « abandonné »
            # back and leave the preview confirmable.
            _abandon(run)
        else:
            run.outcome = Outcome.RUNNING
            run.actor = actor
            # The run's duration is the import's, not the time the preview was read.
            run.started_at = timezone.now()
            run.save(update_fields=["outcome", "actor", "started_at"])
    if refusal is not None:
        raise refusal
    return run


def confirm_run(run_id: int, *, force: bool, progress: Progress | None = None) -> ParcoursupImport:
    """The import job of a confirmed preview: read the kept file again (``load``,
    ``parse``), check its SHA-256 is the preview's, then run the same code as the command
    (``_run``: one transaction under the formation's lock). Progress is reported before
    that transaction, never inside it (a job's progress is its own committed UPDATE:
    registrar/services/jobs.py).

    Changes: see ``import_file``; the run « En cours » becomes « Importé », « Refusé »,
    « Arrêté : confirmation requise » or « Échec ». A run that is no longer « En cours »
    (its import committed, the job taken over afterwards) is left as it is."""
    run = ParcoursupImport.objects.select_related("formation").get(pk=run_id)
    if run.outcome != Outcome.RUNNING:
        return run
    try:
        content, checksum = _load(run, progress)
    except OSError:
        return _finish(run, Outcome.REFUSED, errors=[str(FILE_CHANGED)])
    if checksum != run.checksum:
        return _finish(run, Outcome.REFUSED, errors=[str(FILE_CHANGED)])

    def outside_the_transaction(stage: str, done: int, total: int) -> None:
        if stage != "write":
            progress(stage, done, total)

    uploaded = _Reading(content, progress) if progress else content
    return _run(run, uploaded, force=force, progress=outside_the_transaction if progress else None)


def import_confirm(
    *, actor, run: ParcoursupImport, checksum: str, confirm_removals: bool = False
) -> ParcoursupImport:
    """« Confirmer l'import » of the preview ``run`` in the calling process:
    ``confirm_check`` then ``confirm_run`` (the web does the second through a job,
    ``confirm_start``).

    Changes: the run becomes the import itself (« Importé », « Refusé », « Arrêté » or
    « Échec », see ``import_file``) — when it is still a preview (the row is locked: a
    second click or a second agent finds it done), the kept file is still the one
    previewed (``checksum``, computed again), and no import of the formation came since.
    Otherwise ValidationError and the preview is marked « abandonné »; the base is not
    written."""
    run = confirm_check(actor=actor, run=run, checksum=checksum)
    return confirm_run(run.pk, force=confirm_removals)


def import_abandon(*, actor, run: ParcoursupImport) -> ParcoursupImport:
    """« Abandonner » a preview. Changes: the run becomes « Aperçu abandonné » and its kept
    file is deleted; nothing else. A run that is no longer a preview is left as it is."""
    with transaction.atomic():
        run = ParcoursupImport.objects.select_for_update().get(pk=run.pk)
        if run.outcome == Outcome.PREVIEW:
            _abandon(run)
    return run


def _abandon(run: ParcoursupImport) -> None:
    name = run.file.name
    run.outcome = Outcome.ABANDONED
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "finished_at"])
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def latest_imported(formation: Formation) -> ParcoursupImport | None:
    return (
        ParcoursupImport.objects.filter(formation=formation, outcome=Outcome.IMPORTED)
        .order_by("-pk")
        .only("pk")
        .first()
    )


# ---------------------------------------------------------------------------------------
# Writing the difference
# ---------------------------------------------------------------------------------------


def _write(run: ParcoursupImport, plan: Plan, progress: Progress | None) -> None:
    total = len(plan.new) + len(plan.changed) + len(plan.back) + len(plan.removed)
    done = 0
    now = timezone.now()

    def step(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress("write", done, total)

    if plan.new:
        _insert_new(run, plan.new, step)
    updates = [(pk, line) for _l, _n, pk, line in plan.changed + plan.back]
    if updates:
        _update(updates, step)
        bulk_insert(
            [
                ApplicantEvent(
                    applicant_id=pk,
                    run=run,
                    kind=ApplicantEvent.Kind.CHANGED,
                    changes=plan.changes[pk],
                )
                for _l, _n, pk, _line in plan.changed
            ]
            + [
                ApplicantEvent(
                    applicant_id=pk,
                    run=run,
                    kind=ApplicantEvent.Kind.BACK,
                    changes=plan.changes.get(pk) or None,
                )
                for _l, _n, pk, _line in plan.back
            ]
        )
    if plan.removed:
        ids = [pk for pk, *_rest in plan.removed]
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            Applicant.objects.filter(pk__in=chunk).update(removed_at=now, removed_by=run)
            step(len(chunk))
        bulk_insert(
            [
                ApplicantEvent(applicant_id=pk, run=run, kind=ApplicantEvent.Kind.REMOVED)
                for pk in ids
            ]
        )


def _insert_new(run: ParcoursupImport, new: list[tuple[int, str, str]], step) -> None:
    digest = imports.digest
    if connection.vendor == "postgresql":
        # COPY of the canonical lines as they are (they are in COPY's text format): the
        # 100,000-line budget (docs/performance.md) leaves no room for a value-by-value write.
        columns = [
            "formation_id",
            "first_import_id",
            "row_hash",
            *(Applicant._meta.get_field(n).column for n in FIELDS),
        ]
        table = connection.ops.quote_name(Applicant._meta.db_table)
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        prefix = f"{run.formation_id}\t{run.pk}\t"
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for start in range(0, len(new), CHUNK):
                chunk = new[start : start + CHUNK]
                copy.write("".join(f"{prefix}{digest(line)}\t{line}\n" for _l, _n, line in chunk))
                step(len(chunk))
        return
    for start in range(0, len(new), CHUNK):
        chunk = new[start : start + CHUNK]
        Applicant.objects.bulk_create(
            [
                Applicant(
                    formation_id=run.formation_id,
                    first_import=run,
                    row_hash=digest(line),
                    **model_values(line),
                )
                for _l, _n, line in chunk
            ]
        )
        step(len(chunk))


def _update(rows: list[tuple[int, str]], step) -> None:
    digest = imports.digest
    if connection.vendor == "postgresql" and len(rows) > 200:
        # Many changes at once (a re-export with another phone format…): through a
        # temporary table, one UPDATE … FROM, rather than CASE WHEN lists.
        quote = connection.ops.quote_name
        table = quote(Applicant._meta.db_table)
        columns = [Applicant._meta.get_field(n).column for n in FIELDS]
        names = ", ".join(quote(column) for column in columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE admissions_incoming ON COMMIT DROP AS "
                f"SELECT id, row_hash, {names} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(
                f"COPY admissions_incoming (id, row_hash, {names}) FROM STDIN"
            ) as copy:
                for start in range(0, len(rows), CHUNK):
                    chunk = rows[start : start + CHUNK]
                    copy.write("".join(f"{pk}\t{digest(line)}\t{line}\n" for pk, line in chunk))
            assignments = ", ".join(
                f"{quote(c)} = incoming.{quote(c)}" for c in ["row_hash", *columns]
            )
            cursor.execute(
                f"UPDATE {table} SET {assignments}, removed_at = NULL, removed_by_id = NULL "
                f"FROM admissions_incoming AS incoming WHERE {table}.id = incoming.id"
            )
            cursor.execute("DROP TABLE admissions_incoming")
        step(len(rows))
        return
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        objects = [
            Applicant(
                pk=pk, row_hash=digest(line), removed_at=None, removed_by=None, **model_values(line)
            )
            for pk, line in chunk
        ]
        Applicant.objects.bulk_update(
            objects, ["row_hash", "removed_at", "removed_by", *FIELDS], batch_size=250
        )
        step(len(chunk))


def model_values(line: str) -> dict:
    """A canonical line as the model's Python values (for SQLite's writes)."""
    values = dict(zip(FIELDS, split(line), strict=True))
    values["birth_date"] = datetime.date.fromisoformat(values["birth_date"])
    values["gap_year"] = values["gap_year"] == "t"
    values["boarding"] = values["boarding"] == "t"
    moment = values["response_at"]
    values["response_at"] = (
        datetime.datetime.strptime(moment, "%Y-%m-%d %H:%M:%S+00").replace(tzinfo=datetime.UTC)
        if moment
        else None
    )
    return values
