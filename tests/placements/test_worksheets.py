"""The worksheets (the guide's steps 4 and 5): the places, the tally, the « Action » menu to
the outbox, adding places (« Modifier », destination search), « Copier », « Supprimer »."""

import datetime
import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.models import PlacementRequest, RequestEvent, Worksheet
from placements.services import worksheets as services
from tests.factories import (
    AgencyFactory,
    CohortEnrollmentFactory,
    DestinationFactory,
    PlacementRequestFactory,
    ServiceFactory,
    SiteFactory,
    WorksheetFactory,
)

GROUP, INDIVIDUAL = Worksheet.Kind.GROUP, Worksheet.Kind.INDIVIDUAL
S = PlacementRequest.Status


def url(name, *args):
    return reverse(f"placements:{name}", args=args)


def text_of(response) -> str:
    """The page's text, tags out and spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())).split())


def places(worksheet, count, site=None, **kwargs):
    site = site or SiteFactory()
    return [
        PlacementRequestFactory(worksheet=worksheet, site=site, agency=site.agency, **kwargs)
        for _ in range(count)
    ]


@pytest.fixture
def receivers(db):
    agency = AgencyFactory(name="CISSS de la Montérégie-Centre")
    site = SiteFactory(agency=agency, name="Hôpital Charles-Le Moyne")
    service = ServiceFactory(site=site, name="Médecine interne")
    destination = DestinationFactory(service=service, name="Unité 4 Nord")
    return agency, site, service, destination


def place_data(receivers, **overrides):
    agency, site, service, destination = receivers
    data = {
        "agency": str(agency.pk),
        "site": str(site.pk),
        "service": str(service.pk),
        "destination": str(destination.pk),
        "group_size": "6",
        "destination_group_size": "",
        "teacher": "Mme Gagnon",
        "count": "1",
        "start_date": "2027-02-01",
        "end_date": "2027-03-26",
        "weekdays": ["1", "2", "4"],
        "start_time": "07:30",
        "end_time": "15:30",
        "shift_code": "D8",
        "block_dates": "",
        "comment": "Stage de médecine",
    }
    data.update(overrides)
    return data


# -- the worksheet page ------------------------------------------------------------------


def test_empty_worksheet_is_not_created_by_reading(world, coordinator_client):
    response = coordinator_client.get(url("worksheet", world.course.pk, GROUP))
    page = text_of(response)
    assert "Fiche de groupe" in page
    assert "Aucune place pour l'instant" in page
    assert "Copier les stages demandés la dernière fois" in page
    assert "Copier les stages acceptés la dernière fois" in page
    assert re.search(r"0 étudiants? inscrits? = places nécessaires", page)
    assert not Worksheet.objects.exists()


def test_tally_reads_as_in_the_guide(world, coordinator_client):
    """12 students / 13 places in 3 groups / 13 in the outbox / 13 accepted; a refused place
    is greyed with « 0 » and not counted."""
    sheet = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    for _ in range(12):
        CohortEnrollmentFactory(cohort_course=world.course, worksheet=sheet)
    site = SiteFactory(name="Hôpital Pierre-Boucher")
    for size in (4, 4, 5):
        places(sheet, 1, site=site, group_size=size, destination_group_size=size, status=S.ACCEPTED)
    places(sheet, 1, site=site, group_size=6, destination_group_size=6, status=S.REFUSED)
    tally = __import__("placements.selectors.worksheets", fromlist=["x"]).worksheet_tally(sheet)
    assert (tally.students, tally.places, tally.groups, tally.in_outbox, tally.accepted) == (
        12,
        13,
        3,
        13,
        13,
    )
    page = text_of(coordinator_client.get(url("worksheet", world.course.pk, GROUP)))
    assert "12 étudiants inscrits = places nécessaires" in page
    assert "13 places dans 3 groupes = taille de la fiche de travail" in page
    assert "13 places créées dans la boîte de sortie" in page
    assert "13 places acceptées par l'organisme receveur" in page
    assert response_html(coordinator_client, world).count("placement-lost") == 1
    assert "Refusée" in page and "Acceptée" in page
    # Places in the outbox can be neither changed nor deleted from here.
    assert "Supprimer la demande" not in page


def test_individual_tally_says_places_only(world, coordinator_client):
    sheet = WorksheetFactory(cohort_course=world.course, kind=INDIVIDUAL)
    places(sheet, 3, group_size=1, destination_group_size=1)
    page = text_of(coordinator_client.get(url("worksheet", world.course.pk, INDIVIDUAL)))
    assert "3 places = taille de la fiche de travail" in page
    assert "Taille à la destination" not in page


def _count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_worksheet_queries_do_not_grow_with_places(world, coordinator_client):
    sheet = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    site = SiteFactory()
    places(sheet, 10, site=site)
    for _ in range(3):
        CohortEnrollmentFactory(cohort_course=world.course, worksheet=sheet)
    path = url("worksheet", world.course.pk, GROUP)
    few = _count_queries(coordinator_client, path)
    service = ServiceFactory(site=site)
    destination = DestinationFactory(service=service)
    PlacementRequest.objects.bulk_create(
        PlacementRequest(
            worksheet=sheet,
            agency=site.agency,
            site=site,
            service=service,
            destination=destination,
            group_size=2,
            destination_group_size=1,
            origin="copy",
            created_by=world.course.cohort.created_by,
            status=S.NEW if n % 2 else S.PLANNED,
        )
        for n in range(190)
    )
    for _ in range(7):
        CohortEnrollmentFactory(cohort_course=world.course, worksheet=sheet)
    assert _count_queries(coordinator_client, path) == few


@pytest.mark.parametrize("persona", ["other_program_coordinator"])
def test_another_programs_worksheet_is_404(world, client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("worksheet", world.course.pk, GROUP)).status_code == 404


def test_roles_without_placements_get_403(world, client, registrar_staff):
    client.force_login(registrar_staff)
    assert client.get(url("worksheet", world.course.pk, GROUP)).status_code == 403


# -- the « Action » menu ------------------------------------------------------------------


def test_copy_to_outbox(world, coordinator_client, placement_coordinator):
    sheet = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    first, second, third = places(sheet, 3)
    response = coordinator_client.post(
        url("worksheet", world.course.pk, GROUP),
        {"action": "outbox", "places": [str(first.pk), str(second.pk)]},
        follow=True,
    )
    assert "2 demandes copiées à la boîte de sortie." in text_of(response)
    statuses = dict(PlacementRequest.objects.values_list("pk", "status"))
    assert statuses == {first.pk: S.NEW, second.pk: S.NEW, third.pk: S.PLANNED}
    event = RequestEvent.objects.get(request=first)
    assert (event.actor, event.from_status, event.to_status) == (
        placement_coordinator,
        S.PLANNED,
        S.NEW,
    )
    page = text_of(response)
    assert "2 places créées dans la boîte de sortie" in page or "8 places créées" in page


def test_send_copies_then_opens_the_sending_options(world, coordinator_client):
    sheet = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    first, second = places(sheet, 2)
    response = coordinator_client.post(
        url("worksheet", world.course.pk, GROUP),
        {"action": "send", "places": [str(first.pk), str(second.pk)]},
    )
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("placements:outbox_send", args=[world.course.pk])
        + f"?ids={first.pk}&ids={second.pk}"
    )
    first.refresh_from_db()
    assert first.status == S.NEW
    page = text_of(coordinator_client.get(response["Location"]))
    assert "2 demandes copiées à la boîte de sortie : choisissez les options d'envoi." in page
    assert "Demandes cochées (2)" in page


def test_send_of_places_already_sent_sends_nothing(world, coordinator_client):
    sheet = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    (place,) = places(sheet, 1)
    PlacementRequest.objects.filter(pk=place.pk).update(status=S.SENT)
    response = coordinator_client.post(
        url("worksheet", world.course.pk, GROUP),
        {"action": "send", "places": [str(place.pk)]},
        follow=True,
    )
    assert "rien à envoyer" in text_of(response)
    place.refresh_from_db()
    assert place.status == S.SENT


def test_no_box_ticked(world, coordinator_client):
    sheet = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    (place,) = places(sheet, 1)
    response = coordinator_client.post(
        url("worksheet", world.course.pk, GROUP), {"action": "outbox"}, follow=True
    )
    assert "Cochez au moins une place." in text_of(response)
    place.refresh_from_db()
    assert place.status == S.PLANNED


def test_no_action_chosen(world, coordinator_client):
    sheet = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    (place,) = places(sheet, 1)
    response = coordinator_client.post(
        url("worksheet", world.course.pk, GROUP),
        {"action": "", "places": [str(place.pk)]},
        follow=True,
    )
    assert "Choisissez une action." in text_of(response)


def test_places_already_in_the_outbox(world, coordinator_client):
    sheet = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    (place,) = places(sheet, 1, status=S.NEW)
    response = coordinator_client.post(
        url("worksheet", world.course.pk, GROUP),
        {"action": "outbox", "places": [str(place.pk)]},
        follow=True,
    )
    assert "Les places cochées sont déjà dans la boîte de sortie." in text_of(response)


@pytest.mark.parametrize("forged", ["other-worksheet", "unicode", "other-program"])
def test_forged_ids_answer_404_and_change_nothing(world, coordinator_client, forged):
    group = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    individual = WorksheetFactory(cohort_course=world.course, kind=INDIVIDUAL)
    (mine,) = places(group, 1)
    (elsewhere,) = places(individual, 1, group_size=1, destination_group_size=1)
    (other,) = places(WorksheetFactory(cohort_course=world.other_course, kind=GROUP), 1)
    ids = {
        "other-worksheet": [str(mine.pk), str(elsewhere.pk)],
        "unicode": [str(mine.pk), "١٢"],
        "other-program": [str(other.pk)],
    }[forged]
    response = coordinator_client.post(
        url("worksheet", world.course.pk, GROUP), {"action": "outbox", "places": ids}
    )
    assert response.status_code == 404
    assert set(PlacementRequest.objects.values_list("status", flat=True)) == {S.PLANNED}


def test_post_on_a_worksheet_not_created_yet_is_404(world, coordinator_client):
    response = coordinator_client.post(
        url("worksheet", world.course.pk, GROUP), {"action": "outbox", "places": ["1"]}
    )
    assert response.status_code == 404
    assert not Worksheet.objects.exists()


# -- adding places --------------------------------------------------------------------


def test_place_form_starts_from_the_course_setup(world, coordinator_client, receivers):
    world.course.default_comment = "Apporter le stéthoscope"
    world.course.save()
    response = coordinator_client.get(url("place_create", world.course.pk, GROUP))
    page = response.content.decode()
    assert "Apporter le stéthoscope" in page
    assert 'value="2027-02-01"' in page and 'value="07:30"' in page
    assert "Hôpital Charles-Le Moyne" in page


def test_place_create_makes_n_places(world, coordinator_client, receivers, placement_coordinator):
    response = coordinator_client.post(
        url("place_create", world.course.pk, GROUP), place_data(receivers, count="3"), follow=True
    )
    assert "3 places créées." in text_of(response)
    created = list(PlacementRequest.objects.all())
    assert len(created) == 3
    place = created[0]
    assert place.worksheet.kind == GROUP and place.worksheet.cohort_course == world.course
    assert (place.group_size, place.destination_group_size) == (6, 6)
    assert place.origin == PlacementRequest.Origin.SCRATCH and place.status == S.PLANNED
    assert place.weekdays == 7 and place.shift_code == "D8" and place.teacher == "Mme Gagnon"
    assert (
        RequestEvent.objects.filter(to_status=S.PLANNED, actor=placement_coordinator).count() == 3
    )
    # A place created from scratch: the copy buttons are gone.
    page = text_of(response)
    assert "Copier les stages demandés la dernière fois" not in page


def test_place_create_with_agency_only(world, coordinator_client, receivers):
    response = coordinator_client.post(
        url("place_create", world.course.pk, GROUP),
        place_data(receivers, site="", service="", destination=""),
    )
    assert response.status_code == 302
    place = PlacementRequest.objects.get()
    assert place.site is None and place.service is None and place.destination is None


def test_the_lowest_level_chosen_names_the_ones_above(world, coordinator_client, receivers):
    """A destination chosen alone (or a service, a site) gives its service, site and agency;
    a level chosen that does not match is still refused at its field."""
    response = coordinator_client.post(
        url("place_create", world.course.pk, GROUP),
        place_data(receivers, agency="", site="", service=""),
    )
    assert response.status_code == 302
    place = PlacementRequest.objects.get()
    assert (place.agency, place.site, place.service, place.destination) == receivers
    elsewhere = AgencyFactory(name="CISSS de Laval")
    response = coordinator_client.post(
        url("place_create", world.course.pk, GROUP),
        place_data(receivers, agency=str(elsewhere.pk), service="", destination=""),
    )
    assert "Ce site n'appartient pas à l'organisme choisi." in text_of(response)
    assert PlacementRequest.objects.count() == 1


def test_individual_place_is_size_one(world, coordinator_client, receivers):
    response = coordinator_client.post(
        url("place_create", world.course.pk, INDIVIDUAL),
        place_data(receivers, group_size="8", count="5"),
    )
    assert response.status_code == 302
    assert set(PlacementRequest.objects.values_list("group_size", "destination_group_size")) == {
        (1, 1)
    }
    assert PlacementRequest.objects.count() == 5


def response_html(client, world) -> str:
    return client.get(url("worksheet", world.course.pk, GROUP)).content.decode()


def _other_site():
    return SiteFactory(agency=AgencyFactory(name="CIUSSS de l'Estrie"), name="Hôpital Fleurimont")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"group_size": "0"}, "Assurez-vous que cette valeur est supérieure ou égale à 1."),
        ({"group_size": "9999"}, "Assurez-vous que cette valeur est inférieure ou égale à 99."),
        ({"group_size": "١٢"}, "Saisissez un nombre entier."),
        ({"count": "51"}, "Assurez-vous que cette valeur est inférieure ou égale à 50."),
        (
            {"group_size": "4", "destination_group_size": "5"},
            "La taille à la destination va de 1 à la taille du groupe (4).",
        ),
        ({"end_date": "2027-01-15"}, "La date de fin précède la date de début."),
        ({"weekdays": []}, "Cochez au moins un jour de la semaine."),
        ({"start_time": "25:00"}, "Saisissez une heure valide."),
        ({"comment": "x" * 2001}, "au plus 2000 caractères"),
        ({"teacher": "x" * 121}, "au plus 120 caractères"),
        (
            {"agency": "", "site": "", "service": "", "destination": ""},
            "Choisissez l'organisme receveur.",
        ),
        ({"site": "99999"}, "Sélectionnez un choix valide."),
    ],
)
def test_bad_place_input_writes_nothing(world, coordinator_client, receivers, overrides, message):
    response = coordinator_client.post(
        url("place_create", world.course.pk, GROUP), place_data(receivers, **overrides)
    )
    assert response.status_code == 200
    assert message in text_of(response).replace("\u202f", " ").replace("\xa0", " ")
    assert not PlacementRequest.objects.exists()
    assert not Worksheet.objects.exists()


def test_inactive_site_is_refused_at_its_field(world, coordinator_client, receivers):
    site = receivers[1]
    site.is_active = False
    site.save()
    response = coordinator_client.post(
        url("place_create", world.course.pk, GROUP), place_data(receivers)
    )
    assert "« Hôpital Charles-Le Moyne » n'est plus actif : choisissez-en un autre." in text_of(
        response
    )
    assert 'id="id_site-errors"' in response.content.decode()
    assert not PlacementRequest.objects.exists()
    # The inactive site is not offered in the list.
    page = coordinator_client.get(url("place_create", world.course.pk, GROUP)).content.decode()
    assert "Hôpital Charles-Le Moyne" not in page  # nor its services, nor their destinations


def test_forged_chain_is_refused(world, coordinator_client, receivers):
    response = coordinator_client.post(
        url("place_create", world.course.pk, GROUP),
        place_data(receivers, site=str(_other_site().pk), service="", destination=""),
    )
    assert "Ce site n'appartient pas à l'organisme choisi." in text_of(response)
    other_service = ServiceFactory()
    response = coordinator_client.post(
        url("place_create", world.course.pk, GROUP),
        place_data(receivers, service=str(other_service.pk), destination=""),
    )
    assert "Ce service n'appartient pas au site choisi." in text_of(response)
    response = coordinator_client.post(
        url("place_create", world.course.pk, GROUP),
        place_data(receivers, destination=str(DestinationFactory().pk)),
    )
    assert "Cette destination n'appartient pas au service choisi." in text_of(response)
    assert not PlacementRequest.objects.exists()


def test_service_refuses_a_size_the_database_also_refuses(world, placement_coordinator, receivers):
    agency, site, _service, _destination = receivers
    with pytest.raises(Exception) as exc:
        services.place_create(
            actor=placement_coordinator,
            cohort_course=world.course,
            kind=GROUP,
            values={"agency": agency, "site": site, "group_size": 0, "weekdays": 1},
        )
    assert "La taille du groupe va de 1 à 99." in str(exc.value)
    assert not PlacementRequest.objects.exists()


def test_place_create_on_another_programs_course_is_404(world, coordinator_client, receivers):
    response = coordinator_client.post(
        url("place_create", world.other_course.pk, GROUP), place_data(receivers)
    )
    assert response.status_code == 404
    assert not PlacementRequest.objects.exists()


# -- destination search --------------------------------------------------------------


def test_destination_search_ignores_accents(world, coordinator_client, receivers):
    inactive = DestinationFactory(service=receivers[2], name="Unité fermée", is_active=False)
    page = text_of(
        coordinator_client.get(url("destination_search", world.course.pk, GROUP), {"q": "UNITE"})
    )
    assert "Unité 4 Nord" in page
    assert inactive.name not in page
    page = text_of(
        coordinator_client.get(
            url("destination_search", world.course.pk, GROUP), {"q": "hopital charles"}
        )
    )
    assert "Unité 4 Nord" in page
    page = text_of(
        coordinator_client.get(url("destination_search", world.course.pk, GROUP), {"q": "u"})
    )
    assert "Saisissez au moins 2 caractères du nom de la destination." in page


def test_destination_search_adds_places_in_one_step(world, coordinator_client, receivers):
    agency, site, service, destination = receivers
    path = url("destination_search", world.course.pk, GROUP)
    page = text_of(coordinator_client.get(path, {"q": "nord", "destination": destination.pk}))
    assert "Ajouter des places à « Unité 4 Nord »" in page
    data = place_data(receivers, count="2", group_size="3")
    for name in ("agency", "site", "service"):
        del data[name]
    response = coordinator_client.post(path, data, follow=True)
    assert "2 places créées." in text_of(response)
    assert set(
        PlacementRequest.objects.values_list(
            "agency", "site", "service", "destination", "group_size"
        )
    ) == {(agency.pk, site.pk, service.pk, destination.pk, 3)}


def test_destination_search_refuses_inactive_or_forged(world, coordinator_client, receivers):
    destination = receivers[3]
    destination.is_active = False
    destination.save()
    path = url("destination_search", world.course.pk, GROUP)
    data = place_data(receivers)
    response = coordinator_client.post(path, data)
    assert "« Unité 4 Nord » n'est plus actif" in text_of(response)
    assert coordinator_client.post(path, {**data, "destination": "٣"}).status_code == 404
    assert not PlacementRequest.objects.exists()


# -- Modifier, Copier, Supprimer ------------------------------------------------------


def test_place_update(world, coordinator_client, receivers):
    sheet = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    (place,) = places(sheet, 1)
    page = coordinator_client.get(url("place_update", place.pk)).content.decode()
    assert f"Modifier la demande {place.pk}" in page
    response = coordinator_client.post(
        url("place_update", place.pk),
        place_data(receivers, group_size="5", destination_group_size="2"),
    )
    assert response.status_code == 302
    place.refresh_from_db()
    assert (place.group_size, place.destination_group_size, place.site) == (5, 2, receivers[1])
    assert place.status == S.PLANNED


def test_a_request_in_the_outbox_can_be_held_until_a_day(world, coordinator_client, receivers):
    """« En attente jusqu'au »: offered for a « Nouvelle » request only, today or later."""
    sheet = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    planned, new = places(sheet, 1) + places(sheet, 1, status=S.NEW)
    assert "En attente jusqu" not in text_of(
        coordinator_client.get(url("place_update", planned.pk))
    )
    assert "En attente jusqu" in text_of(coordinator_client.get(url("place_update", new.pk)))
    today = datetime.date.today()
    past = coordinator_client.post(
        url("place_update", new.pk),
        place_data(receivers, held_until=str(today - datetime.timedelta(days=1))),
    )
    assert "est passée : choisissez aujourd'hui ou après." in text_of(past)
    new.refresh_from_db()
    assert new.held_until is None
    later = today + datetime.timedelta(days=14)
    response = coordinator_client.post(
        url("place_update", new.pk), place_data(receivers, held_until=str(later))
    )
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.held_until == later and new.status == S.NEW
    # Sent with a planned place's form, the date is not read.
    coordinator_client.post(
        url("place_update", planned.pk), place_data(receivers, held_until=str(later))
    )
    planned.refresh_from_db()
    assert planned.held_until is None


