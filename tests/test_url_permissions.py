"""Walk every URL pattern as anonymous and as each persona, and check the answer.

A URL added without an entry in EXPECTED fails test_every_url_has_an_expectation: whoever adds
a page decides here who may open it.
"""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from admissions_sync.models import Applicant, ApplicantDocument, Preregistration
from enrollment.models import BatchOperation, BatchRun
from registrar.models import Job
from tests.admissions_sync.prereg_files import png_bytes
from tests.admissions_sync.support import export_rows, import_rows, open_applicant_session
from tests.conftest import PERSONAS
from tests.factories import (
    AdmissionFactory,
    AgencyFactory,
    CandidateFactory,
    CertificationCenterFactory,
    CertificationSessionFactory,
    CohortCourseFactory,
    CohortEnrollmentFactory,
    CohortFactory,
    ContactFactory,
    CourseEnrollmentFactory,
    CourseFactory,
    CourseGroupFactory,
    FormationFactory,
    PlacementRequestFactory,
    PrintReportFactory,
    ProgramCoordinatorFactory,
    ProgramFactory,
    ReceivingCoordinatorFactory,
    SendBatchFactory,
    SiteFactory,
    TermFactory,
    TermRecordFactory,
    WorksheetFactory,
)

ALL = ("anonymous", *PERSONAS, "admin")
PNG = png_bytes()
# An applicant holding an open pre-registration link in their session (no staff account).
APPLICANT = "applicant"
STAFF = tuple(p for p in ALL if p != "anonymous")
STUDENT_READERS = (
    "registrar_staff",
    "readonly_staff",
    "placement_coordinator",
    "other_program_coordinator",
    "admissions_officer",
    "admin",
)
COURSE_READERS = (
    "registrar_staff",
    "readonly_staff",
    "placement_coordinator",
    "other_program_coordinator",
    "admin",
)
RECORD_READERS = ("registrar_staff", "readonly_staff", "admin")
# « Admission rapide » needs registrar.add_student and registrar.add_admission.
STUDENT_CREATORS = ("registrar_staff", "admissions_officer", "admin")
RECORD_WRITERS = ("registrar_staff", "admin")
OPERATION_READERS = ("registrar_staff", "readonly_staff", "admin")
CENTRE = ("centre_staff", "admin")
OPERATION_WRITERS = ("registrar_staff", "admin")
LOGIN = "login"  # expected answer: redirect to the login page
COORDINATORS = ("placement_coordinator", "other_program_coordinator", "admin")
RECEIVERS = ("receiving_coordinator", "other_agency_receiver", "admin")
ADMISSIONS = ("admissions_officer", "admin")


def _only(allowed, *, otherwise=403, anonymous=LOGIN):
    return {p: (200 if p in allowed else otherwise) for p in STAFF} | {"anonymous": anonymous}


def _everyone(status):
    return dict.fromkeys(ALL, status)


def _owners(status=200):
    """An operation of registrar_staff: its owner and the administrator (who sees everyone's)
    open it; read-only staff may read operations but not another user's (404)."""
    return {**_only(OPERATION_WRITERS), "readonly_staff": 404} | {
        p: status for p in OPERATION_WRITERS
    }


def _centre(status=200):
    """A session of centre_staff's centre: its staff and the administrator open it; the
    staff of another centre get 404, everyone else 403."""
    return {**_only(CENTRE), "other_centre_staff": 404} | {p: status for p in CENTRE}


def _coordinator(status=200):
    """An object of placement_coordinator's program: they and the administrator open it;
    the coordinator of another program gets 404, everyone else 403."""
    return {**_only(COORDINATORS), "other_program_coordinator": 404} | {
        p: status for p in ("placement_coordinator", "admin")
    }


def _applicant_only(status):
    """An applicant's page: ``status`` for the applicant whose link is open in the session,
    302 to « Recevoir mon lien » for anyone else (a staff login opens no link)."""
    return _everyone(302) | {APPLICANT: status}


def _none(status):
    """``status`` for the readers of ADMISSIONS (an object they may read does not exist)."""
    return dict.fromkeys(ADMISSIONS, status)


def _applicant(d):
    return {"pk": d["applicant"].pk}


def _applicant_document(d):
    return {"pk": d["applicant"].pk, "document": d["applicant_document"].pk}


def _cohort_course(d):
    return {"pk": d["cohort_course"].pk}


def _group(d):
    return {"pk": d["cohort_course"].pk, "kind": "group"}


