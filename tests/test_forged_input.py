"""Forged request text where the application reads an id or a number: never a 500.

Every URL parameter, form field and formset count the staff screens parse by hand is sent
« ² » (a Unicode digit that ``str.isdigit()`` accepts and ``int()`` refuses), « ١٢ »
(Arabic-Indic digits that ``int()`` reads as 12), « 1e3 », « -1 », a number past bigint,
an empty value and over-long text: the answer is the page with a French message, a 404 or a
400 — never a server error, and nothing is written.
"""

import datetime
import html
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certification import documents as certification_documents
from certification.models import Candidate, Incident
from certification.views import finalization
from registrar import selectors as registrar_selectors
from registrar import validators
from registrar.selectors import WORKING_TERM_SESSION_KEY
from tests.factories import (
    AdmissionFactory,
    CandidateFactory,
    CertificationCenterFactory,
    CertificationSessionFactory,
    CourseFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db

SUPERSCRIPT_TWO = "²"
ARABIC_TWELVE = "١٢"
HOSTILE = [
    SUPERSCRIPT_TWO,
    ARABIC_TWELVE,
    "1e3",
    "-1",
    "0",
    "99999999999999999999999",
    "",
    "9" * 3000,
    "x" * 3000,
    " 7",
    "+7",
    "7.0",
]
FINALIZE = "certification:session_finalize"


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    # A server error comes back as a 500 response to assert on, not as the exception.
    client.raise_request_exception = False
    return client


# --------------------------------------------------------------------------------------
# Certification: the session list (centre filter, pagination)
# --------------------------------------------------------------------------------------


@pytest.fixture
def sco_center(centre_staff):
    return CertificationCenterFactory(name="Collège Jean-Moulin", type="SCO", staff=[centre_staff])


@pytest.fixture
def two_centres(centre_staff, sco_center):
    sco = sco_center
    pro = CertificationCenterFactory(name="Centre Formation Pro", type="PRO", staff=[centre_staff])
    CertificationSessionFactory(center=sco, name="Session du collège")
    CertificationSessionFactory(center=pro, name="Session des adultes")
    return sco, pro


@pytest.mark.parametrize("value", HOSTILE)
def test_session_list_centre_filter(centre_staff, two_centres, value):
    response = _client(centre_staff).get(reverse("certification:session_list"), {"centre": value})
    assert response.status_code == 200
    page = _text(response)
    # Forged text narrows to no centre: the user's sessions are all listed.
    assert "Session du collège" in page and "Session des adultes" in page
    assert response.context["center"] is None


def test_session_list_centre_filter_still_narrows(centre_staff, two_centres):
    sco, _pro = two_centres
    response = _client(centre_staff).get(
        reverse("certification:session_list"), {"centre": str(sco.pk)}
    )
    page = _text(response)
    assert "Session du collège" in page and "Session des adultes" not in page


@pytest.mark.parametrize("name", ["per_page", "page"])
def test_session_list_pagination(centre_staff, two_centres, name):
    client = _client(centre_staff)
    for value in HOSTILE:
        response = client.get(reverse("certification:session_list"), {name: value})
        assert response.status_code == 200, value
        page = _text(response)
        assert "Session du collège" in page and "Session des adultes" in page


def test_session_list_page_size_is_the_views(centre_staff, sco_center):
    """?per_page= is no option of the screens: a forged one neither breaks the page (-1
    made the paginator slice with a negative index) nor lists every row at once."""
    CertificationSessionFactory.create_batch(30, center=sco_center)
    response = _client(centre_staff).get(
        reverse("certification:session_list"), {"per_page": "100000"}
    )
    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == 25


# --------------------------------------------------------------------------------------
# Certification: « Finaliser la session »
# --------------------------------------------------------------------------------------


@pytest.fixture
def started(sco_center):
    session = CertificationSessionFactory(
        center=sco_center,
        number=654321,
        date=timezone.localdate() - datetime.timedelta(days=1),
    )
    CandidateFactory(session=session, last_name="Jefferson", first_name="Thomas")
    CandidateFactory(session=session, last_name="Tyler", first_name="John")
    CandidateFactory(session=session, last_name="Monroe", first_name="James")
    return session


def _finalize_data(session, **overrides) -> dict:
    """The page's POST, everyone present with the end screen seen, no incident."""
    candidates = list(session.candidates.order_by("identity_key", "pk"))
    data = {
        "attendance-TOTAL_FORMS": str(len(candidates)),
        "attendance-INITIAL_FORMS": str(len(candidates)),
        "attendance-MIN_NUM_FORMS": "0",
        "attendance-MAX_NUM_FORMS": "1000",
        "incidents-TOTAL_FORMS": "3",
        "incidents-INITIAL_FORMS": "0",
        "incidents-MIN_NUM_FORMS": "0",
        "incidents-MAX_NUM_FORMS": "1000",
        "global_comment": "",
    }
    for index, candidate in enumerate(candidates):
        data[f"attendance-{index}-candidate"] = str(candidate.pk)
        data[f"attendance-{index}-present"] = "present"
        data[f"attendance-{index}-end_screen_seen"] = "on"
        data[f"attendance-{index}-unfinished_reason"] = ""
    for index in range(3):
        for field in ("category", "candidate", "description"):
            data[f"incidents-{index}-{field}"] = ""
    data.update(overrides)
    return data


def _assert_not_finalized(session) -> None:
    session.refresh_from_db()
    assert session.finalized_at is None
    assert not Incident.objects.exists()
    assert not Candidate.objects.filter(session=session, present__isnull=False).exists()


@pytest.fixture
def built_forms(monkeypatch):
    """How many attendance and incident forms the request built."""
    built = {"attendance": 0, "incidents": 0}
    for key, form_class in (
        ("attendance", finalization.AttendanceForm),
        ("incidents", finalization.IncidentForm),
    ):
        original = form_class.__init__

        def counting(self, *args, _original=original, _key=key, **kwargs):
            built[_key] += 1
            _original(self, *args, **kwargs)

        monkeypatch.setattr(form_class, "__init__", counting)
    return built


def test_the_untouched_page_still_finalizes(centre_staff, started):
    response = _client(centre_staff).post(
        reverse(FINALIZE, args=[started.pk]), _finalize_data(started)
    )
    assert response.status_code == 302
    started.refresh_from_db()
    assert started.is_finalized


@pytest.mark.parametrize("value", [*HOSTILE, "999999"])
def test_finalize_forged_candidate_of_a_row(centre_staff, started, value):
    response = _client(centre_staff).post(
        reverse(FINALIZE, args=[started.pk]),
        _finalize_data(started, **{"attendance-1-candidate": value}),
    )
    assert response.status_code == 200
    page = _text(response)
    assert "La session n'est pas finalisée : corrigez ce qui est signalé." in page
    assert str(finalization.CANDIDATE_CHANGED) in page
    _assert_not_finalized(started)


@pytest.mark.parametrize("value", HOSTILE)
def test_finalize_forged_candidate_of_an_incident(centre_staff, started, value):
    response = _client(centre_staff).post(
        reverse(FINALIZE, args=[started.pk]),
        _finalize_data(
            started,
            **{
                "incidents-0-category": "technical",
                "incidents-0-candidate": value,
                "incidents-0-description": "Le poste 4 a redémarré.",
            },
        ),
    )
    if value == "":
        # No candidate is a valid incident: the session is finalized with it.
        assert response.status_code == 302
        assert Incident.objects.get().candidate is None
        return
    assert "Sélectionnez un choix valide" in _text(response)
    _assert_not_finalized(started)


@pytest.mark.parametrize(
    ("prefix", "sent"),
    [
        ("attendance", "4"),  # one row more than the session's three candidates
        ("attendance", "2"),
        ("attendance", "100000"),
        ("incidents", "4"),
        ("incidents", "100000"),
        *(("attendance", value) for value in HOSTILE),
        *(("incidents", value) for value in HOSTILE),
    ],
)
def test_finalize_forged_row_count(centre_staff, started, built_forms, prefix, sent):
    """The rows come from the session's candidates (and the page's three incident rows),
    never from TOTAL_FORMS: a forged count is refused with a message, nothing written, and
    no more forms are built than the session has rows."""
    data = _finalize_data(started, **{f"{prefix}-TOTAL_FORMS": sent})
    if sent == "4":
        # The extra row is sent as well, as a forged page would.
        data.update({f"{prefix}-3-candidate": str(started.candidates.first().pk)})
    response = _client(centre_staff).post(reverse(FINALIZE, args=[started.pk]), data)
    assert response.status_code == 200
    page = _text(response)
    expected = (
        str(finalization.ATTENDANCE_ROWS_CHANGED)
        if prefix == "attendance"
        else finalization.INCIDENT_ROWS_CHANGED % {"count": 3}
    )
    assert expected in page
    _assert_not_finalized(started)
    assert built_forms == {"attendance": 3, "incidents": finalization.INCIDENT_ROWS}
    assert len(response.context["attendance"].forms) == 3
    assert len(response.context["incidents"].forms) == finalization.INCIDENT_ROWS
    # The page shown again carries the real counts: submitting it again is not refused.
    assert 'name="attendance-TOTAL_FORMS" value="3"' in page
    assert 'name="incidents-TOTAL_FORMS" value="3"' in page


@pytest.mark.parametrize("field", ["INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"])
@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, "100000", "-1", ""])
def test_finalize_forged_other_counts_are_ignored(centre_staff, started, field, value):
    """Only TOTAL_FORMS is compared with the session; the other counts of the management
    form are the server's."""
    response = _client(centre_staff).post(
        reverse(FINALIZE, args=[started.pk]),
        _finalize_data(started, **{f"attendance-{field}": value, f"incidents-{field}": value}),
    )
    assert response.status_code == 302
    started.refresh_from_db()
    assert started.is_finalized


