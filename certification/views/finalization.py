"""« Finaliser la session » (after the session took place) and its « PV d'incident ».

The page has one row per candidate (présent / absent, « écran de fin de test vu », the
reason of an unfinished test), three incident rows and a global comment; the rules live in
``services.finalization`` and its refusals come back at the row and field they concern.
A finalized session shows what was recorded instead of the form, and its PV d'incident.

The forms are here rather than in certification/forms.py: this screen is their only user.
The number of rows is the server's — the session's candidates, three incident rows — never
the request's ``TOTAL_FORMS``: a forged count is refused (``FixedRowsFormSet``).
"""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT, ManagementForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from certification import documents, selectors, tasks
from certification.models import Candidate, IncidentCategory, UnfinishedReason
from certification.services import finalization as services
from certification.views.sessions import _session_context
from registrar.services.jobs import job_enqueue
from registrar.text import parse_id
from registrar.views import show_refusal

PRESENT = "present"
ABSENT = "absent"
INCIDENT_ROWS = 3

PRESENT_LABEL = _("Présent")
ABSENT_LABEL = _("Absent")
END_SCREEN_LABEL = _("Écran de fin de test vu")
REASON_LABEL = _("Raison")
CATEGORY_LABEL = _("Catégorie")
CANDIDATE_LABEL = _("Candidat")
DESCRIPTION_LABEL = _("Description")
COMMENT_LABEL = _("Commentaire global")
COMMENT_HELP = _("500 caractères au plus")
NO_CANDIDATE = _("Aucun candidat")
CHOOSE = _("— Choisir —")
PRESENCE_OF = _("Présence de %(name)s")
END_SCREEN_OF = _("Écran de fin de test vu par %(name)s")
REASON_OF = _("Raison du test non terminé de %(name)s")
INCIDENT_CATEGORY_OF = _("Catégorie de l'incident %(n)s")
INCIDENT_CANDIDATE_OF = _("Candidat de l'incident %(n)s")
INCIDENT_DESCRIPTION_OF = _("Description de l'incident %(n)s")
FINALIZED = _("Session %(number)s finalisée.")
REPORT_NEEDS_FINALIZATION = _("Le PV d'incident s'obtient une fois la session finalisée.")
CANDIDATE_CHANGED = _("Ce candidat n'est plus dans la session.")
ATTENDANCE_ROWS_CHANGED = _(
    "Le formulaire envoyé ne compte pas une ligne par candidat de la session : "
    "rechargez la page, puis saisissez la présence de nouveau."
)
INCIDENT_ROWS_CHANGED = _(
    "Le formulaire envoyé ne compte pas les %(count)s lignes d'incident de la page : "
    "rechargez la page, puis saisissez les incidents de nouveau."
)
# The error keys of the service name a row by a number it wrote: « incidents.0.category ».
_ROW_INDEX = re.compile(r"[0-9]{1,6}")

change_sessions = permission_required(
    "certification.change_certificationsession", raise_exception=True
)
view_sessions = permission_required("certification.view_certificationsession", raise_exception=True)


def _presence(value: str) -> bool:
    return value == PRESENT


def _name(candidate: Candidate) -> str:
    return f"{candidate.first_name} {candidate.last_name}"


class AttendanceForm(forms.Form):
    """A candidate's row. Présent / absent may be left unanswered here: the service names
    the candidate in its refusal."""

    # Text, not an IntegerField: the row's candidate is looked up by parse_id, so that a
    # forged « ² » or « ١٢ » is « not in the session » like any other unknown id.
    candidate = forms.CharField(widget=forms.HiddenInput, required=False)
    present = forms.TypedChoiceField(
        label=_("Présence"),
        choices=[(PRESENT, PRESENT_LABEL), (ABSENT, ABSENT_LABEL)],
        coerce=_presence,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    end_screen_seen = forms.BooleanField(label=END_SCREEN_LABEL, required=False)
    unfinished_reason = forms.ChoiceField(
        label=REASON_LABEL,
        choices=[("", CHOOSE), *UnfinishedReason.choices],
        required=False,
    )

    def __init__(self, *args, candidates: dict[int, Candidate], **kwargs):
        super().__init__(*args, **kwargs)
        raw = str(self["candidate"].value() or "")
        # Not « candidate »: in a template, form.candidate is the hidden field.
        self.row_candidate = candidates.get(parse_id(raw))
        name = _name(self.row_candidate) if self.row_candidate else raw[:80]
        self.fields["end_screen_seen"].widget.attrs["aria-label"] = END_SCREEN_OF % {"name": name}
        self.fields["unfinished_reason"].widget.attrs.update(
            {"aria-label": REASON_OF % {"name": name}, "class": "form-select-sm"}
        )
        self.presence_label = PRESENCE_OF % {"name": name}

    def clean_candidate(self) -> int:
        if self.row_candidate is None:
            raise ValidationError(CANDIDATE_CHANGED)
        return self.row_candidate.pk


class IncidentForm(forms.Form):
    """An incident row; a row left empty is no incident. The service requires a category
    and a description."""

    category = forms.ChoiceField(
        label=CATEGORY_LABEL, choices=[("", CHOOSE), *IncidentCategory.choices], required=False
    )
    candidate = forms.TypedChoiceField(
        label=CANDIDATE_LABEL, coerce=int, empty_value=None, required=False
    )
    description = forms.CharField(
        label=DESCRIPTION_LABEL,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": services.DESCRIPTION_MAX_LENGTH}),
    )

    def __init__(self, *args, candidates: dict[int, Candidate], number: int | str = "", **kwargs):
        super().__init__(*args, **kwargs)
        n = number
        self.fields["candidate"].choices = [
            ("", NO_CANDIDATE),
            *((pk, f"{c.last_name} {c.first_name}") for pk, c in candidates.items()),
        ]
        attrs = {
            "category": (INCIDENT_CATEGORY_OF, "form-select-sm"),
            "candidate": (INCIDENT_CANDIDATE_OF, "form-select-sm"),
            "description": (INCIDENT_DESCRIPTION_OF, "form-control-sm"),
        }
        for field, (label, css) in attrs.items():
            self.fields[field].widget.attrs.update({"aria-label": label % {"n": n}, "class": css})


class CommentForm(forms.Form):
    # No max_length here: the service's refusal says how long the comment is.
    global_comment = forms.CharField(
        label=COMMENT_LABEL,
        help_text=COMMENT_HELP,
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "maxlength": services.COMMENT_MAX_LENGTH,
                "aria-describedby": "id_global_comment_helptext",
            }
        ),
    )


