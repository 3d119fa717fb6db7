"""« Inscriptions pour ce cours » (the guide's step 2) and the « Action » menu (step 3)."""

import io
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.models import (
    Assignment,
    CohortEnrollment,
    PlacementRequest,
    Preference,
    RequestEvent,
    Worksheet,
)
from placements.services import enrollments as services
from tests.factories import (
    CohortCourseFactory,
    CohortEnrollmentFactory,
    CohortFactory,
    PlacementRequestFactory,
    ServiceFactory,
    StudentFactory,
    TermFactory,
    WorksheetFactory,
)

pytestmark = pytest.mark.django_db


def url(name, pk):
    return reverse(f"placements:{name}", args=[pk])


def enrol(course, **kwargs):
    return CohortEnrollmentFactory(cohort_course=course, **kwargs)


def assign(enrollment, user):
    request = PlacementRequestFactory(
        worksheet=WorksheetFactory(cohort_course=enrollment.cohort_course, kind="group")
    )
    return Assignment.objects.create(request=request, enrollment=enrollment, assigned_by=user)


def prefer(enrollment, rank, service):
    return Preference.objects.create(
        enrollment=enrollment,
        rank=rank,
        agency=service.site.agency,
        site=service.site,
        service=service,
    )


def text(response):
    return unescape(response.content.decode())


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def post_action(client, course, action, enrollments, **extra):
    data = {"action": action, "enrollment": [str(e.pk) for e in enrollments], **extra}
    return client.post(url("enrollments", course.pk), data, follow=True)


# --------------------------------------------------------------------------------------
# The list
# --------------------------------------------------------------------------------------


def test_list_shows_students_fictitious_preferences_and_action_column(world, coordinator_client):
    course = world.course
    student = StudentFactory(last_name="Leblanc", first_name="Lise", da_number="1234567")
    enrollment = enrol(course, student=student)
    service = ServiceFactory(name="Urgence", site__name="Hôpital Pierre-Boucher")
    prefer(enrollment, 1, service)
    enrollment.worksheet = WorksheetFactory(cohort_course=course, kind="individual")
    enrollment.save()
    CohortEnrollment.objects.create(
        cohort_course=course, fictitious_number=1, added_by=world.course.cohort.created_by
    )

    response = coordinator_client.get(url("enrollments", course.pk))

    html = text(response)
    assert "Inscriptions pour ce cours" in html
    assert "123-4567" in html and "Leblanc" in html and "Lise" in html
    assert "Étudiant fictif 1" in html
    assert f"1. {service.site.agency} / Hôpital Pierre-Boucher / Urgence" in html
    assert ">Indiv<" in html
    assert "Inscrit" in html
    for label in (
        "Téléverser un fichier d'étudiants pour cette cohorte",
        "Chercher l'étudiant à inscrire",
        "Ajouter un étudiant fictif",
        "Tout modifier",
        "Retirer de cette cohorte (tous cours non-affectés)",
        "Dispenser (de ce cours seulement)",
        "Inscrire les étudiants dans une autre cohorte",
        "Copier à la fiche de groupe",
        "Copier à la fiche de stage individuel",
        "Copier les préférences à une fiche de stage individuel et affecter",
        "Soumettre",
    ):
        assert label in html, label
    assert url("preferences", enrollment.pk) in html
    assert url("preferences_bulk", course.pk) in html


def test_another_programs_course_answers_404(world, coordinator_client):
    assert coordinator_client.get(url("enrollments", world.other_course.pk)).status_code == 404
    other = enrol(world.other_course)
    assert coordinator_client.get(url("preferences", other.pk)).status_code == 404
    assert (
        coordinator_client.get(url("enrollments_upload", world.other_course.pk)).status_code == 404
    )


def _queries(client, course, count):
    services_ = [ServiceFactory() for _ in range(3)]
    for _ in range(count):
        enrollment = enrol(course)
        prefer(enrollment, 1, services_[0])
        prefer(enrollment, 2, services_[1])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("enrollments", course.pk))
    assert response.status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_the_rows(world, coordinator_client):
    small = _queries(coordinator_client, world.course, 10)
    big_course = CohortCourseFactory(cohort=world.course.cohort)
    big = _queries(coordinator_client, big_course, 300)
    assert small == big