def test_finalize_missing_management_form(centre_staff, started):
    data = {k: v for k, v in _finalize_data(started).items() if "_FORMS" not in k}
    response = _client(centre_staff).post(reverse(FINALIZE, args=[started.pk]), data)
    assert response.status_code == 200
    page = _text(response)
    assert str(finalization.ATTENDANCE_ROWS_CHANGED) in page
    _assert_not_finalized(started)


def test_incident_rows_are_numbered_in_their_labels(centre_staff, started):
    page = _text(_client(centre_staff).get(reverse(FINALIZE, args=[started.pk])))
    for n in (1, 2, 3):
        assert f'aria-label="Description de l\'incident {n}"' in page


# --------------------------------------------------------------------------------------
# Certification: other digit parsing
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "١٢", "-1", "", "1e3", "x"])
def test_attendance_sheet_row_number_reads_ascii_digits_only(value):
    box = SimpleNamespace(element={"data-n": value})
    assert certification_documents._row_number(box) == 0


def test_attendance_sheet_row_number():
    assert certification_documents._row_number(SimpleNamespace(element={"data-n": "12"})) == 12


@pytest.mark.parametrize("value", HOSTILE)
def test_invigilator_door_forged_session_number(value):
    session = CertificationSessionFactory(number=100012)
    client = Client(raise_request_exception=False)
    response = client.post(
        reverse("certification:invigilator_login"),
        {"number": value, "password": session.invigilator_password},
    )
    assert response.status_code == 200
    assert "certification.invigilator_session" not in client.session
    assert 'class="alert alert-danger' in response.content.decode() or "invalid" in (
        response.content.decode()
    )