class FixedRowsFormSet(forms.BaseFormSet):
    """A formset of ``rows`` rows, the first ``initial_rows`` of them required, whatever
    the request's management form says.

    Django's formsets build as many forms as ``TOTAL_FORMS`` asks (up to 2,000): one more
    than the candidates made a row without data (a KeyError, a 500), 100,000 made one request
    build thousands of forms. Here the count is the server's; a request that sent another
    ``TOTAL_FORMS`` (a forged page, or a list of candidates that changed since the page was
    shown) is refused with ``rows_changed`` and nothing is saved. The page shown again
    carries the server's counts.
    """

    rows_changed = ATTENDANCE_ROWS_CHANGED

    def __init__(self, *args, rows: int, initial_rows: int, **kwargs):
        self.rows = rows
        self.initial_rows = initial_rows
        super().__init__(*args, **kwargs)

    def total_form_count(self) -> int:
        return self.rows

    def initial_form_count(self) -> int:
        return self.initial_rows

    @cached_property
    def management_form(self) -> ManagementForm:
        # Bound to the server's counts: only TOTAL_FORMS is read from the request, in clean().
        form = ManagementForm(
            {
                self.add_prefix(TOTAL_FORM_COUNT): self.rows,
                self.add_prefix(INITIAL_FORM_COUNT): self.initial_rows,
            },
            auto_id=self.auto_id,
            prefix=self.prefix,
            renderer=self.renderer,
        )
        form.full_clean()
        return form

    def clean(self) -> None:
        if self.data.get(self.add_prefix(TOTAL_FORM_COUNT)) != str(self.rows):
            raise ValidationError(self.rows_changed, params={"count": self.rows})


class IncidentFormSetBase(FixedRowsFormSet):
    rows_changed = INCIDENT_ROWS_CHANGED

    def get_form_kwargs(self, index: int) -> dict:
        # Rows are numbered from 1 in the labels a screen reader reads.
        return {**super().get_form_kwargs(index), "number": index + 1}


AttendanceFormSet = forms.formset_factory(AttendanceForm, formset=FixedRowsFormSet, extra=0)
IncidentFormSet = forms.formset_factory(IncidentForm, formset=IncidentFormSetBase, extra=0)


def _bound_forms(request: HttpRequest, candidates: list[Candidate]):
    by_pk = {c.pk: c for c in candidates}
    data = request.POST if request.method == "POST" else None
    initial = [
        {
            "candidate": c.pk,
            "present": _initial_presence(c),
            "end_screen_seen": c.end_screen_seen,
            "unfinished_reason": c.unfinished_reason,
        }
        for c in candidates
    ]
    attendance = AttendanceFormSet(
        data,
        initial=initial if data is None else None,
        prefix="attendance",
        form_kwargs={"candidates": by_pk},
        rows=len(candidates),
        initial_rows=len(candidates),
    )
    # The incident rows are optional (each may be left empty): none of them is « initial ».
    incidents = IncidentFormSet(
        data,
        prefix="incidents",
        form_kwargs={"candidates": by_pk},
        rows=INCIDENT_ROWS,
        initial_rows=0,
    )
    comment = CommentForm(data)
    return attendance, incidents, comment