def test_sent_place_is_read_only(world, coordinator_client, receivers):
    sheet = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    (place,) = places(sheet, 1, status=S.SENT)
    response = coordinator_client.post(
        url("place_update", place.pk), place_data(receivers, group_size="5"), follow=True
    )
    assert "a été envoyée : elle ne peut plus être modifiée" in text_of(response)
    place.refresh_from_db()
    assert place.group_size == 4


def test_another_programs_place_is_404(world, coordinator_client, receivers):
    (other,) = places(WorksheetFactory(cohort_course=world.other_course, kind=GROUP), 1)
    for name in ("place_update", "place_delete", "request_detail"):
        assert coordinator_client.get(url(name, other.pk)).status_code == 404
    assert coordinator_client.post(url("place_copy", other.pk)).status_code == 404
    assert coordinator_client.post(url("place_delete", other.pk)).status_code == 404
    assert PlacementRequest.objects.count() == 1


def test_place_copy(world, coordinator_client):
    sheet = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    (place,) = places(sheet, 1, teacher="M. Roy", status=S.REFUSED)
    assert coordinator_client.get(url("place_copy", place.pk)).status_code == 405
    response = coordinator_client.post(url("place_copy", place.pk), follow=True)
    copy = PlacementRequest.objects.exclude(pk=place.pk).get()
    assert f"Demande {place.pk} copiée : la nouvelle place porte le numéro {copy.pk}." in text_of(
        response
    )
    assert (copy.origin, copy.copied_from, copy.status, copy.teacher) == (
        PlacementRequest.Origin.COPY,
        place,
        S.PLANNED,
        "M. Roy",
    )
    assert copy.events.get().to_status == S.PLANNED