# --------------------------------------------------------------------------------------
# Registrar: student search, course search
# --------------------------------------------------------------------------------------


@pytest.fixture
def students():
    lise = StudentFactory(da_number="1234567", last_name="Leblanc", phone="819 555-0147")
    AdmissionFactory(student=lise)
    StudentFactory(da_number="2345678", last_name="Lebrun")
    return lise


@pytest.mark.parametrize("q", ["²", "١٢٣", "1²3", "12٣", "１２３"])
def test_student_search_da_number_is_ascii_digits(registrar_staff, students, q):
    response = _client(registrar_staff).get(
        reverse("registrar:student_search"), {"field": "da_number", "q": q}
    )
    assert response.status_code == 200
    page = _text(response)
    assert (
        "Le numéro de l'étudiant ne contient que des chiffres (le tiret est permis), * et ?."
        in page
    )
    assert response.context["table"] is None


@pytest.mark.parametrize("q", ["²", "١٢٣", "819²", "٨١٩*"])
def test_student_search_phone_is_ascii_digits(registrar_staff, students, q):
    response = _client(registrar_staff).get(
        reverse("registrar:student_search"), {"field": "phone", "q": q}
    )
    assert response.status_code == 200
    assert "Le numéro de téléphone ne contient que des chiffres, * et ?." in _text(response)
    assert response.context["table"] is None