# --------------------------------------------------------------------------------------
# The « Action » menu: bad input
# --------------------------------------------------------------------------------------


def test_no_box_ticked_says_so_and_writes_nothing(world, coordinator_client):
    enrol(world.course)
    response = post_action(coordinator_client, world.course, "copy_group", [])
    assert "Cochez au moins un étudiant." in text(response)
    assert not Worksheet.objects.exists()
    assert CohortEnrollment.objects.get().worksheet is None


def test_forged_ids_answer_404_and_change_nothing(world, coordinator_client):
    mine = enrol(world.course)
    theirs = enrol(world.other_course)
    endpoint = url("enrollments", world.course.pk)
    forged = coordinator_client.post(
        endpoint, {"action": "exempt", "enrollment": [str(mine.pk), str(theirs.pk)]}
    )
    assert forged.status_code == 404
    unicode_digits = coordinator_client.post(endpoint, {"action": "exempt", "enrollment": ["١٢"]})
    assert unicode_digits.status_code == 404
    huge = coordinator_client.post(endpoint, {"action": "exempt", "enrollment": ["9" * 40]})
    assert huge.status_code == 404
    assert set(CohortEnrollment.objects.values_list("status", flat=True)) == {"enrolled"}


def test_enrol_elsewhere_needs_a_cohort(world, coordinator_client):
    enrollment = enrol(world.course)
    response = post_action(coordinator_client, world.course, "enroll_elsewhere", [enrollment])
    html = text(response)
    assert "Vous n'avez aucune autre cohorte." in html
    # Another program's cohort is not offered: naming it is no choice at all.
    other_cohort = world.other_course.cohort
    response = post_action(
        coordinator_client,
        world.course,
        "enroll_elsewhere",
        [enrollment],
        cohort=str(other_cohort.pk),
    )
    assert "Sélectionnez un choix valide" in text(response) or (
        "aucune autre cohorte" in text(response)
    )
    assert CohortEnrollment.objects.count() == 1


def test_a_readonly_persona_may_not_post(world, readonly_staff, client):
    client.force_login(readonly_staff)
    response = client.post(url("enrollments", world.course.pk), {"action": "exempt"})
    assert response.status_code in (403, 404)


# --------------------------------------------------------------------------------------
# The « Action » menu: what each does
# --------------------------------------------------------------------------------------


def test_fictitious_students_are_numbered(world, coordinator_client):
    endpoint = url("enrollment_fictitious_add", world.course.pk)
    coordinator_client.post(endpoint)
    response = coordinator_client.post(endpoint, follow=True)
    assert "Étudiant fictif 2 ajouté." in messages_of(response)
    assert list(
        CohortEnrollment.objects.order_by("pk").values_list("fictitious_number", flat=True)
    ) == [1, 2]
    assert coordinator_client.get(endpoint).status_code == 405


def test_withdraw_removes_every_unassigned_course_of_the_cohort(
    world, coordinator_client, placement_coordinator
):
    course = world.course
    second = CohortCourseFactory(cohort=course.cohort)
    third = CohortCourseFactory(cohort=course.cohort)
    other_cohort_course = CohortCourseFactory(cohort=CohortFactory(program=course.cohort.program))
    student = StudentFactory()
    here = enrol(course, student=student)
    prefer(here, 1, ServiceFactory())
    enrol(second, student=student)
    kept = enrol(third, student=student)
    assign(kept, placement_coordinator)
    elsewhere = enrol(other_cohort_course, student=student)
    assigned_here = enrol(course)
    assign(assigned_here, placement_coordinator)

    response = post_action(coordinator_client, course, "withdraw", [here, assigned_here])

    remaining = set(CohortEnrollment.objects.values_list("pk", flat=True))
    assert here.pk not in remaining
    assert not CohortEnrollment.objects.filter(cohort_course=second).exists()
    assert {kept.pk, elsewhere.pk, assigned_here.pk} <= remaining
    assert not Preference.objects.exists()
    shown = " ".join(messages_of(response))
    assert "1 étudiant retiré de cette cohorte." in shown
    assert "déjà affecté à une place" in shown
    assert str(assigned_here) in shown