def test_place_delete(world, coordinator_client):
    sheet = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    planned, new = places(sheet, 1) + places(sheet, 1, status=S.NEW)
    page = text_of(coordinator_client.get(url("place_delete", planned.pk)))
    assert f"Supprimer la place {planned.pk} ?" in page
    response = coordinator_client.post(url("place_delete", planned.pk), follow=True)
    assert f"Place {planned.pk} supprimée." in text_of(response)
    response = coordinator_client.post(url("place_delete", new.pk), follow=True)
    assert "seules les places planifiées se suppriment" in text_of(response)
    assert list(PlacementRequest.objects.values_list("pk", flat=True)) == [new.pk]


def test_copy_buttons_come_back_when_the_worksheet_is_empty(world, coordinator_client, receivers):
    coordinator_client.post(url("place_create", world.course.pk, GROUP), place_data(receivers))
    path = url("worksheet", world.course.pk, GROUP)
    assert "Copier les stages acceptés la dernière fois" not in text_of(
        coordinator_client.get(path)
    )
    place = PlacementRequest.objects.get()
    coordinator_client.post(url("place_delete", place.pk))
    assert "Copier les stages acceptés la dernière fois" in text_of(coordinator_client.get(path))


def test_held_date_is_untouched_by_the_worksheet_dates(world):
    # A guard for the factories' default dates used above.
    assert world.course.start_date == datetime.date(2027, 2, 1)


