"""Reads of « Imports Parcoursup » (docs/guide/parcoursup.md): the runs' list, one run, and
the pages of a run's report (its ``plan``). Runs are the institution's: every user with
``admissions_sync.view_parcoursupimport`` reads them all.

Query budget: the list is one COUNT and one page query whatever its size (the formation and
the actor joined, the ``plan`` and ``errors`` JSON deferred: a 100,000-line run's plan is
megabytes); a run's page is one query.
"""

import datetime
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Case, CharField, DurationField, ExpressionWrapper, F, Q, Value, When
from django.db.models.functions import Concat, Trim
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from admissions_sync.imports import EXCLUSION_LABELS, field_label
from admissions_sync.models import Applicant, Formation, ParcoursupImport
from registrar.paginators import KnownCountPaginator
from registrar.text import parse_id

Outcome = ParcoursupImport.Outcome
Source = ParcoursupImport.Source

# A run still « En cours » this long after it started was killed (a restarted server, a cron
# job stopped): nothing of it was written (services/imports.py commits the base in one
# transaction), and the list says so.
STALE_AFTER = datetime.timedelta(minutes=30)
INTERRUPTED = "interrupted"
INTERRUPTED_LABEL = _("Interrompu")
# Who ran a command run with no user: the nightly cron.
CRON = _("cron")

LIST_PER_PAGE = 50
ERRORS_PER_PAGE = 100


def is_interrupted(run: ParcoursupImport, now: datetime.datetime | None = None) -> bool:
    return run.outcome == Outcome.RUNNING and run.started_at < (now or timezone.now()) - STALE_AFTER


def outcome_label(run: ParcoursupImport) -> str:
    """The run's outcome as the pages show it (« Interrompu » for a run killed midway)."""
    if is_interrupted(run):
        return str(INTERRUPTED_LABEL)
    return str(run.get_outcome_display())


def actor_label(run: ParcoursupImport) -> str:
    """Who ran it: the user's full name (or user name), « cron » for the command alone."""
    if run.actor is None:
        return str(CRON) if run.source == Source.COMMAND else ""
    return run.actor.get_full_name() or run.actor.get_username()


def _runs():
    return ParcoursupImport.objects.select_related("formation", "actor").defer(
        "plan", "errors", "listing"
    )


def runs_for_list(user):
    """Every run, newest first, with what the list shows and sorts computed in SQL:
    ``by_name`` (« par »), ``outcome_shown`` (the outcome's label, « Interrompu » for a stale
    run), ``elapsed`` (finished − started). The export reads the same columns."""
    cutoff = timezone.now() - STALE_AFTER
    return (
        _runs()
        .annotate(
            by_name=Case(
                When(actor__isnull=True, source=Source.COMMAND, then=Value(str(CRON))),
                When(actor__isnull=True, then=Value("")),
                When(Q(actor__first_name="", actor__last_name=""), then=F("actor__username")),
                default=Trim(Concat(F("actor__first_name"), Value(" "), F("actor__last_name"))),
                output_field=CharField(),
            ),
            outcome_shown=Case(
                When(
                    outcome=Outcome.RUNNING,
                    started_at__lt=cutoff,
                    then=Value(str(INTERRUPTED_LABEL)),
                ),
                *(When(outcome=value, then=Value(str(label))) for value, label in Outcome.choices),
                default=F("outcome"),
                output_field=CharField(),
            ),
            elapsed=ExpressionWrapper(
                F("finished_at") - F("started_at"), output_field=DurationField()
            ),
        )
        .order_by("-started_at", "-pk")
    )


def run_for(user, pk: int) -> ParcoursupImport:
    """One run with its report (404 for an unknown number). One query."""
    return get_object_or_404(ParcoursupImport.objects.select_related("formation", "actor"), pk=pk)


def formations() -> list[Formation]:
    """Every formation (the list's filter: runs of a formation since closed stay listed)."""
    return list(Formation.objects.all())


def active_formations() -> list[Formation]:
    """The formations a file may be imported into (« Importer un fichier »)."""
    return list(Formation.objects.filter(is_active=True))


def user_runs(user, limit: int) -> list[ParcoursupImport]:
    """The runs ``user`` started or confirmed, newest first (« Mes opérations »). One query."""
    return list(_runs().filter(actor=user).order_by("-started_at", "-pk")[:limit])


# ---------------------------------------------------------------------------------------
# A run's report: the lists of its plan, a tab each
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportList:
    key: str  # the ?liste= value
    plan_key: str  # the key in run.plan ("errors": run.errors)
    label: str
    per_page: int = LIST_PER_PAGE


REPORT_LISTS = (
    ReportList("nouveaux", "new", _("Nouveaux")),
    ReportList("retires", "removed", _("Retirés")),
    ReportList("modifies", "changed", _("Modifiés")),
    ReportList("revenus", "back", _("Revenus")),
    ReportList("inchanges", "unchanged", _("Inchangés")),
    ReportList("exclus", "excluded", _("Exclus")),
    ReportList("erreurs", "errors", _("Erreurs"), per_page=ERRORS_PER_PAGE),
)
_BY_KEY = {item.key: item for item in REPORT_LISTS}


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Report:
    tabs: list[Tab]
    current: str  # the shown tab's key ("" when the run has no list)
    page: Page | None  # its rows, each a dict (see _row)
    with_lines: bool = True  # whether its rows carry their line of the file


# The lists a preview keeps as text in ``listing`` (services/imports.preview_listing).
_LISTED = ("new", "unchanged")


def _listed(run: ParcoursupImport, key: str) -> list[str] | None:
    """The preview's « new » or « unchanged » lines (text, split a page at a time by
    ``_row``), None when the run keeps no listing."""
    if not run.listing:
        return None
    new, _feed, unchanged = run.listing.partition("\f")
    text = new if key == "new" else unchanged
    return text.split("\n") if text else []


