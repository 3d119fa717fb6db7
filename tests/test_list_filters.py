"""The lists' filters (django-filter FilterSets in each app's filters.py): the same GET
parameters as before, what they narrow, forged values narrowing nothing, the French
controls they draw, and no query of their own."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certification.filters import SessionFilter
from certification.models import CertificationSession
from enrollment.models import BatchOperation
from enrollment.services import batch
from registrar.filters import ObjectChoiceField
from tests.enrollment.batch_support import guide_institution, make_operation
from tests.factories import (
    CertificationCenterFactory,
    CertificationSessionFactory,
    TermFactory,
)

pytestmark = pytest.mark.django_db

FORGED = ["²", "١٢", "１２", "1e3", "-1", "0", "+7", " 7", "7.0", "9" * 30, "x" * 300]


@pytest.fixture
def guide(db) -> dict:
    """The batch guide's institution: INS-TEE-RA group 08459 in H-2018, five students."""
    return guide_institution()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


# -- registrar/filters.py ---------------------------------------------------------------


def test_object_choice_field_reads_ascii_ids_among_its_objects_only():
    terms = [TermFactory(code="A-2017"), TermFactory(code="H-2018")]
    other = TermFactory(code="E-2018")
    field = ObjectChoiceField(objects=terms, empty_label="Toutes", required=False)
    assert field.clean(str(terms[1].pk)) == terms[1]
    assert field.clean("") is None
    for value in [str(other.pk), *FORGED, f"{terms[0].pk}\u0661"]:
        with pytest.raises(ValidationError):
            field.clean(value)
    assert field.choices == [("", "Toutes"), *((t.pk, str(t)) for t in terms)]


def test_object_choice_field_costs_no_query(django_assert_num_queries):
    terms = [TermFactory(code="A-2017"), TermFactory(code="H-2018")]
    field = ObjectChoiceField(objects=terms, empty_label="Toutes")
    with django_assert_num_queries(0):
        assert field.clean(str(terms[0].pk)) == terms[0]
        field.widget.render("t", str(terms[0].pk))


# -- certification: « Sessions de certification » (?centre=) ------------------------------


@pytest.fixture
def centres(centre_staff):
    college = CertificationCenterFactory(name="Collège Jean-Moulin", staff=[centre_staff])
    pro = CertificationCenterFactory(name="Centre Formation Pro", staff=[centre_staff])
    foreign = CertificationCenterFactory(name="Centre d'un autre agent")
    CertificationSessionFactory(center=college, name="Session du collège")
    CertificationSessionFactory(center=pro, name="Session des adultes")
    CertificationSessionFactory(center=foreign, name="Session étrangère")
    return college, pro, foreign


def _session_names(response) -> list[str]:
    return sorted(row.record.name for row in response.context["table"].page.object_list)


def test_session_list_narrows_to_one_of_the_users_centres(centre_staff, centres):
    college, pro, _foreign = centres
    client = _client(centre_staff)
    url = reverse("certification:session_list")
    assert _session_names(client.get(url)) == ["Session des adultes", "Session du collège"]
    response = client.get(url, {"centre": str(pro.pk)})
    assert _session_names(response) == ["Session des adultes"]
    assert response.context["center"] == pro
    page = html.unescape(response.content.decode())
    assert '<label class="visually-hidden" for="centre">Centre</label>' in page
    assert '<option value="">Tous mes centres</option>' in page
    assert f'<option value="{pro.pk}" selected>Centre Formation Pro</option>' in page
    assert f'<option value="{college.pk}">Collège Jean-Moulin</option>' in page
    assert "Centre d'un autre agent" not in page


@pytest.mark.parametrize("value", FORGED)
def test_session_list_forged_centre_narrows_nothing(centre_staff, centres, value):
    response = _client(centre_staff).get(reverse("certification:session_list"), {"centre": value})
    assert response.status_code == 200
    assert _session_names(response) == ["Session des adultes", "Session du collège"]
    assert response.context["center"] is None
    # No centre is marked chosen: the browser shows the first option, « Tous mes centres ».
    select = response.content.decode().split('<select name="centre"')[1].split("</select>")[0]
    assert '<option value="">Tous mes centres</option>' in select
    assert "selected" not in select


