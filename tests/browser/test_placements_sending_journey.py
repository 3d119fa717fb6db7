"""The guide « Survol du cycle de demande de stage » (HSPnet), steps 6 to 8, in a browser on
the demo data, continuing part 1's journey (tests/browser/test_placements_journey.py) from
where it ends: the current course's students copied to the group worksheet, last term's
accepted places copied and put in the outbox.

demo_stages sends every request (the connected agency's become « Env », the others « Env-P »
with their PDFs in the « File d'impression »), e-mails one report through the test SMTP
server with its PDF and a course outline attached, records on the agencies' behalf one
acceptance and one refusal with its reason; the receiving coordinator demo_receveur accepts
a request in their own space; demo_stages cancels an unneeded request for attrition, assigns
students with « Tout modifier » and meets the blocking warning for two students on one
individual place. Its screenshots illustrate docs/guide/stages.md (UPDATE_GUIDE_IMAGES=1).
"""

import datetime
import re

import pytest
from django.utils import timezone

from placements import demo as placements_demo
from placements.models import (
    Agency,
    Assignment,
    CohortCourse,
    CohortEnrollment,
    MatchingRun,
    PlacementRequest,
    Preference,
    PrintReport,
    RequestEvent,
    Service,
    Worksheet,
)
from placements.services.enrollments import enrollments_copy_to_worksheet
from placements.services.requests import requests_set_status
from placements.services.worksheets import (
    place_create,
    worksheet_copy_requests,
    worksheet_copy_to_outbox,
)
from registrar.demo import SeedReport, seed_demo_users
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

Status = PlacementRequest.Status
CONNECTED = "CISSS de la Montérégie-Centre"


@pytest.fixture
def outbox_ready(django_user_model):
    """The demo, then part 1's journey done through its services: the current course's
    students in the group worksheet, last term's accepted places copied and in the outbox;
    two students in the individual worksheet, whose one individual place was accepted."""
    report = SeedReport()
    seed_demo_users(report)
    placements_demo.seed(report)
    coordinator = django_user_model.objects.get(username=placements_demo.COORDINATOR)
    current = CohortCourse.objects.get(
        cohort__name=placements_demo.COHORT, course__number="180-4P5-MV"
    )
    enrollments = list(CohortEnrollment.objects.filter(cohort_course=current).order_by("pk"))
    individual, group = enrollments[:2], enrollments[2:]
    enrollments_copy_to_worksheet(actor=coordinator, enrollments=group, kind="group")
    # The group's students first prefer the Montréal agency (the matching proposal's input).
    montreal = Agency.objects.get(name="CIUSSS de l'Est-de-l'Île-de-Montréal")
    Preference.objects.bulk_create(
        Preference(enrollment=enrollment, rank=1, agency=montreal) for enrollment in group
    )
    last_sheet = Worksheet.objects.get(
        cohort_course__cohort__name=placements_demo.COHORT,
        cohort_course__course__number="180-3P4-MV",
        kind=Worksheet.Kind.GROUP,
    )
    worksheet_copy_requests(
        actor=coordinator,
        target_cohort_course=current,
        kind="group",
        source=last_sheet,
        accepted_only=True,
        schedule_from="cohort",
    )
    schedule = {name: getattr(current, name) for name in CohortCourse.schedule_fields()}
    laval = Agency.objects.get(name="CISSS de Laval")
    for service_name in ("Obstétrique", "Médecine 4e"):
        service = Service.objects.get(site__agency=laval, name=service_name)
        place_create(
            actor=coordinator,
            cohort_course=current,
            kind="group",
            values={
                "agency": laval,
                "site": service.site,
                "service": service,
                "destination": None,
                "group_size": 3,
                "destination_group_size": 3,
                "teacher": "",
                "comment": "",
                **schedule,
            },
        )
    sheet = Worksheet.objects.get(cohort_course=current, kind=Worksheet.Kind.GROUP)
    worksheet_copy_to_outbox(
        actor=coordinator, worksheet=sheet, requests=list(sheet.requests.all())
    )

    enrollments_copy_to_worksheet(actor=coordinator, enrollments=individual, kind="individual")
    agency_place = sheet.requests.filter(agency__name=CONNECTED).first()
    place = place_create(
        actor=coordinator,
        cohort_course=current,
        kind="individual",
        values={
            "agency": agency_place.agency,
            "site": agency_place.site,
            "service": agency_place.service,
            "destination": None,
            "group_size": 1,
            "destination_group_size": 1,
            "teacher": "",
            "comment": "",
            **schedule,
        },
    )[0]
    for status in (Status.NEW, Status.SENT, Status.ACCEPTED):
        requests_set_status(actor=coordinator, requests=[place], to_status=status)
    return current