def _request(d):
    return {"pk": d["placement_request"].pk}


def _session(d):
    return {"pk": d["certification_session"].pk}


def _pro_session(d):
    return {"pk": d["pro_session"].pk}


def _op(d):
    return {"pk": d["operation"].pk}


def _run(d):
    return {"pk": d["run"].pk}


def _job(d):
    return {"pk": d["job"].pk}


def _job_readers(status=200):
    """A job centre_staff asked for about their centre's session: they and the administrator
    open it; anyone else gets 404, whatever their role — not even that it exists."""
    return {**_everyone(404), "anonymous": LOGIN} | {p: status for p in CENTRE}


# url name -> (kwargs builder, {persona: expected status or LOGIN}); GET requests.
EXPECTED = {
    "registrar:home": (None, _only(STAFF)),
    "registrar:student_search": (None, _only(STUDENT_READERS)),
    "registrar:student_admit": (None, _only(STUDENT_CREATORS)),
    "registrar:student_file": (lambda d: {"pk": d["student"].pk}, _only(STUDENT_READERS)),
    "registrar:student_admissions": (lambda d: {"pk": d["student"].pk}, _only(STUDENT_READERS)),
    "registrar:course_search": (None, _only(COURSE_READERS)),
    # A finished job's page sends to its file.
    "registrar:job_detail": (_job, _job_readers(302)),
    "registrar:job_file": (_job, _job_readers()),
    "registrar:student_history": (lambda d: {"pk": d["student"].pk}, _only(RECORD_READERS)),
    "enrollment:student_term_records": (lambda d: {"pk": d["student"].pk}, _only(RECORD_READERS)),
    "enrollment:term_record_create": (lambda d: {"pk": d["student"].pk}, _only(RECORD_WRITERS)),
    "enrollment:term_record_update": (
        lambda d: {"record_pk": d["record"].pk},
        _only(RECORD_WRITERS),
    ),
    "enrollment:term_record_copy": (lambda d: {"record_pk": d["record"].pk}, _only(RECORD_WRITERS)),
    "enrollment:term_record_delete": (
        lambda d: {"record_pk": d["record"].pk},
        _only(RECORD_WRITERS),
    ),
    "enrollment:course_enrollment_create": (
        lambda d: {"record_pk": d["record"].pk},
        _only(RECORD_WRITERS),
    ),
    "enrollment:course_enrollment_rac": (
        lambda d: {"record_pk": d["record"].pk},
        _only(RECORD_READERS),
    ),
    "enrollment:rac_grid": (None, _only(RECORD_READERS)),
    "enrollment:course_enrollment_update": (
        lambda d: {"pk": d["enrollment"].pk},
        _only(RECORD_WRITERS),
    ),
    "enrollment:course_enrollment_delete": (
        lambda d: {"pk": d["enrollment"].pk},
        _only(RECORD_WRITERS),
    ),
    "enrollment:course_enrollment_copy": (
        lambda d: {"pk": d["enrollment"].pk},
        _only(RECORD_WRITERS),
    ),
    "enrollment:operation_list": (None, _only(OPERATION_READERS)),
    "enrollment:batch_create": (None, _only(OPERATION_WRITERS)),
    "enrollment:batch_detail": (_op, _owners()),
    "enrollment:batch_update": (_op, _only(OPERATION_WRITERS)),
    "enrollment:batch_delete": (_op, _only(OPERATION_WRITERS)),
    "enrollment:batch_selection": (_op, _owners()),
    "enrollment:batch_selection_add": (_op, _only(OPERATION_WRITERS)),
    "enrollment:batch_selection_paste": (_op, _only(OPERATION_WRITERS)),
    "enrollment:batch_execute": (_op, _only(OPERATION_WRITERS)),
    "enrollment:batch_undo": (_op, _only(OPERATION_WRITERS)),
    "enrollment:batch_report": (_run, _owners()),
    "enrollment:batch_report_xlsx": (_run, _owners()),
    # The PDF is not made yet: its URL sends back to the report.
    "enrollment:batch_report_pdf": (_run, _owners(302)),
    "certification:session_list": (None, _only(("centre_staff", "other_centre_staff", "admin"))),
    "certification:session_create": (
        None,
        _only(("centre_staff", "other_centre_staff", "admin")),
    ),
    "certification:session_import": (
        None,
        _only(("centre_staff", "other_centre_staff", "admin")),
    ),
    "certification:session_import_template": (
        None,
        _only(("centre_staff", "other_centre_staff", "admin")),
    ),
    "certification:session_detail": (_session, _centre()),
    "certification:session_update": (_session, _centre()),
    "certification:session_delete": (_session, _centre()),
    "certification:session_candidates": (_session, _centre()),
    "certification:candidates_add": (_session, _centre()),
    "certification:candidate_create": (_pro_session, _centre()),
    "certification:candidates_import": (_pro_session, _centre()),
    "certification:candidates_import_template": (
        lambda d: {"pk": d["pro_session"].pk, "extension": "ods"},
        _centre(),
    ),
    # The PDFs are tracked jobs: the link leads to the job's page (registrar:job_detail).
    "certification:attendance_sheet": (_session, _centre(302)),
    "certification:candidates_xlsx": (_session, _centre()),
    "certification:invigilator_kit": (_session, _centre(302)),
    "certification:session_finalize": (_session, _centre()),
    # Not finalized yet: the incident report sends back to the session.
    "certification:incident_report": (_session, _centre(302)),
    "certification:candidate_delete": (
        lambda d: {"pk": d["candidate"].pk},
        _only((), otherwise=405),
    ),
    # The invigilator space needs no staff login: its door is open to anyone, the rest
    # sends back to the door until a session number and password were given.
    "certification:invigilator_login": (None, _everyone(200)),
    "certification:invigilator_space": (None, _everyone(302)),
    "certification:invigilator_check_in": (lambda d: {"pk": d["candidate"].pk}, _everyone(405)),
    "certification:invigilator_logout": (None, _everyone(405)),
    # A link that does not open (here a made-up token) sends anyone back to the door.
    "certification:invigilator_link": (lambda d: {"token": "A" * 59}, _everyone(302)),
    # « Lien d'accès surveillant »: POST only, for the session's centre.
    "certification:invigilator_link_create": (_session, _only((), otherwise=405)),
    "admissions_sync:import_list": (None, _only(ADMISSIONS)),
    "admissions_sync:import_upload": (None, _only(ADMISSIONS)),
    "admissions_sync:import_detail": (lambda d: {"pk": d["parcoursup_run"].pk}, _only(ADMISSIONS)),
    # POST only: the method is checked first.
    "admissions_sync:import_confirm": (
        lambda d: {"pk": d["parcoursup_run"].pk},
        _only((), otherwise=405),
    ),
    "admissions_sync:import_abandon": (
        lambda d: {"pk": d["parcoursup_run"].pk},
        _only((), otherwise=405),
    ),
    "admissions_sync:applicant_list": (None, _only(ADMISSIONS)),
    "admissions_sync:applicant_detail": (lambda d: {"pk": d["applicant"].pk}, _only(ADMISSIONS)),
    "admissions_sync:export_report": (None, _only(ADMISSIONS)),
    "admissions_sync:export_download": (None, _only(ADMISSIONS)),
    # The applicant's pages (no staff account): the session's applicant only, whoever is
    # logged in; without an open link, back to « Recevoir mon lien ».
    "admissions_sync:preregistration_request": (None, _everyone(200)),
    "admissions_sync:preregistration_home": (None, _applicant_only(200)),
    "admissions_sync:preregistration_step": (lambda d: {"step": "contact"}, _applicant_only(200)),
    "admissions_sync:preregistration_error": (None, _applicant_only(200)),
    "admissions_sync:preregistration_document": (lambda d: {"kind": "photo"}, _applicant_only(405)),
    "admissions_sync:preregistration_document_file": (
        lambda d: {"kind": "photo"},
        _applicant_only(200),
    ),
    "admissions_sync:preregistration_summary": (None, _applicant_only(200)),
    "admissions_sync:preregistration_submit": (None, _applicant_only(405)),
    "admissions_sync:preregistration_pdf": (None, _applicant_only(200)),
    "admissions_sync:preregistration_logout": (None, _everyone(405)),
    # The registration desk.
    "admissions_sync:desk_dashboard": (None, _only(ADMISSIONS)),
    "admissions_sync:desk_search": (None, _only(ADMISSIONS)),
    "admissions_sync:desk_file": (_applicant, _only(ADMISSIONS)),
    "admissions_sync:desk_return": (_applicant, _only(ADMISSIONS)),
    "admissions_sync:desk_payment": (_applicant, _only(ADMISSIONS)),
    "admissions_sync:desk_validate": (_applicant, _only(ADMISSIONS)),
    "admissions_sync:desk_cancel": (_applicant, _only(ADMISSIONS)),
    "admissions_sync:desk_correct": (
        lambda d: {"pk": d["applicant"].pk, "step": "contact"},
        _only(ADMISSIONS),
    ),
    "admissions_sync:desk_document": (_applicant_document, _only(ADMISSIONS)),
    "admissions_sync:desk_document_review": (_applicant_document, _only((), otherwise=405)),
    # Nothing paid nor validated yet: no receipt, no certificate.
    "admissions_sync:desk_receipt": (_applicant, _only(ADMISSIONS, otherwise=403) | _none(404)),
    "admissions_sync:desk_certificate": (
        _applicant,
        _only(ADMISSIONS, otherwise=403) | _none(404),
    ),
    "admissions_sync:links_send": (None, _only(ADMISSIONS)),
    "admissions_sync:link_resend": (_applicant, _only((), otherwise=405)),
    "admissions_sync:link_revoke": (_applicant, _only((), otherwise=405)),
    "placements:cohort_list": (None, _only(COORDINATORS)),
    "placements:cohort_create": (None, _only(COORDINATORS)),
    "placements:cohort_detail": (lambda d: {"pk": d["cohort_course"].cohort_id}, _coordinator()),
    "placements:cohort_course_add": (
        lambda d: {"pk": d["cohort_course"].cohort_id},
        _coordinator(),
    ),
    "placements:course_setup": (_cohort_course, _coordinator()),
    "placements:enrollments": (_cohort_course, _coordinator()),
    "placements:enrollments_upload": (_cohort_course, _coordinator()),
    "placements:enrollments_search": (_cohort_course, _coordinator()),
    "placements:enrollment_fictitious_add": (
        _cohort_course,
        {**_only((), otherwise=403), **dict.fromkeys(COORDINATORS, 405)},
    ),
    "placements:enrollment_replace": (
        lambda d: {"pk": d["fictitious_enrollment"].pk},
        _coordinator(),
    ),
    "placements:preferences": (lambda d: {"pk": d["placement_enrollment"].pk}, _coordinator()),
    "placements:preferences_bulk": (_cohort_course, _coordinator()),
    "placements:worksheet": (_group, _coordinator()),
    "placements:place_create": (_group, _coordinator()),
    "placements:destination_search": (_group, _coordinator()),
    # The group worksheet has a place made from scratch: copying is offered on the empty
    # individual one (the group one sends back to its worksheet).
    "placements:worksheet_copy": (
        lambda d: {"pk": d["cohort_course"].pk, "kind": "individual"},
        _coordinator(),
    ),
    "placements:place_update": (_request, _coordinator()),
    "placements:place_copy": (_request, _only((), otherwise=405)),
    "placements:place_delete": (_request, _coordinator()),
    "placements:request_detail": (_request, _coordinator()),
    "placements:outbox": (_cohort_course, _coordinator()),
    "placements:assignments": (_group, _coordinator()),
    # Agencies are not a program's: every coordinator reads them; only who may add them
    # (the administrator) imports them.
    "placements:print_queue": (None, _only(COORDINATORS)),
    "placements:report_preview": (lambda d: {"pk": d["print_report"].pk}, _coordinator()),
    "placements:report_email": (lambda d: {"pk": d["print_report"].pk}, _coordinator()),
    "placements:report_delivered": (
        lambda d: {"pk": d["print_report"].pk},
        _only((), otherwise=405),
    ),
    "placements:report_retry": (
        lambda d: {"pk": d["print_report"].pk},
        _only((), otherwise=405),
    ),
    "placements:contact_update": (lambda d: {"pk": d["contact"].pk}, _only(COORDINATORS)),
    "placements:pending_answers": (None, _only(COORDINATORS)),
    "placements:received_list": (None, _only(RECEIVERS)),
    "placements:received_detail": (
        lambda d: {"pk": d["received_request"].pk},
        {**_only(RECEIVERS), "other_agency_receiver": 404},
    ),
    "placements:capacity_report": (None, _only(COORDINATORS)),
    "placements:matching": (_group, _coordinator()),
    "placements:assignments_edit": (_group, _coordinator()),
    "placements:request_resize": (_request, _coordinator()),
    "placements:request_teacher": (_request, _only((), otherwise=405)),
    "placements:outbox_send": (_cohort_course, _coordinator(302)),
    "placements:outbox_cancel": (_cohort_course, _coordinator(302)),
    "placements:agency_list": (None, _only(COORDINATORS)),
    "placements:agency_detail": (lambda d: {"pk": d["agency"].pk}, _only(COORDINATORS)),
    "placements:agency_import": (None, _only(("admin",))),
    "placements:agency_import_template": (lambda d: {"extension": "xlsx"}, _only(("admin",))),
    # POST-only endpoints answer 405 to a GET; the language switch is public (login page).
    "registrar:set_language": (None, _everyone(405)),
    "registrar:set_working_term": (None, _only((), otherwise=405)),
    "login": (None, {**dict.fromkeys(STAFF, 302), "anonymous": 200}),
    "logout": (None, _only((), otherwise=405)),
    "password_change": (None, _only(STAFF)),
    "password_change_done": (None, _only(STAFF)),
    "password_reset": (None, _everyone(200)),
    "password_reset_done": (None, _everyone(200)),
    "password_reset_confirm": (
        lambda d: {"uidb64": d["uid"], "token": "bad-token"},
        _everyone(200),
    ),
    "password_reset_complete": (None, _everyone(200)),
    "registrar:favicon": (None, _everyone(301)),
    # The load balancer's checks: public; not ready in the walk, no worker beats there.
    "healthz": (None, _everyone(200)),
    "readyz": (None, _everyone(503)),
    # Last: a link that does not open ends the applicant's session (the pages above need it).
    "admissions_sync:preregistration_link": (lambda d: {"token": "x" * 10}, _everyone(302)),
}