def test_session_list_another_centres_id_narrows_nothing(centre_staff, centres):
    _college, _pro, foreign = centres
    response = _client(centre_staff).get(
        reverse("certification:session_list"), {"centre": str(foreign.pk)}
    )
    assert _session_names(response) == ["Session des adultes", "Session du collège"]
    assert response.context["center"] is None


def test_session_list_filter_costs_no_query(centre_staff, centres):
    college, _pro, _foreign = centres
    client = _client(centre_staff)
    url = reverse("certification:session_list")
    assert _queries(client, url, {"centre": str(college.pk)}) == _queries(client, url, {})


def test_session_filter_alone(centre_staff, centres):
    college, pro, _foreign = centres
    queryset = CertificationSession.objects.order_by("name")
    narrowed = SessionFilter({"centre": str(college.pk)}, queryset=queryset, centers=[college])
    assert [s.name for s in narrowed.qs] == ["Session du collège"]
    assert narrowed.center == college
    unknown = SessionFilter({"centre": str(pro.pk)}, queryset=queryset, centers=[college])
    assert unknown.qs.count() == 3 and unknown.center is None
    unbound = SessionFilter(None, queryset=queryset, centers=[college])
    assert unbound.qs.count() == 3 and unbound.center is None


# -- enrolment: « Opérations » (?etat=) and a run's report (?resultat=) ----------------------


def test_operation_list_narrows_by_state(staff_client, registrar_staff, guide):
    draft = make_operation(registrar_staff, guide, students=guide["students"][:1])
    simulated = make_operation(registrar_staff, guide, students=guide["students"][:1])
    batch.batch_operation_run(actor=registrar_staff, operation=simulated, simulation=True)
    url = reverse("enrollment:operation_list")

    def shown(params) -> list[int]:
        response = staff_client.get(url, params)
        assert response.status_code == 200
        return [row.record.pk for row in response.context["table"].page.object_list]

    assert shown({}) == [simulated.pk, draft.pk]
    assert shown({"etat": "simulated"}) == [simulated.pk]
    assert shown({"etat": "draft"}) == [draft.pk]
    assert shown({"etat": "executed"}) == []
    for value in [*FORGED, "Simulée", "SIMULATED"]:
        assert shown({"etat": value}) == [simulated.pk, draft.pk], value
    page = html.unescape(staff_client.get(url, {"etat": "simulated"}).content.decode())
    assert '<label class="visually-hidden" for="etat">État</label>' in page
    assert '<option value="">Tous les états</option>' in page
    assert '<option value="simulated" selected>Simulée</option>' in page
    assert [label for _value, label in BatchOperation.Status.choices] == [
        "En préparation",
        "Simulée",
        "Exécution refusée",
        "Exécutée",
        "Annulée",
    ]
    assert _queries(staff_client, url, {"etat": "simulated"}) == _queries(staff_client, url, {})


def test_report_forged_outcome_shows_every_line(staff_client, registrar_staff, guide):
    operation = make_operation(registrar_staff, guide)
    run = batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=True)
    url = reverse("enrollment:batch_report", args=[run.pk])
    narrowed = staff_client.get(url, {"resultat": "record"})
    assert narrowed.context["outcome"] == "record"
    assert narrowed.context["table"].paginator.count == 5
    assert staff_client.get(url, {"resultat": "refused"}).context["table"].paginator.count == 0
    for value in [*FORGED, "Refusé"]:
        response = staff_client.get(url, {"resultat": value})
        assert response.status_code == 200, value
        assert response.context["outcome"] == "", value
        assert len(response.context["table"].page.object_list) == 5, value
    assert _queries(staff_client, url, {"resultat": "record"}) == _queries(staff_client, url, {})