def _tick_all_and(page, action: str, button: str = "Exécuter") -> None:
    page.get_by_label("Tout sélectionner").check()
    page.get_by_label("Action pour les demandes cochées").select_option(label=action)
    page.get_by_role("button", name=button).click()


def test_sending_answers_and_assignments(page, guide_image, outbox_ready, smtp_server, tmp_path):
    current = outbox_ready
    sheet = Worksheet.objects.get(cohort_course=current, kind=Worksheet.Kind.GROUP)
    group_requests = list(sheet.requests.select_related("agency").order_by("pk"))
    connected = [r for r in group_requests if r.agency.uses_system]
    by_pdf = [r for r in group_requests if not r.agency.uses_system]
    assert connected and len(by_pdf) >= 3
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "demo_stages", "demo_stages")

    # Step 6 — the outbox: tick the group's new requests, « Envoyer », the options.
    page.goto(f"/stages/cours/{current.pk}/boite-de-sortie/?status=new")
    page.get_by_role("heading", name=f"Demandes ({len(group_requests)})").wait_for()
    _tick_all_and(page, "Envoyer")
    page.get_by_role("heading", name=f"Demandes cochées ({len(group_requests)})").wait_for()
    assert page.get_by_label(
        "Fichiers PDF individuels pour chaque demande de stage/destination"
    ).is_checked()
    page.get_by_label("Ajouter l'horaire de stage détaillé").check()
    due = timezone.localdate() + datetime.timedelta(days=14)
    page.get_by_label("Date d'échéance").fill(due.isoformat())
    sender = page.get_by_label("Personne-ressource (expéditeur)")
    assert "Nadia Roy" in sender.locator("option:checked").inner_text()
    if page.get_by_label("Envoyer quand même").count():
        page.get_by_label("Envoyer quand même").check()
    guide_image("stages-envoyer")
    page.get_by_role("button", name="Envoyer", exact=True).click()
    page.locator("#outbox").wait_for()
    page.get_by_text("Télécharger", exact=False).first.wait_for()
    statuses = dict(PlacementRequest.objects.filter(worksheet=sheet).values_list("pk", "status"))
    assert {statuses[r.pk] for r in connected} == {Status.SENT}
    assert {statuses[r.pk] for r in by_pdf} == {Status.SENT_PDF}
    assert set(
        PlacementRequest.objects.filter(worksheet=sheet).values_list("due_date", flat=True)
    ) == {due}
    reports = list(PrintReport.objects.filter(batch__cohort_course=current).order_by("pk"))
    assert len(reports) == len(by_pdf)
    assert all(r.status == PrintReport.Status.READY and r.file for r in reports)
    rows = page.locator("#outbox tbody tr")
    assert rows.filter(has_text="Env-P").count() == len(by_pdf)
    guide_image("stages-boite-de-sortie-envoyee")

    # The welcome page warns of the reports to deliver; the print queue lists them.
    page.goto("/")
    page.get_by_role("link", name=f"Rapports réacheminés à livrer : {len(reports)}").click()
    page.get_by_role("heading", name="File d'impression", level=1).wait_for()
    assert page.get_by_role("link", name=re.compile("^Prévisualiser")).count() == len(reports)
    guide_image("stages-file-impression")

    # « Envoyer un courriel » for the first report: the site's contact proposed, a course
    # outline attached, sent through the SMTP server, the report then « Livré ».
    first = reports[0]
    page.get_by_role("link", name=f"Envoyer un courriel – {first.filename}").click()
    page.get_by_role("heading", name="Envoyer un courriel", level=1).wait_for()
    # The ☎ window completes the contact person, then comes back to the e-mail.
    page.get_by_role("link", name=re.compile("Compléter la personne-ressource")).first.click()
    page.get_by_label("Téléphone").fill("514 252-3400 poste 4500")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name="Envoyer un courriel", level=1).wait_for()
    assert "poste 4500" in page.locator("main").inner_text()
    to = page.get_by_label("À", exact=True)
    if not to.input_value():
        to.fill("stages.est-mtl@example.org")
    page.get_by_label("CC", exact=True).fill("enseignante@example.org")
    outline = tmp_path / "plan-de-cours.pdf"
    outline.write_bytes(b"%PDF-1.4\n% plan de cours\n%%EOF\n")
    page.locator("input[type=file]").set_input_files(str(outline))
    assert page.get_by_label("Objet").input_value()
    guide_image("stages-courriel")
    page.get_by_role("button", name="Envoyer", exact=True).click()
    page.get_by_role("heading", name="File d'impression", level=1).wait_for()
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0].message
    names = [part.get_filename() for part in message.walk() if part.get_filename()]
    assert first.filename in names and "plan-de-cours.pdf" in names
    assert "enseignante@example.org" in message["Cc"]
    first.refresh_from_db()
    assert first.delivered_at is not None and first.emails.count() == 1

    # The request's details list its report and the message sent about it.
    (emailed,) = first.requests.all()
    page.goto(f"/stages/demandes/{emailed.pk}/")
    page.get_by_text(first.filename).first.wait_for()
    details = page.locator("main").inner_text()
    assert message["Subject"] in details and "enseignante@example.org" in details
    guide_image("stages-demande-courriels")

    # Step 7 — « N demandes en attente – Env-P » from the welcome page: accept one on the
    # agency's behalf, refuse another with its reason.
    page.goto("/")
    page.get_by_role("link", name=f"{len(by_pdf)} demandes en attente – Env-P").click()
    page.get_by_role("heading", name=f"{len(by_pdf)} demandes en attente – Env-P").wait_for()
    accepted, refused, unneeded = by_pdf[0], by_pdf[1], by_pdf[2]
    page.locator(f"#request-{accepted.pk}").check()
    page.get_by_label("Action pour les demandes cochées").select_option(
        label="Accepter par l'organisme"
    )
    guide_image("stages-reponses")
    page.get_by_role("button", name="Exécuter").click()
    if page.get_by_label("Accepter quand même").count():
        page.get_by_label("Accepter quand même").check()
        page.get_by_role("button", name="Exécuter").click()
    page.locator(f"#request-{refused.pk}").wait_for()
    assert page.locator(f"#request-{accepted.pk}").count() == 0
    page.locator(f"#request-{refused.pk}").check()
    page.get_by_label("Action pour les demandes cochées").select_option(label="Refuser…")
    page.get_by_label("Raison du refus").select_option(index=1)
    page.get_by_role("button", name="Exécuter").click()
    page.locator(f"#request-{unneeded.pk}").wait_for()
    assert page.locator(f"#request-{refused.pk}").count() == 0
    accepted.refresh_from_db()
    refused.refresh_from_db()
    assert accepted.status == Status.ACCEPTED and accepted.answered_on_behalf
    assert refused.status == Status.REFUSED and refused.reason is not None

    # The receiving coordinator's own space: accept the connected agency's first request.
    page.locator(".app-user").click()
    page.get_by_role("button", name="Se déconnecter").click()
    log_in(page, "demo_receveur", "demo_receveur")
    page.locator(".app-nav").get_by_role("link", name="Demandes reçues").click()
    page.get_by_role("link", name=str(connected[0].pk), exact=True).wait_for()
    assert page.get_by_role("link", name=str(by_pdf[-1].pk), exact=True).count() == 0
    guide_image("stages-demandes-recues")
    page.get_by_role("link", name=str(connected[0].pk), exact=True).click()
    page.get_by_label("Accepter", exact=True).check()
    page.get_by_role("button", name="Envoyer la réponse").click()
    if page.get_by_label("Accepter quand même").count():
        page.get_by_label("Accepter quand même").check()
        page.get_by_role("button", name="Envoyer la réponse").click()
    page.get_by_text("Acceptée").first.wait_for()
    receiver_answer = PlacementRequest.objects.get(pk=connected[0].pk)
    assert receiver_answer.status == Status.ACCEPTED
    assert not receiver_answer.answered_on_behalf
    assert receiver_answer.answered_by.username == "demo_receveur"

    # Step 8 — back as the coordinator: cancel an unneeded request for attrition.
    page.locator(".app-user").click()
    page.get_by_role("button", name="Se déconnecter").click()
    log_in(page, "demo_stages", "demo_stages")
    page.goto(f"/stages/cours/{current.pk}/boite-de-sortie/")
    page.locator(f"#request-{unneeded.pk}").check()
    page.get_by_label("Action pour les demandes cochées").select_option(label="Annuler…")
    page.get_by_role("button", name="Exécuter").click()
    reason = page.get_by_label("Raison")
    attrition = reason.locator("option", has_text="attrition des étudiants").get_attribute("value")
    reason.select_option(attrition)
    page.get_by_role("button", name="Annuler les demandes").click()
    page.locator("#outbox").wait_for()
    unneeded.refresh_from_db()
    assert unneeded.status == Status.CANCELLED
    assert "attrition" in unneeded.reason.label
    assert RequestEvent.objects.filter(request=unneeded, to_status=Status.CANCELLED).exists()

    # « Fiche d'affectation » of the group: « Tout modifier », four students to the place the
    # receiver accepted, « Tout sauvegarder ».
    page.goto(f"/stages/cours/{current.pk}/affectation/groupe/")
    page.get_by_role("link", name="Tout modifier").click()
    selects = page.locator("#assignments-edit tbody select")
    for index in range(4):
        selects.nth(index).select_option(str(receiver_answer.pk))
    guide_image("stages-affectation-tout-modifier")
    page.get_by_role("button", name="Tout sauvegarder").click()
    page.get_by_role("link", name="Tout modifier").wait_for()
    assert Assignment.objects.filter(request=receiver_answer).count() == 4
    guide_image("stages-fiche-affectation")

    # The individual worksheet: one individual place given to both students is refused
    # before anything is saved; one of them is left unassigned, then it saves.
    page.goto(f"/stages/cours/{current.pk}/affectation/individuel/")
    page.get_by_role("link", name="Tout modifier").click()
    selects = page.locator("#assignments-edit tbody select")
    assert selects.count() == 2
    selects.nth(0).select_option(index=1)
    selects.nth(1).select_option(index=1)
    page.get_by_role("button", name="Tout sauvegarder").click()
    page.locator("#edit-errors").wait_for()
    assert "rien n'a été sauvegardé" in page.locator("#edit-errors").inner_text()
    individual = Worksheet.objects.get(cohort_course=current, kind=Worksheet.Kind.INDIVIDUAL)
    assert not Assignment.objects.filter(request__worksheet=individual).exists()
    guide_image("stages-avertissement-bloquant")
    page.locator("#assignments-edit tbody select").nth(1).select_option(index=0)
    page.get_by_role("button", name="Tout sauvegarder").click()
    page.get_by_role("link", name="Tout modifier").wait_for()
    assert Assignment.objects.filter(request__worksheet=individual).count() == 1

    # Beyond HSPnet — the matching proposal for the group's students still unassigned: they
    # all prefer the Montréal agency, whose request was accepted on its behalf (5 places).
    page.goto(f"/stages/cours/{current.pk}/affectation/groupe/")
    page.get_by_role("link", name="Proposition d'affectation").click()
    apply = page.get_by_role("button", name="Appliquer la proposition")
    apply.wait_for()
    assert page.get_by_role("heading", name="Étudiants placés (5)").count() == 1
    guide_image("stages-proposition")
    apply.click()
    page.get_by_role("link", name="Tout modifier").wait_for()
    assert Assignment.objects.filter(request=accepted).count() == 5
    run = MatchingRun.objects.get(worksheet=sheet)
    assert len(run.result) == 5 and run.applied_by.username == "demo_stages"

    # Clean-up: « Ajuster la taille » of the receiver's place, whose four students are
    # assigned: it may grow again for a late student.
    page.goto(f"/stages/demandes/{receiver_answer.pk}/")
    page.get_by_role("link", name="Ajuster la taille").click()
    page.get_by_label("Taille du groupe", exact=True).fill("5")
    page.get_by_label("Taille du groupe à la destination").fill("5")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Demande", exact=False).first.wait_for()
    receiver_answer.refresh_from_db()
    assert receiver_answer.group_size == 5

    # The over-allocation report: the Montréal unit takes 4 students at once, 5 were sent.
    page.locator(".app-nav").get_by_role("link", name="Surallocation").click()
    page.get_by_role("heading", name="Surallocation des services").wait_for()
    assert "Médecine 5e" in page.locator("main").inner_text()
    guide_image("stages-surallocation")