def test_exempt_this_course_only_and_never_an_assigned_student(
    world, coordinator_client, placement_coordinator
):
    free = enrol(world.course)
    assigned = enrol(world.course)
    assign(assigned, placement_coordinator)
    response = post_action(coordinator_client, world.course, "exempt", [free, assigned])
    free.refresh_from_db()
    assigned.refresh_from_db()
    assert free.status == "exempted"
    assert assigned.status == "enrolled"
    shown = messages_of(response)
    assert "1 étudiant dispensé de ce cours." in shown
    assert f"{assigned} : déjà affecté à une place." in shown
    assert "Dispensé" in text(response)


def test_enrol_in_another_cohort(world, coordinator_client, placement_coordinator):
    target = CohortFactory(program=world.course.cohort.program, name="Cohorte suivante")
    first, second = CohortCourseFactory(cohort=target), CohortCourseFactory(cohort=target)
    student = StudentFactory()
    real = enrol(world.course, student=student)
    enrol(first, student=student)
    fictitious = CohortEnrollment.objects.create(
        cohort_course=world.course, fictitious_number=1, added_by=placement_coordinator
    )
    response = post_action(
        coordinator_client,
        world.course,
        "enroll_elsewhere",
        [real, fictitious],
        cohort=str(target.pk),
    )
    assert CohortEnrollment.objects.filter(cohort_course=second, student=student).exists()
    assert CohortEnrollment.objects.filter(cohort_course=first, student=student).count() == 1
    assert CohortEnrollment.objects.filter(pk=real.pk).exists()
    shown = messages_of(response)
    assert "1 étudiant inscrit dans la cohorte « Cohorte suivante »." in shown
    assert "Étudiant fictif 1 : un étudiant fictif ne peut pas changer de cohorte." in shown


def test_copy_to_the_group_worksheet(world, coordinator_client, placement_coordinator):
    copied = enrol(world.course)
    assigned = enrol(world.course)
    assign(assigned, placement_coordinator)
    response = post_action(coordinator_client, world.course, "copy_group", [copied, assigned])
    copied.refresh_from_db()
    assert copied.worksheet.kind == Worksheet.Kind.GROUP
    assert copied.worksheet.cohort_course == world.course
    assert ">Grp<" in text(response)
    assert f"{assigned} : déjà affecté à une place." in messages_of(response)


def test_copy_preferences_and_assign(world, coordinator_client, placement_coordinator):
    course = world.course
    course.default_comment = "Stage de fin d'études"
    course.save()
    inactive = ServiceFactory(is_active=False)
    usable = ServiceFactory()
    with_pref = enrol(course)
    prefer(with_pref, 1, inactive)
    prefer(with_pref, 2, usable)
    only_inactive = enrol(course)
    prefer(only_inactive, 1, inactive)
    none = enrol(course)

    response = post_action(
        coordinator_client, course, "copy_preferences", [with_pref, only_inactive, none]
    )

    request = PlacementRequest.objects.get()
    assert (request.agency, request.site, request.service) == (
        usable.site.agency,
        usable.site,
        usable,
    )
    assert request.status == PlacementRequest.Status.NEW
    assert request.origin == PlacementRequest.Origin.PREFERENCE
    assert request.group_size == 1
    assert request.comment == "Stage de fin d'études"
    assert request.shift_code == course.shift_code and request.start_date == course.start_date
    assert request.worksheet.kind == Worksheet.Kind.INDIVIDUAL
    assert list(
        RequestEvent.objects.filter(request=request).values_list("from_status", "to_status")
    ) == [("", "planned"), ("planned", "new")]
    assignment = Assignment.objects.get()
    assert assignment.enrollment == with_pref and assignment.status == "temporary"
    with_pref.refresh_from_db()
    assert with_pref.worksheet == request.worksheet
    shown = " ".join(messages_of(response))
    assert "1 demande créée" in shown
    assert f"{only_inactive} : aucune préférence dont l'organisme" in shown
    assert f"{none} : aucune préférence." in shown
    assert ">Indiv<" in text(response)


def test_copy_preferences_twice_assigns_once(world, placement_coordinator):
    enrollment = enrol(world.course)
    prefer(enrollment, 1, ServiceFactory())
    services.enrollments_copy_preferences_and_assign(
        actor=placement_coordinator, enrollments=[enrollment]
    )
    outcome = services.enrollments_copy_preferences_and_assign(
        actor=placement_coordinator, enrollments=[enrollment]
    )
    assert outcome.done == []
    assert outcome.refused == [(str(enrollment), "déjà affecté à une place")]
    assert PlacementRequest.objects.count() == 1