@pytest.mark.parametrize("field", ["da_number", "phone", "last_name", "permanent_code"])
def test_student_search_never_fails(registrar_staff, students, field):
    client = _client(registrar_staff)
    for q in HOSTILE:
        response = client.get(reverse("registrar:student_search"), {"field": field, "q": q})
        if field == "da_number" and q == "-1":
            # « -1 » is the DA « 1 » (the dash is allowed): Lise Leblanc's alone, opened.
            assert response.status_code == 302, q
            assert response.url == reverse("registrar:student_file", args=[students.pk])
        else:
            assert response.status_code == 200, q


def test_student_search_digits_only_ascii_reach_the_query():
    assert registrar_selectors._keep_digits_and_wildcards("1²3١*") == "13*"


@pytest.mark.parametrize("name", ["per_page", "page"])
def test_student_search_pagination(registrar_staff, students, name):
    client = _client(registrar_staff)
    for value in HOSTILE:
        response = client.get(
            reverse("registrar:student_search"), {"field": "last_name", "q": "Leb", name: value}
        )
        assert response.status_code == 200, value
        page = _text(response)
        assert "Leblanc" in page and "Lebrun" in page


@pytest.mark.parametrize("name", ["per_page", "page"])
def test_student_file_tables_pagination(registrar_staff, students, name):
    client = _client(registrar_staff)
    for value in HOSTILE:
        for url in ("registrar:student_admissions", "registrar:student_history"):
            response = client.get(reverse(url, args=[students.pk]), {name: value})
            assert response.status_code == 200, (url, value)


@pytest.mark.parametrize("name", ["per_page", "page"])
def test_course_search_pagination(registrar_staff, name):
    CourseFactory(number="601-101-MQ", title="Écriture et littérature")
    client = _client(registrar_staff)
    for value in HOSTILE:
        response = client.get(
            reverse("registrar:course_search"), {"field": "number", "q": "601", name: value}
        )
        assert response.status_code == 200, value
        assert "601-101-MQ" in _text(response)


def test_course_search_never_fails(registrar_staff):
    client = _client(registrar_staff)
    for q in HOSTILE:
        response = client.get(reverse("registrar:course_search"), {"field": "number", "q": q})
        assert response.status_code == 200, q


# --------------------------------------------------------------------------------------
# Registrar: the validators of identifiers read ASCII digits only
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["²²²²²²²", "١٢٣٤٥٦٧", "１２３４５６７", "123456²"])
def test_da_number_is_ascii_digits(value):
    with pytest.raises(ValidationError):
        validators.validate_da_number(value)


@pytest.mark.parametrize("value", ["²", "٠٠٩٩٢", "00٩92"])
def test_group_number_is_ascii_digits(value):
    with pytest.raises(ValidationError):
        validators.validate_group_number(value)


@pytest.mark.parametrize("value", ["LEBL١٥٥٣٩٠٠١", "LEBL15539٠٠١"])
def test_permanent_code_is_ascii_digits(value):
    with pytest.raises(ValidationError):
        validators.permanent_code_birth(value)


@pytest.mark.parametrize("value", ["١٢٣٤٥٦٧٨٩AB", "1234A١٢٣٤٥B"])
def test_ine_is_ascii_digits(value):
    with pytest.raises(ValidationError):
        validators.validate_ine(value)


@pytest.mark.parametrize("value", ["A-٢٠١٧", "A-²⁰¹⁷", "H١٨"])
def test_term_code_is_ascii_digits(value):
    with pytest.raises(ValidationError):
        validators.parse_term_code(value)


