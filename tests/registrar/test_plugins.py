"""Apps plug in through registrar's registries (registrar/plugins.py): roles, URLs under their
own prefix and namespace, navigation, the student file's sections, the sign-in page's doors."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import resolve, reverse

from registrar import navigation, roles, student_file
from registrar.navigation import NavEntry
from registrar.student_file import FileSection
from tests.factories import StudentFactory


@pytest.mark.django_db
def test_sync_roles_sets_each_group_to_the_granted_union_and_is_idempotent():
    group = Group.objects.get(name=roles.CENTRE_STAFF.name)
    stray = Permission.objects.get(content_type__app_label="registrar", codename="add_student")
    group.permissions.add(stray)
    group.permissions.remove(
        Permission.objects.get(content_type__app_label="certification", codename="add_candidate")
    )
    out = StringIO()
    call_command("sync_roles", stdout=out)
    assert "Personnel de centre de certification: 10 permissions" in out.getvalue()
    held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert held == set(roles.CENTRE_STAFF.permissions)
    assert "certification.add_candidate" in held and "registrar.add_student" not in held
    before = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    call_command("sync_roles", stdout=StringIO())
    after = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    assert before == after


def test_each_role_gathers_the_grants_of_several_apps():
    staff = set(roles.REGISTRAR_STAFF.permissions)
    # registrar's own grant and the enrolment app's, through registrar.roles.grant.
    assert {"registrar.add_student", "enrollment.add_batchoperation"} <= staff
    assert "enrollment.add_batchoperation" not in roles.READONLY_STAFF.permissions
    assert "certification.view_candidate" in roles.CENTRE_STAFF.permissions


def test_a_grant_to_an_unknown_role_or_a_malformed_permission_is_refused():
    with pytest.raises(LookupError):
        roles.grant("nobody", "registrar.view_student")
    with pytest.raises(ValueError):
        roles.grant(roles.READONLY_STAFF.key, "view_student")


@pytest.mark.django_db
def test_sync_roles_refuses_a_permission_that_does_not_exist(monkeypatch):
    monkeypatch.setitem(roles._grants, roles.READONLY_STAFF.key, {"registrar.fly_student"})
    before = set(
        Group.objects.get(name=roles.READONLY_STAFF.name).permissions.values_list("pk", flat=True)
    )
    with pytest.raises(Exception, match=r"registrar\.fly_student"):
        call_command("sync_roles", stdout=StringIO())
    after = set(
        Group.objects.get(name=roles.READONLY_STAFF.name).permissions.values_list("pk", flat=True)
    )
    assert before == after  # nothing half-written


def test_app_urls_live_under_their_prefix_and_namespace():
    assert reverse("certification:session_list") == "/certification/"
    assert reverse("enrollment:operation_list") == "/inscriptions/operations/"
    assert reverse("enrollment:course_enrollment_update", args=[3]) == "/inscriptions/3/modifier/"
    assert reverse("registrar:student_file", args=[3]) == "/etudiants/3/"
    assert resolve("/inscriptions/grille-rac/").namespace == "enrollment"


@pytest.mark.parametrize(
    ("former", "now"),
    [
        ("/operations/", "/inscriptions/operations/"),
        ("/operations/inscription-en-lot/?x=1", "/inscriptions/operations/inscription-en-lot/?x=1"),
        ("/operations/12/selection/", "/inscriptions/operations/12/selection/"),
        ("/etudiants/7/dossiers-sessions/", "/inscriptions/etudiants/7/dossiers-sessions/"),
        ("/dossiers-sessions/5/modifier/", "/inscriptions/dossiers-sessions/5/modifier/"),
        ("/grille-rac/", "/inscriptions/grille-rac/"),
    ],
)
def test_the_enrolment_pages_former_paths_redirect_permanently(staff_client, former, now):
    response = staff_client.get(former)
    assert response.status_code == 301
    assert response["Location"] == now


@pytest.mark.django_db
def test_a_registered_section_joins_the_student_file_in_its_order(staff_client, monkeypatch):
    monkeypatch.setattr(student_file, "_sections", dict(student_file._sections))
    # An app's section whose URL is routed (here: registrar's own history page) and whose
    # permission the user holds appears between the sections of its order.
    student_file.register(
        FileSection(
            "extra",
            "Section ajoutée",
            "registrar:student_history",
            "registrar.view_student",
            order=15,
        )
    )
    student = StudentFactory()
    page = staff_client.get(reverse("registrar:student_file", args=[student.pk])).content.decode()
    labels = ["Sommaire", "Admission", "Section ajoutée", "Dossiers sessions / Inscriptions"]
    positions = [page.index(label) for label in labels]
    assert positions == sorted(positions)


def test_an_entry_whose_app_is_not_routed_is_left_out(monkeypatch):
    monkeypatch.setattr(navigation, "_entries", dict(navigation._entries))
    navigation.register(NavEntry("ghost", "Fantôme", "ghost:index", None, "i-home", order=1))

    class Everyone:
        def has_perm(self, perm):
            return True

    keys = [item["entry"].key for item in navigation.entries_for(Everyone())]
    assert "ghost" not in keys
    # The routed apps' entries are there (placements, admissions).
    assert "placements" in keys and "placement_agencies" in keys
    assert "admissions" in keys and "admissions_applicants" in keys
    assert keys[:4] == ["home", "students", "courses", "operations"]


@pytest.mark.django_db
def test_the_sign_in_page_shows_the_doors_apps_register(client):
    page = client.get(reverse("login")).content.decode()
    assert "Vous surveillez une session de certification ?" in page
    assert f'href="{reverse("certification:invigilator_login")}"' in page


def test_the_menu_marks_the_entry_a_page_is_under():
    entries = [
        {"entry": NavEntry("home", "Accueil", "x", None, "i"), "url": "/"},
        {"entry": NavEntry("placements", "Stages", "x", None, "i"), "url": "/stages/"},
        {"entry": NavEntry("agencies", "Organismes", "x", None, "i"), "url": "/stages/organismes/"},
    ]
    assert navigation.active_key("/", entries) == "home"
    assert navigation.active_key("/stages/cours/3/inscriptions/", entries) == "placements"
    assert navigation.active_key("/stages/organismes/2/", entries) == "agencies"
    assert navigation.active_key("/etudiants/", entries) == ""