def _named_patterns(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the Django admin has its own checks (test_admin_needs_staff)
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def test_every_url_has_an_expectation():
    names = set(_named_patterns())
    assert names - EXPECTED.keys() == set(), "add these URLs to EXPECTED"
    assert EXPECTED.keys() - names == set(), "these URLs no longer exist"


@pytest.fixture
def data(
    db,
    registrar_staff,
    centre_staff,
    other_centre_staff,
    placement_coordinator,
    other_program_coordinator,
    receiving_coordinator,
    other_agency_receiver,
):
    TermFactory(code="H-2018")
    CourseFactory()
    admission = AdmissionFactory()
    group = CourseGroupFactory(term=TermFactory(code="H-2018"))
    operation = BatchOperation.objects.create(
        created_by=registrar_staff,
        term=group.term,
        course=group.course,
        group=group,
        status=BatchOperation.Status.SIMULATED,
    )
    now = timezone.now()
    run = BatchRun.objects.create(
        operation=operation,
        kind=BatchRun.Kind.SIMULATION,
        status=BatchRun.Status.DONE,
        run_by=registrar_staff,
        started_at=now,
        finished_at=now,
    )
    certification_session = CertificationSessionFactory(
        center=CertificationCenterFactory(staff=[centre_staff])
    )
    CertificationCenterFactory(staff=[other_centre_staff])  # their own centre, not this one
    pro_session = CertificationSessionFactory(
        center=CertificationCenterFactory(type="PRO", staff=[centre_staff])
    )
    job = Job.objects.create(
        kind="certification.attendance_sheet",
        status=Job.Status.DONE,
        target_type=ContentType.objects.get_for_model(certification_session),
        target_id=certification_session.pk,
        requested_by=centre_staff,
        file=default_storage.save("jobs/walk/feuille.pdf", ContentFile(b"%PDF-1.7 walk")),
        result_name="feuille-emargement.pdf",
        result_type="application/pdf",
    )
    nursing = ProgramFactory(code="180.A0", title="Soins infirmiers")
    ProgramCoordinatorFactory(program=nursing, user=placement_coordinator)
    ProgramCoordinatorFactory(
        program=ProgramFactory(code="141.A0", title="Techniques d'inhalothérapie"),
        user=other_program_coordinator,
    )
    cohort_course = CohortCourseFactory(cohort=CohortFactory(program=nursing))
    # The receiving side: receiving_coordinator answers for the agency of a sent request;
    # other_agency_receiver for another agency.
    received = PlacementRequestFactory(
        worksheet=WorksheetFactory(cohort_course=cohort_course),
        site=SiteFactory(agency=AgencyFactory(name="CISSS connecté", uses_system=True)),
        service=None,
        status="sent",
    )
    ReceivingCoordinatorFactory(agency=received.agency, user=receiving_coordinator)
    ReceivingCoordinatorFactory(
        agency=AgencyFactory(name="Autre organisme", uses_system=True), user=other_agency_receiver
    )
    sent_pdf = PlacementRequestFactory(
        worksheet=WorksheetFactory(cohort_course=cohort_course), status="sent_pdf"
    )
    report = PrintReportFactory(
        batch=SendBatchFactory(cohort_course=cohort_course, created_by=placement_coordinator),
        agency=sent_pdf.agency,
        requests=[sent_pdf],
    )
    report.file.save(report.filename, ContentFile(b"%PDF-1.7 walk"), save=True)
    parcoursup_run = import_rows(FormationFactory(), export_rows(3))
    applicant = Applicant.objects.filter(first_import=parcoursup_run).first()
    document = ApplicantDocument(
        preregistration=Preregistration.objects.create(
            applicant=applicant, status=Preregistration.Status.SUBMITTED
        ),
        kind=ApplicantDocument.Kind.PHOTO,
        original_name="photo.png",
        content_type="image/png",
        size=len(PNG),
        checksum="0" * 64,
        uploaded_at=timezone.now(),
    )
    document.file.save("photo.png", ContentFile(PNG), save=False)
    document.save()
    return {
        "parcoursup_run": parcoursup_run,
        "applicant": applicant,
        "applicant_document": document,
        "received_request": received,
        "print_report": report,
        "contact": ContactFactory(agency=sent_pdf.agency),
        "cohort_course": cohort_course,
        "placement_enrollment": CohortEnrollmentFactory(cohort_course=cohort_course),
        "fictitious_enrollment": CohortEnrollmentFactory(
            cohort_course=cohort_course, student=None, fictitious_number=1
        ),
        "placement_request": PlacementRequestFactory(
            worksheet=WorksheetFactory(cohort_course=cohort_course)
        ),
        "agency": AgencyFactory(),
        "job": job,
        "pro_session": pro_session,
        "certification_session": certification_session,
        "candidate": CandidateFactory(session=certification_session),
        "operation": operation,
        "run": run,
        "student": admission.student,
        "record": (record := TermRecordFactory(admission=admission)),
        "enrollment": CourseEnrollmentFactory(term_record=record),
        "uid": urlsafe_base64_encode(force_bytes(registrar_staff.pk)),
    }


@pytest.fixture
def applicant():
    """The « applicant » persona: no staff account, a pre-registration link opened in the
    client's session (its expectations default to the anonymous visitor's)."""
    return APPLICANT


@pytest.mark.parametrize("persona", (*ALL, APPLICANT), indirect=True)
def test_every_url_answers_each_persona_as_expected(persona, data, request):
    client = Client()
    if persona == APPLICANT:
        open_applicant_session(client, data["applicant"])
        name_of_persona = APPLICANT
    elif persona is not None:
        client.force_login(persona)
        name_of_persona = persona.username
    else:
        name_of_persona = "anonymous"
    failures = []
    for name, (kwargs_builder, expected_by_persona) in EXPECTED.items():
        url = reverse(name, kwargs=kwargs_builder(data) if kwargs_builder else None)
        if name_of_persona == APPLICANT:
            expected = expected_by_persona.get(APPLICANT, expected_by_persona["anonymous"])
        else:
            expected = expected_by_persona[name_of_persona]
        response = client.get(url)
        if expected == LOGIN:
            ok = response.status_code == 302 and response.url.startswith(reverse("login"))
        else:
            ok = response.status_code == expected
        if not ok:
            failures.append(f"{url}: expected {expected}, got {response.status_code}")
    assert failures == []


def test_admin_needs_staff(client, registrar_staff, admin):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response.url
    client.force_login(registrar_staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response.url
    client.force_login(admin)
    assert "Données de référence" in client.get(reverse("admin:index")).content.decode()


def test_password_reset_link_works_end_to_end(client, registrar_staff, mailoutbox):
    client.post(reverse("password_reset"), {"email": registrar_staff.email})
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "réinitialisation" in mailoutbox[0].subject
    link = next(line for line in body.splitlines() if "/compte/reinitialisation/" in line).strip()
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert "Nouveau mot de passe" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "Une-phrase-solide-42", "new_password2": "Une-phrase-solide-42"},
        follow=True,
    )
    assert "Votre mot de passe a été enregistré" in response.content.decode()
    registrar_staff.refresh_from_db()
    assert registrar_staff.check_password("Une-phrase-solide-42")
    assert default_token_generator  # the token generator Django used