# --------------------------------------------------------------------------------------
# Search, replace
# --------------------------------------------------------------------------------------


def test_search_and_enrol(world, coordinator_client):
    wanted = StudentFactory(last_name="Zénon", first_name="Aline")
    already = StudentFactory(last_name="Zénon", first_name="Bruno")
    enrol(world.course, student=already)
    endpoint = url("enrollments_search", world.course.pk)
    page = coordinator_client.get(endpoint, {"field": "last_name", "q": "zenon"})
    html = text(page)
    assert "Aline" in html and "Déjà inscrit" in html
    assert f'value="{wanted.pk}"' in html
    response = coordinator_client.post(endpoint, {"student": [str(wanted.pk)]}, follow=True)
    assert "1 étudiant inscrit à ce cours." in messages_of(response)
    assert CohortEnrollment.objects.filter(cohort_course=world.course, student=wanted).exists()


def test_search_bad_input(world, coordinator_client):
    endpoint = url("enrollments_search", world.course.pk)
    page = coordinator_client.get(endpoint, {"field": "da_number", "q": "abc"})
    assert page.status_code == 200
    assert "ne contient que des chiffres" in text(page)
    nothing = coordinator_client.post(endpoint, {}, follow=True)
    assert "Cochez au moins un étudiant." in messages_of(nothing)
    assert coordinator_client.post(endpoint, {"student": ["999999"]}).status_code == 404
    assert coordinator_client.post(endpoint, {"student": ["٣"]}).status_code == 404
    assert not CohortEnrollment.objects.exists()


def test_replace_fictitious_keeps_preferences_and_copy(
    world, coordinator_client, placement_coordinator
):
    fictitious = CohortEnrollment.objects.create(
        cohort_course=world.course, fictitious_number=1, added_by=placement_coordinator
    )
    prefer(fictitious, 1, ServiceFactory())
    fictitious.worksheet = WorksheetFactory(cohort_course=world.course)
    fictitious.save()
    student = StudentFactory(last_name="Réel")
    endpoint = url("enrollment_replace", fictitious.pk)
    assert "Remplacer Étudiant fictif 1" in text(coordinator_client.get(endpoint))
    response = coordinator_client.post(endpoint, {"student": str(student.pk)}, follow=True)
    fictitious.refresh_from_db()
    assert fictitious.student == student and fictitious.fictitious_number is None
    assert fictitious.preferences.count() == 1 and fictitious.worksheet is not None
    assert "Étudiant fictif 1 est remplacé par" in " ".join(messages_of(response))


def test_replace_refuses_a_student_already_enrolled(
    world, coordinator_client, placement_coordinator
):
    student = StudentFactory()
    enrol(world.course, student=student)
    fictitious = CohortEnrollment.objects.create(
        cohort_course=world.course, fictitious_number=1, added_by=placement_coordinator
    )
    endpoint = url("enrollment_replace", fictitious.pk)
    response = coordinator_client.post(endpoint, {"student": str(student.pk)}, follow=True)
    assert "est déjà inscrit à ce cours." in " ".join(messages_of(response))
    fictitious.refresh_from_db()
    assert fictitious.is_fictitious
    assert coordinator_client.post(endpoint, {"student": "x"}).status_code == 302
    real = enrol(world.course)
    assert coordinator_client.get(url("enrollment_replace", real.pk)).status_code == 302
    other = enrol(world.other_course)
    assert coordinator_client.get(url("enrollment_replace", other.pk)).status_code == 404


# --------------------------------------------------------------------------------------
# Upload
# --------------------------------------------------------------------------------------


def upload(client, course, name, content):
    file = io.BytesIO(content)
    file.name = name
    return client.post(url("enrollments_upload", course.pk), {"file": file})


