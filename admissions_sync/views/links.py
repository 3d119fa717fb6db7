"""The personal links' sending (docs/guide/preinscription.md): « Envoyer les liens de
préinscription » from « Imports Parcoursup » (a tracked job per formation), and, from the
desk's file, « Envoyer un nouveau lien » / « Retirer les liens ». The writes are
admissions_sync.services.links'."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from admissions_sync.forms.links import LinksSendForm
from admissions_sync.models import Applicant, LinkSending
from admissions_sync.selectors import imports as import_selectors
from admissions_sync.services import links as services
from registrar.views import show_refusal

send_links = permission_required("admissions_sync.send_preregistration_links", raise_exception=True)


def _applicant_page(pk: int) -> str:
    """The desk's file of the applicant (admissions_sync:desk_file), else « Candidats
    admis »' page while the desk is not routed."""
    try:
        return reverse("admissions_sync:desk_file", kwargs={"pk": pk})
    except NoReverseMatch:
        return reverse("admissions_sync:applicant_detail", kwargs={"pk": pk})


@require_POST
@send_links
def link_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """« Envoyer un nouveau lien »: a new personal link by e-mail (channel « desk »); the
    open ones stay open. A removed applicant or one without an address: the service's
    refusal, nothing sent; a mailer failure: its message, the failure recorded."""
    applicant = get_object_or_404(Applicant.objects.select_related("formation"), pk=pk)
    try:
        sending = services.link_send(
            actor=request.user,
            applicant=applicant,
            channel=LinkSending.Channel.DESK,
            base_url=request.build_absolute_uri("/"),
        )
    except services.EmailNotSent as exc:
        messages.error(
            request,
            _("Le courriel n'a pas pu partir : %(error)s") % {"error": exc.sent_email.error},
        )
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request,
            _("Un nouveau lien a été envoyé à %(address)s.") % {"address": sending.email.to},
        )
    return redirect(_applicant_page(applicant.pk))


@require_POST
@send_links
def link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """« Retirer les liens »: every open link of the applicant stops working."""
    applicant = get_object_or_404(Applicant, pk=pk)
    count = services.links_revoke(actor=request.user, applicant=applicant)
    if count:
        messages.success(
            request,
            _("Liens retirés : %(count)d. Le candidat ne peut plus ouvrir sa préinscription.")
            % {"count": count},
        )
    else:
        messages.info(request, _("Ce candidat n'avait aucun lien ouvert."))
    return redirect(_applicant_page(applicant.pk))


@require_http_methods(["GET", "POST"])
@send_links
def links_send(request: HttpRequest) -> HttpResponse:
    """« Envoyer les liens de préinscription »: choose a formation (GET shows its figures:
    present applicants with an address, those already sent a link, those who will get one
    now); POST starts the tracked job and lands on its page."""
    formations = import_selectors.active_formations()
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = LinksSendForm(data, formations=formations)
    figures = None
    running = None
    if data is not None and form.is_valid():
        formation = form.cleaned_data["formation"]
        resend = form.cleaned_data["resend"]
        if request.method == "POST":
            try:
                job = services.links_send_bulk(
                    actor=request.user, formation=formation, resend=resend
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("registrar:job_detail", pk=job.pk)
        else:
            figures = services.bulk_figures(formation)
            figures["now"] = (
                figures["with_email"] if resend else (figures["with_email"] - figures["already"])
            )
            running = services.bulk_job_active(formation)
    return render(
        request,
        "admissions_sync/links/send.html",
        {
            "nav_active": "admissions",
            "form": form,
            "figures": figures,
            "running": running,
            "bound": data is not None,
        },
    )