def test_weighting_is_ascii_digits():
    with pytest.raises(ValidationError):
        validators.validate_weighting("٣-١-٣")


def test_ascii_identifiers_still_pass():
    validators.validate_da_number("1234567")
    validators.validate_group_number("00992")
    validators.validate_ine("123456789AB")
    validators.validate_weighting("3-1-3")
    assert validators.parse_term_code("A-17") == ("A", 2017)
    assert validators.permanent_code_birth("LEBL15539001")[1] == "F"


# --------------------------------------------------------------------------------------
# Certification: « Importer des candidats », numbers read from the file
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "NaN %", "inf", "-inf", "1e400", "²", "١٢", "1e3"])
def test_candidate_import_extra_time_that_is_no_number(centre_staff, value):
    """« Temps majoré » is read with float(): « nan » and « inf » are floats that round()
    refuses (a 500); they are the line's error like any other text."""
    from tests.certification.test_candidate_import import line, xlsx_file

    center = CertificationCenterFactory(name="Centre Pro", type="PRO", staff=[centre_staff])
    session = CertificationSessionFactory(center=center)
    response = _client(centre_staff).post(
        reverse("certification:candidates_import", args=[session.pk]),
        {"file": xlsx_file(session, [line(extra_time_percent=value)])},
    )
    assert response.status_code == 200
    errors = " ".join(response.context["errors"])
    assert "Ligne 5" in errors and "temps majoré" in errors.lower()
    assert not Candidate.objects.filter(session=session).exists()


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_candidate_import_extra_time_of_a_number_cell(value):
    """An .ods cell may hold the float NaN or infinity."""
    from certification.imports.candidates import _percent

    problems: list[str] = []
    assert _percent(value, problems) is None
    assert len(problems) == 1


# --------------------------------------------------------------------------------------
# Ids in URLs (<int:pk>: ASCII digits, but of any length) and in form fields
# --------------------------------------------------------------------------------------

HUGE = "99999999999999999999999"
# Each page, with what a POST gets: 405 where the page takes GET only, else 404.
CENTRE_URLS = {
    "/certification/sessions/{}/": 405,
    "/certification/sessions/{}/modifier/": 404,
    "/certification/sessions/{}/supprimer/": 404,
    "/certification/sessions/{}/candidats/": 405,
    "/certification/sessions/{}/candidats/ajouter/": 404,
    "/certification/sessions/{}/candidats/nouveau/": 404,
    "/certification/sessions/{}/candidats/import/": 404,
    "/certification/sessions/{}/candidats/modele.xlsx": 405,
    "/certification/sessions/{}/feuille-emargement.pdf": 405,
    "/certification/sessions/{}/candidats.xlsx": 405,
    "/certification/sessions/{}/kit-surveillant.pdf": 405,
    "/certification/sessions/{}/finaliser/": 404,
    "/certification/sessions/{}/pv-incident.pdf": 405,
}


@pytest.mark.parametrize("template", CENTRE_URLS)
def test_a_session_id_past_bigint_is_404(centre_staff, sco_center, template):
    client = _client(centre_staff)
    assert client.get(template.format(HUGE)).status_code == 404
    # The pages that take no POST refuse it before looking the session up.
    assert client.post(template.format(HUGE)).status_code == CENTRE_URLS[template]


def test_a_candidate_id_past_bigint_is_404(centre_staff, sco_center):
    client = _client(centre_staff)
    assert client.post(f"/certification/candidats/{HUGE}/supprimer/").status_code == 404


@pytest.mark.parametrize("template", ["/etudiants/{}/", "/etudiants/{}/admissions/"])
def test_a_student_id_past_bigint_is_404(registrar_staff, template):
    assert _client(registrar_staff).get(template.format(HUGE)).status_code == 404