def test_upload_previews_every_line_then_enrols_on_confirmation(world, coordinator_client):
    known = StudentFactory(da_number="1111111", last_name="Connue")
    already = StudentFactory(da_number="2222222")
    enrol(world.course, student=already)
    content = "DA;Nom\n111-1111;Connue\n9999999;Inconnu\n1111111;Doublon\n2222222;Déjà\n"
    response = upload(coordinator_client, world.course, "liste.csv", content.encode())
    html = text(response)
    assert "Ligne 3" in html and "Numéro DA 999-9999 inconnu." in html
    assert "Doublon de la ligne 2." in html
    assert "Déjà inscrit à ce cours." in html
    assert "Inscrire l'étudiant reconnu" in html
    assert CohortEnrollment.objects.count() == 1  # nothing added before the confirmation

    token = response.context["token"]
    done = coordinator_client.post(
        url("enrollments_upload", world.course.pk), {"token": token}, follow=True
    )
    assert "1 étudiant inscrit à ce cours." in messages_of(done)
    assert CohortEnrollment.objects.filter(cohort_course=world.course, student=known).exists()
    # The same confirmation again enrols nobody twice.
    again = coordinator_client.post(
        url("enrollments_upload", world.course.pk), {"token": token}, follow=True
    )
    assert "déjà inscrit à ce cours" in " ".join(messages_of(again))
    assert CohortEnrollment.objects.count() == 2


def test_upload_can_enrol_in_the_cohorts_later_courses_too(world, coordinator_client):
    """Students joining the cohort now: « Inscrire aussi aux cours suivants de la cohorte »
    enrols them in the courses of the later terms, never in an earlier one."""
    cohort = world.course.cohort  # world.course is in H-2027
    earlier = CohortCourseFactory(cohort=cohort, term=TermFactory(code="A-2026"))
    later = CohortCourseFactory(cohort=cohort, term=TermFactory(code="A-2027"))
    newcomer = StudentFactory(da_number="3333333")
    returning = StudentFactory(da_number="4444444")
    enrol(world.course, student=returning)  # already here, not yet in the later course
    response = upload(coordinator_client, world.course, "liste.csv", b"3333333\n4444444\n")
    assert f"{later.course.number} (A-2027)" in text(response)
    assert f"{earlier.course.number} (A-2026)" not in text(response)
    done = coordinator_client.post(
        url("enrollments_upload", world.course.pk),
        {"token": response.context["token"], "later_courses_too": "on"},
        follow=True,
    )
    said = " ".join(messages_of(done))
    assert "1 étudiant inscrit à ce cours." in said
    assert "1 inscription ajoutée aux cours suivants de la cohorte." in said
    in_later = CohortEnrollment.objects.filter(cohort_course=later)
    assert set(in_later.values_list("student_id", flat=True)) == {newcomer.pk}
    assert not CohortEnrollment.objects.filter(cohort_course=earlier).exists()
    # A student already in this course still joins the later courses they miss.
    outcome = services.enrollments_add(
        actor=world.course.cohort.created_by,
        cohort_course=world.course,
        students=[returning],
        later_courses_too=True,
    )
    assert outcome.refused and not outcome.done and outcome.also == 1
    assert in_later.filter(student=returning).exists()


def test_upload_refuses_a_word_file_and_says_which_formats_work(world, coordinator_client):
    response = upload(coordinator_client, world.course, "liste.docx", b"PK\x03\x04whatever")
    html = text(response)
    assert "(.xlsx)" in html and "(.ods)" in html and "(.csv)" in html
    assert "Inscrire les" not in html


def test_upload_of_a_lying_or_huge_file_gets_the_readers_message(world, coordinator_client):
    lying = upload(coordinator_client, world.course, "liste.xlsx", b"not a zip at all")
    assert lying.status_code == 200
    assert "n'est pas un tableur lisible" in text(lying)
    huge = upload(coordinator_client, world.course, "liste.csv", b"1234567\n" * 700_000)
    assert huge.status_code == 200
    assert "Mo au plus" in text(huge)
    missing = coordinator_client.post(url("enrollments_upload", world.course.pk), {})
    assert "Choisissez un fichier." in text(missing)
    empty = upload(coordinator_client, world.course, "liste.csv", b"")
    assert "Le fichier est vide" in text(empty)
    garbage = upload(coordinator_client, world.course, "liste.csv", bytes(range(256)) * 50)
    assert garbage.status_code == 200
    assert "Inscrire les" not in text(garbage)
    fake_ods = upload(coordinator_client, world.course, "liste.ods", b"PK\x03\x04" + b"0" * 100)
    assert fake_ods.status_code == 200 and "Inscrire les" not in text(fake_ods)
    assert not CohortEnrollment.objects.exists()