def _initial_presence(candidate: Candidate) -> str | None:
    """What the row shows at first: what was recorded, else present for a candidate who
    checked in; the others are left for staff to tell."""
    if candidate.present is not None:
        return PRESENT if candidate.present else ABSENT
    return PRESENT if candidate.has_joined else None


def _add_refusals(exc: ValidationError, attendance, incidents, comment, used) -> list:
    """Put the service's refusals on the rows and fields they concern; the rest (about the
    session or its list of candidates) is returned to be shown above the form."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    rows = {form.row_candidate.pk: form for form in attendance.forms if form.row_candidate}
    general = []
    for key, errors in exc.error_dict.items():
        parts = key.split(".")
        form = None
        if len(parts) == 3 and parts[0] == "attendance":
            form = rows.get(parse_id(parts[1]))
        elif len(parts) == 3 and parts[0] == "incidents" and _ROW_INDEX.fullmatch(parts[1]):
            index = int(parts[1])
            form = used[index] if index < len(used) else None
        elif key == "global_comment":
            form, parts = comment, ["", "", key]
        if form is not None and parts[2] in form.fields:
            form.add_error(parts[2], errors)
        else:
            general.extend(message for error in errors for message in error.messages)
    return general


@require_http_methods(["GET", "POST"])
@change_sessions
def session_finalize(request: HttpRequest, pk: int) -> HttpResponse:
    """« Finaliser la session »: the form until the session is finalized, then what was
    recorded. Before the session has started, only the reason why it cannot be finalized."""
    session = selectors.session_for(request.user, pk)
    here = redirect("certification:session_finalize", pk=pk)
    if request.method == "POST":
        # The service's policy, asked before the forms are read; session_finalize asks it
        # again under the session's lock.
        try:
            services.ensure_session_can_be_finalized(session)
        except ValidationError as exc:
            show_refusal(request, exc)
            return here
    if session.is_finalized:
        return _render_summary(request, session)
    started = services.has_started(session)
    candidates = list(selectors.candidates_of(session))
    attendance, incidents, comment = _bound_forms(request, candidates)
    general: list = []
    if request.method == "POST":
        valid = all([attendance.is_valid(), incidents.is_valid(), comment.is_valid()])
        if valid:
            used = [form for form in incidents.forms if form.has_changed()]
            try:
                services.session_finalize(
                    actor=request.user,
                    session=session,
                    attendance={
                        form.cleaned_data["candidate"]: {
                            "present": form.cleaned_data["present"],
                            "end_screen_seen": form.cleaned_data["end_screen_seen"],
                            "unfinished_reason": form.cleaned_data["unfinished_reason"],
                        }
                        for form in attendance.forms
                    },
                    incidents=[
                        {
                            "category": form.cleaned_data["category"],
                            "candidate_id": form.cleaned_data["candidate"],
                            "description": form.cleaned_data["description"],
                        }
                        for form in used
                    ],
                    global_comment=comment.cleaned_data["global_comment"],
                )
            except ValidationError as exc:
                general = _add_refusals(exc, attendance, incidents, comment, used)
            else:
                messages.success(request, FINALIZED % {"number": session.number})
                return redirect("certification:session_detail", pk=pk)
        general.extend(attendance.non_form_errors())
        general.extend(incidents.non_form_errors())
    context = _session_context(request, session, tab="details")
    context.update(
        started=started,
        not_started=services.NOT_STARTED,
        attendance=attendance,
        incidents=incidents,
        comment=comment,
        general_errors=general,
        has_errors=bool(
            general
            or any(form.errors for form in attendance.forms)
            or any(form.errors for form in incidents.forms)
            or comment.errors
        ),
    )
    return render(request, "certification/session_finalize.html", context)


def _render_summary(request: HttpRequest, session) -> HttpResponse:
    reasons = dict(UnfinishedReason.choices)
    candidates = [
        (candidate, reasons.get(candidate.unfinished_reason, candidate.unfinished_reason))
        for candidate in selectors.candidates_of(session)
    ]
    incidents = session.incidents.select_related("candidate")
    # In the centre's time zone, as the session's start time and the PV d'incident.
    finalized_at = timezone.localtime(session.finalized_at, session.starts_at.tzinfo)
    context = _session_context(request, session, tab="details")
    context.update(
        finalized_rows=candidates,
        incident_list=list(incidents),
        finalized_by=documents.user_label(session.finalized_by),
        finalized_date=finalized_at.strftime("%d/%m/%Y"),
        finalized_time=finalized_at.strftime("%H:%M"),
    )
    return render(request, "certification/session_finalize.html", context)


@require_GET
@view_sessions
def incident_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The « PV d'incident » of a finalized session: pv-incident-<n° session>.pdf."""
    session = selectors.session_for(request.user, pk)
    if not session.is_finalized:
        messages.error(request, REPORT_NEEDS_FINALIZATION)
        return redirect("certification:session_detail", pk=pk)
    job = job_enqueue(actor=request.user, kind=tasks.INCIDENT_REPORT, target=session)
    return redirect("registrar:job_detail", pk=job.pk)