@pytest.mark.parametrize("value", HOSTILE)
def test_session_form_forged_centre(centre_staff, sco_center, value):
    """The « Créer une session » centre is a ModelChoiceField: forged text is its error."""
    CertificationCenterFactory(name="Autre centre du même agent", staff=[centre_staff])
    response = _client(centre_staff).post(
        reverse("certification:session_create"),
        {
            "center": value,
            "name": "Session forgée",
            "site": "A",
            "room": "1",
            "date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "start_time": "09:00",
            "invigilators": "Mme Durand",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["center"]


def test_working_term_forged_code(registrar_staff):
    client = _client(registrar_staff)
    for value in [*HOSTILE, "A-²⁰¹⁷", "A-٢٠١٧"]:
        response = client.post(reverse("registrar:set_working_term"), {"term": value, "next": "/"})
        # Back where the user was, the term unchanged.
        assert response.status_code == 302, value
        assert response.url == "/", value
        assert WORKING_TERM_SESSION_KEY not in client.session, value


# --------------------------------------------------------------------------------------
# The admin's inline formsets: rows bounded by the object's, not by TOTAL_FORMS
# --------------------------------------------------------------------------------------


def _inline_post(client, url: str, *, total: str) -> tuple:
    page = client.get(url)
    data = {}
    for form_set in page.context["inline_admin_formsets"]:
        prefix = form_set.formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = total
        data[f"{prefix}-INITIAL_FORMS"] = str(form_set.formset.initial_form_count())
    response = client.post(url, data)
    built = [len(form_set.formset.forms) for form_set in response.context["inline_admin_formsets"]]
    return response, built


@pytest.mark.parametrize("total", ["100000", "2000"])
def test_admin_student_admissions_forged_row_count(admin, total):
    from registrar.admin_base import BoundedTabularInline

    student = StudentFactory(last_name="Leblanc")
    AdmissionFactory(student=student)
    client = _client(admin)
    response, built = _inline_post(
        client, reverse("admin:registrar_student_change", args=[student.pk]), total=total
    )
    assert response.status_code == 200
    assert built == [1 + BoundedTabularInline.max_new_rows]
    assert "Veuillez soumettre au plus" in _text(response)
    assert student.admissions.count() == 1


def test_admin_course_prerequisites_forged_row_count(admin):
    from registrar.admin_base import BoundedTabularInline

    course = CourseFactory(number="601-101-MQ")
    response, built = _inline_post(
        _client(admin), reverse("admin:registrar_course_change", args=[course.pk]), total="100000"
    )
    assert response.status_code == 200
    assert built == [BoundedTabularInline.max_new_rows]


def test_admin_centre_staff_forged_row_count(admin, sco_center):
    from registrar.admin_base import BoundedTabularInline

    response, built = _inline_post(
        _client(admin),
        reverse("admin:certification_certificationcenter_change", args=[sco_center.pk]),
        total="100000",
    )
    assert response.status_code == 200
    # The centre has one member (centre_staff).
    assert built == [1 + BoundedTabularInline.max_new_rows]


# --------------------------------------------------------------------------------------
# « Ajouter un candidat »: numbers and codes typed in other digits
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    ["birth_insee_code", "birth_postal_code", "extra_time_percent", "birth_date", "birth_country"],
)
def test_candidate_form_forged_numbers(centre_staff, communes, field):
    from tests.certification.test_candidate_entry import form_data

    center = CertificationCenterFactory(name="Centre Pro", type="PRO", staff=[centre_staff])
    session = CertificationSessionFactory(center=center)
    client = _client(centre_staff)
    url = reverse("certification:candidate_create", args=[session.pk])
    extra = {"birth_place_by": "postal"} if field == "birth_postal_code" else {}
    valid = {"extra_time_percent": {"0", "", " 7"}}.get(field, set())
    for value in [*HOSTILE, "٢٥٠٥٦", "６９１２３", "1990-٠٣-14"]:
        if value in valid:
            continue
        response = client.post(url, form_data(**{field: value, **extra}))
        assert response.status_code == 200, value
        assert response.context["form"].errors, value
        assert not Candidate.objects.filter(session=session).exists(), value


@pytest.mark.parametrize("name", ["per_page", "page"])
def test_rac_grid_pagination(registrar_staff, name):
    client = _client(registrar_staff)
    for value in HOSTILE:
        response = client.get(reverse("enrollment:rac_grid"), {name: value})
        assert response.status_code == 200, value