def test_a_forged_or_foreign_confirmation_is_refused(world, coordinator_client):
    from placements.forms.enrollments import sign_upload

    student = StudentFactory()
    endpoint = url("enrollments_upload", world.course.pk)
    forged = coordinator_client.post(endpoint, {"token": "abc:def"})
    assert "La confirmation a expiré" in text(forged)
    foreign = coordinator_client.post(
        endpoint, {"token": sign_upload(world.other_course.pk, [student.pk])}
    )
    assert "La confirmation a expiré" in text(foreign)
    assert not CohortEnrollment.objects.exists()


# --------------------------------------------------------------------------------------
# Hostile input on every page of the area: a French message or a 404, never a 500
# --------------------------------------------------------------------------------------

HOSTILE = ["²", "١٢", "１２", "-1", "9" * 25, "1e400", "nan", "x" * 20_000, "a\x00b", ""]
PARAMETERS = (
    "enrollment",
    "action",
    "cohort",
    "student",
    "token",
    "q",
    "field",
    "page",
    "rows-TOTAL",
    "rows-0-enrollment",
    "rows-0-r1-agency",
    "rows-0-r1-site",
    "p1-agency",
    "p1-site",
    "p1-service",
)


def test_hostile_values_never_break_a_page(world, coordinator_client, placement_coordinator):
    enrollment = enrol(world.course)
    fictitious = CohortEnrollment.objects.create(
        cohort_course=world.course, fictitious_number=1, added_by=placement_coordinator
    )
    pages = [
        url("enrollments", world.course.pk),
        url("enrollments_upload", world.course.pk),
        url("enrollments_search", world.course.pk),
        url("enrollment_replace", fictitious.pk),
        url("preferences", enrollment.pk),
        url("preferences_bulk", world.course.pk),
    ]
    for page in pages:
        for value in HOSTILE:
            data = dict.fromkeys(PARAMETERS, value)
            got = coordinator_client.get(page, data)
            assert got.status_code in (200, 302, 404), (page, value, got.status_code)
            posted = coordinator_client.post(page, data)
            assert posted.status_code in (200, 302, 404), (page, value, posted.status_code)
    assert CohortEnrollment.objects.count() == 2
    assert not Preference.objects.exists()


def test_copy_preferences_queries_do_not_grow_with_the_students(world, placement_coordinator):
    def run(course, count):
        service = ServiceFactory()
        enrollments = []
        for _ in range(count):
            enrollment = enrol(course)
            prefer(enrollment, 1, service)
            enrollments.append(enrollment)
        with CaptureQueriesContext(connection) as queries:
            outcome = services.enrollments_copy_preferences_and_assign(
                actor=placement_coordinator, enrollments=enrollments
            )
        assert len(outcome.done) == count
        return len(queries)

    assert run(world.course, 3) == run(CohortCourseFactory(cohort=world.course.cohort), 60)


def test_fictitious_students_come_after_the_real_ones(world, coordinator_client):
    coordinator_client.post(url("enrollment_fictitious_add", world.course.pk))
    enrol(world.course, student=StudentFactory(last_name="Zz"))
    rows = coordinator_client.get(url("enrollments", world.course.pk)).context["rows"]
    assert [row.is_fictitious for row in rows] == [False, True]


def test_upload_an_xlsx_or_ods_by_code_permanent(world, coordinator_client):
    import openpyxl

    from registrar.tabular import ods_bytes

    by_code = StudentFactory()
    workbook = openpyxl.Workbook()
    workbook.active.append(["Code permanent", "Nom"])
    workbook.active.append([by_code.permanent_code, by_code.last_name])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(coordinator_client, world.course, "liste.xlsx", buffer.getvalue())
    html = text(response)
    assert "En-tête ignoré." in html
    assert f"{by_code.da_display} {by_code.full_name}" in html
    assert response.context["analysis"].student_ids == [by_code.pk]

    other = StudentFactory()
    content = ods_bytes([["DA"], [other.da_number]], sheet_name="Étudiants")
    response = upload(coordinator_client, world.course, "liste.ods", content)
    assert response.context["analysis"].student_ids == [other.pk]
    assert not CohortEnrollment.objects.exists()