def test_exempted_students_need_no_place(world, placement_coordinator):
    from placements.models import CohortEnrollment
    from placements.selectors.worksheets import worksheet_tally

    sheet = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    CohortEnrollmentFactory(cohort_course=world.course, worksheet=sheet)
    CohortEnrollmentFactory(
        cohort_course=world.course, worksheet=sheet, status=CohortEnrollment.Status.EXEMPTED
    )
    assert worksheet_tally(sheet).students == 1


HOSTILE = ["", "0", "-1", "١٢", "²", "9" * 30, "1e3", "<script>", "' OR 1=1 --", "\x00"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_never_500(world, coordinator_client, receivers, value):
    sheet = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    (place,) = places(sheet, 1)
    course = world.course.pk
    answers = [
        coordinator_client.get(url("worksheet", course, GROUP), {"modifier": value}),
        coordinator_client.post(
            url("worksheet", course, GROUP), {"action": value, "places": [str(place.pk)]}
        ),
        coordinator_client.post(
            url("worksheet", course, GROUP), {"action": "outbox", "places": [value]}
        ),
        coordinator_client.get(url("destination_search", course, GROUP), {"q": value}),
        coordinator_client.get(url("destination_search", course, GROUP), {"destination": value}),
        coordinator_client.get(url("worksheet_copy", course, GROUP), {"mode": value}),
        coordinator_client.post(
            url("worksheet_copy", course, GROUP),
            {"source": value, "mode": value, "schedule_from": value},
        ),
        coordinator_client.get(url("outbox", course), {"status": value}),
    ]
    for field in (
        "agency",
        "site",
        "group_size",
        "destination_group_size",
        "count",
        "start_date",
        "weekdays",
        "start_time",
        "block_dates",
    ):
        answers.append(
            coordinator_client.post(
                url("place_create", course, GROUP), place_data(receivers, **{field: value})
            )
        )
        answers.append(
            coordinator_client.post(
                url("place_update", place.pk), place_data(receivers, **{field: value})
            )
        )
    assert all(response.status_code in (200, 302, 404) for response in answers), [
        response.status_code for response in answers
    ]
    place.refresh_from_db()
    assert place.status == S.PLANNED


def test_a_place_deleted_meanwhile_is_refused_with_a_message(world, placement_coordinator):
    """Two clicks on « Supprimer », or a change on a place another tab deleted: the second
    service call says so instead of failing."""
    place = PlacementRequestFactory(worksheet=WorksheetFactory(cohort_course=world.course))
    services.place_delete(actor=placement_coordinator, request=place)
    for call in (
        lambda: services.place_delete(actor=placement_coordinator, request=place),
        lambda: services.place_update(
            actor=placement_coordinator, request=place, values={"teacher": "X"}
        ),
    ):
        with pytest.raises(ValidationError) as refused:
            call()
        assert "supprimée entre-temps" in refused.value.messages[0]