def _entries(run: ParcoursupImport, item: ReportList):
    if item.plan_key in _LISTED:
        listed = _listed(run, item.plan_key)
        if listed is not None:
            return listed
    source = run.errors if item.plan_key == "errors" else (run.plan or {}).get(item.plan_key)
    return source if isinstance(source, list) else []


def _imported_new(run: ParcoursupImport):
    """An imported run's new applicants: its plan does not list them (they are the
    applicants whose ``first_import`` is the run, services/imports.plan_report), so they
    are read a page at a time — (number, last name, first name), by name."""
    return (
        Applicant.objects.filter(first_import_id=run.pk)
        .order_by("search_last_name", "search_first_name", "pk")
        .values_list("candidate_number", "last_name", "first_name")
    )


def _lists_new_from_base(run: ParcoursupImport) -> bool:
    return run.outcome != Outcome.PREVIEW and run.new > 0 and not _entries(run, _BY_KEY["nouveaux"])


def report(run: ParcoursupImport, *, liste: str | None, page: str | None) -> Report:
    """The tabs of ``run``'s report (the lists it has, with their counts) and the page of
    the chosen one. ``liste`` and ``page`` are request text: an unknown list is the first
    one, a page that is not a number (« ² », « ١٢ ») the first page, past the end the last.
    Reads nothing but the run, except an imported run's « Nouveaux »: one query a page."""
    plan = run.plan if isinstance(run.plan, dict) else {}
    from_base = _lists_new_from_base(run)
    tabs = []
    for item in REPORT_LISTS:
        entries = _entries(run, item)
        count = run.new if (item.plan_key == "new" and from_base) else len(entries)
        # « Inchangés » exists only in a preview's plan; errors only when there are some.
        if item.plan_key in ("errors", "unchanged") and not entries:
            continue
        listed = item.plan_key in _LISTED and bool(run.listing)
        if (
            item.plan_key != "errors"
            and not listed
            and not isinstance(plan.get(item.plan_key), list)
        ):
            continue
        tabs.append(Tab(item.key, str(item.label), count))
    if not tabs:
        return Report(tabs=[], current="", page=None)
    keys = [tab.key for tab in tabs]
    current = liste if liste in keys else ("erreurs" if "erreurs" in keys else keys[0])
    item = _BY_KEY[current]
    number = parse_id(page) or 1
    if current == "nouveaux" and from_base:
        paginator = KnownCountPaginator(_imported_new(run), item.per_page, count=run.new)
        kind = "removed"  # the same shape: number, last name, first name
    else:
        paginator = Paginator(_entries(run, item), item.per_page)
        kind = item.plan_key
    shown = paginator.get_page(number)
    shown.object_list = [_row(kind, entry) for entry in shown.object_list]
    with_lines = kind not in ("removed", "errors")
    return Report(tabs=tabs, current=current, page=shown, with_lines=with_lines)


def _name(last, first) -> str:
    return f"{last} {first}".strip()


def _row(kind: str, entry) -> dict:
    """One entry of the plan as the template shows it."""
    if kind == "errors":
        return {"message": str(entry)}
    if isinstance(entry, str):  # a line of a preview's listing
        values = entry.split("\t")
    else:
        values = list(entry) if isinstance(entry, (list, tuple)) else []
    if kind == "removed":
        number, last, first = [*values, "", "", ""][:3]
        return {"line": "", "number": number, "name": _name(last, first)}
    line, number, last, first = [*values, "", "", "", ""][:4]
    row = {"line": line, "number": number, "name": _name(last, first)}
    if kind in ("changed", "back"):
        changes = values[4] if len(values) > 4 and isinstance(values[4], dict) else {}
        row["changes"] = [
            {"label": field_label(name), "before": pair[0], "after": pair[1]}
            for name, pair in changes.items()
            if isinstance(pair, (list, tuple)) and len(pair) == 2
        ]
    if kind == "excluded":
        reason = values[4] if len(values) > 4 else ""
        row["reason"] = str(EXCLUSION_LABELS.get(reason, reason))
    return row


def excluded_by_reason(run: ParcoursupImport) -> list[tuple[str, int]]:
    """(reason label, count) of the lines the run left out, in EXCLUSION_LABELS' order."""
    counts = run.excluded if isinstance(run.excluded, dict) else {}
    known = [
        (str(label), counts[key]) for key, label in EXCLUSION_LABELS.items() if counts.get(key)
    ]
    others = [(str(key), count) for key, count in counts.items() if key not in EXCLUSION_LABELS]
    return known + others


def excluded_title(run: ParcoursupImport) -> str:
    """« Avis « Oui en attente » : 3 ; Non bachelier : 1 » (the list's tooltip)."""
    return " ; ".join(f"{label} : {count}" for label, count in excluded_by_reason(run))


def duration_text(value: datetime.timedelta | None) -> str:
    """« 0,4 s », « 12 s », « 2 min 05 s », « 1 h 02 min »; « — » when unfinished."""
    if value is None:
        return "—"
    seconds = value.total_seconds()
    if seconds < 10:
        return gettext("%(seconds)s s") % {"seconds": f"{seconds:.1f}".replace(".", ",")}
    whole = int(seconds)
    if whole < 60:
        return gettext("%(seconds)s s") % {"seconds": whole}
    minutes, seconds_left = divmod(whole, 60)
    if minutes < 60:
        return gettext("%(minutes)s min %(seconds)02d s") % {
            "minutes": minutes,
            "seconds": seconds_left,
        }
    hours, minutes_left = divmod(minutes, 60)
    return gettext("%(hours)s h %(minutes)02d min") % {"hours": hours, "minutes": minutes_left}
