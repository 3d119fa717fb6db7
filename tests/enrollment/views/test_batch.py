"""« Opérations » and « Inscription en lot » screens: the form, the selection (individual
and pasted), the execution, the reports, the undo; bad input and forged requests."""

import html
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enrollment.models import BatchLine, BatchOperation, BatchRun, CourseEnrollment, TermRecord
from enrollment.services import batch
from registrar.models import AssignmentState, AuditEntry, Job, Term
from tests.enrollment.batch_support import GUIDE_DA, make_operation
from tests.factories import StudentFactory, UserFactory
from tests.registrar import hostile_spreadsheets as hostile

pytestmark = pytest.mark.django_db
PASTED = "\r\n".join(["Numéro DA", "123-4567", "2345678", "", "345 6789", "456-7890", "5678901"])


def _form(**values) -> dict:
    data = {
        "term": Term.objects.get(code="H-2018").pk,
        "create_term_record": "True",
        "simulation": "True",
        "all_or_nothing": "True",
        "assignment_state": AssignmentState.objects.get(code="0").pk,
        "action": "A",
        "course": "INS-TEE-RA",
        "group_number": "08459",
        "_step": "save",
    }
    data.update(values)
    return data


def _text(response) -> str:
    """The page as a person reads it (entities decoded)."""
    return html.unescape(response.content.decode())


# -- reaching « Inscription en lot » ------------------------------------------------------


def test_three_ways_to_inscription_en_lot(staff_client, guide):
    home = _text(staff_client.get(reverse("registrar:home")))
    # On the home page: « Opérations » and « Inscription en lot » in the centre…
    assert f'href="{reverse("enrollment:operation_list")}"' in home
    assert f'href="{reverse("enrollment:batch_create")}"' in home
    # …and « Opérations » in the left column (but not « Inscription en lot »).
    nav = home.split('class="app-nav"')[1].split("</nav>")[0]
    assert "Opérations" in nav and "Inscription en lot" not in nav
    operations = _text(staff_client.get(reverse("enrollment:operation_list")))
    assert f'href="{reverse("enrollment:batch_create")}"' in operations
    form = _text(staff_client.get(reverse("enrollment:batch_create")))
    for label in (
        "Inscriptions en lot",
        "Session",
        "Aucun étudiant sélectionné",
        "Créer un dossier session",
        "Mode simulation",
        "État d'assignation",
        "A - À ajouter ou modifier",
        "S - À supprimer",
        "Numéro de groupe",
        "Démarrer",
    ):
        assert label in form, label


def test_the_form_proposes_the_guides_defaults(staff_client, guide):
    form = staff_client.get(reverse("enrollment:batch_create")).context["form"]
    assert form.initial["create_term_record"] is True
    assert form.initial["simulation"] is True
    assert form.initial["action"] == "A"
    assert form.initial["assignment_state"] == AssignmentState.objects.get(code="0").pk


# -- the form ---------------------------------------------------------------------------


def test_selection_button_saves_the_operation_and_opens_the_selection(
    staff_client, registrar_staff, guide
):
    response = staff_client.post(reverse("enrollment:batch_create"), _form(_step="selection"))
    operation = BatchOperation.objects.get()
    assert response.url == reverse("enrollment:batch_selection", args=[operation.pk])
    assert (operation.created_by, operation.course, operation.group) == (
        registrar_staff,
        guide["course"],
        guide["group"],
    )
    page = _text(staff_client.get(response.url))
    assert "Opérations massives – Sélection des étudiants ciblés" in page
    assert "Ajout individuel" in page and "Saisie manuelle" in page


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"course": "XYZ-999-ZZ"}, "course", "Le cours XYZ-999-ZZ n'existe pas."),
        (
            {"group_number": "99999"},
            "group_number",
            "Le groupe 99999 n'existe pas pour le cours INS-TEE-RA à la session H-2018.",
        ),
        (
            # 08459 is a group of INS-TEE-RA in H-2018 only.
            {"term": "A-2017"},
            "group_number",
            "Le groupe 08459 n'existe pas pour le cours INS-TEE-RA à la session A-2017.",
        ),
        (
            {"course": "601-103-MQ"},
            "group_number",
            "Le groupe 08459 n'existe pas pour le cours 601-103-MQ à la session H-2018.",
        ),
        (
            {"group_number": "abc"},
            "group_number",
            "Le numéro de groupe ne contient que des chiffres (ex. 00992).",
        ),
        ({"course": "", "group_number": "08459"}, "group_number", "Saisissez d'abord le cours"),
        ({"term": "999999"}, "term", "Sélectionnez un choix valide"),
        ({"action": "Z"}, "action", "Sélectionnez un choix valide"),
    ],
)
def test_bad_values_are_refused_at_their_field(staff_client, guide, values, field, message):
    if values.get("term") == "A-2017":
        values["term"] = Term.objects.get(code="A-2017").pk
    response = staff_client.post(reverse("enrollment:batch_create"), _form(**values))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert message in _text(response)
    assert not BatchOperation.objects.exists()


def test_start_without_students_says_so_at_the_selection(staff_client, guide):
    response = staff_client.post(reverse("enrollment:batch_create"), _form(_step="start"))
    assert response.status_code == 200
    assert response.context["selection_error"] == (
        "Aucun étudiant sélectionné : ajoutez au moins un étudiant à la sélection."
    )
    assert "Aucun étudiant sélectionné : ajoutez au moins un étudiant" in _text(response)
    assert not BatchRun.objects.exists()


def test_start_with_students_opens_the_execution_window(staff_client, registrar_staff, guide):
    operation = make_operation(registrar_staff, guide)
    response = staff_client.post(
        reverse("enrollment:batch_update", args=[operation.pk]), _form(_step="start")
    )
    assert response.url == reverse("enrollment:batch_execute", args=[operation.pk])
    page = _text(staff_client.get(response.url))
    assert "Exécution d'une opération" in page
    for fact in ("H-2018 Hiver 2018", "INS-TEE-RA", "08459", "5 étudiants", "O-Oui : rien ne"):
        assert fact in page, fact


# -- the selection ----------------------------------------------------------------------


def test_individual_add_from_the_student_search(staff_client, registrar_staff, guide):
    operation = make_operation(registrar_staff, guide, students=guide["students"][:1])
    url = reverse("enrollment:batch_selection_add", args=[operation.pk])
    page = staff_client.get(url, {"field": "last_name", "q": "Le*"})
    text = _text(page)
    assert "Déjà sélectionné" in text  # Lise, already in
    assert "Lebrun" in text and "Levert" in text
    luc, leo = guide["students"][1:3]
    response = staff_client.post(
        url, {"student": [luc.pk, leo.pk], "_query": "field=last_name&q=Le%2A"}
    )
    assert response.url == f"{url}?field=last_name&q=Le%2A"
    followed = _text(staff_client.get(response.url))
    assert "2 étudiants ajoutés à la sélection (3 au total)." in followed
    operation.refresh_from_db()
    assert operation.selection_count == 3


def test_individual_add_refuses_forged_students(staff_client, registrar_staff, guide):
    operation = make_operation(registrar_staff, guide, students=guide["students"][:1])
    inactive = StudentFactory(is_active=False)
    url = reverse("enrollment:batch_selection_add", args=[operation.pk])
    response = staff_client.post(url, {"student": [inactive.pk, 987654321, "x"]}, follow=True)
    assert "sont inconnus ou inactifs : rien n'a été ajouté." in _text(response)
    response = staff_client.post(url, {}, follow=True)
    assert "Cochez au moins un étudiant dans les résultats." in _text(response)
    operation.refresh_from_db()
    assert operation.selection_count == 1


def test_ok_adds_the_ticked_students_then_returns_to_the_selection(
    staff_client, registrar_staff, guide
):
    # The guide (Image 2.4): « Cliquez OK pour sauvegarder l'information. Vous serez de
    # retour à la fenêtre Opérations massives – Sélection des étudiants ciblés ».
    operation = make_operation(registrar_staff, guide, students=guide["students"][:1])
    url = reverse("enrollment:batch_selection_add", args=[operation.pk])
    luc, leo = guide["students"][1:3]
    response = staff_client.post(
        url, {"student": [luc.pk, leo.pk], "_query": "field=last_name&q=Le%2A", "_step": "ok"}
    )
    assert response.url == reverse("enrollment:batch_selection", args=[operation.pk])
    page = _text(staff_client.get(response.url))
    assert "2 étudiants ajoutés à la sélection (3 au total)." in page
    assert "Lebrun" in page and "Lenoir" in page
    operation.refresh_from_db()
    assert operation.selection_count == 3


def test_ok_with_nothing_ticked_just_returns(staff_client, registrar_staff, guide):
    operation = make_operation(registrar_staff, guide, students=guide["students"][:1])
    url = reverse("enrollment:batch_selection_add", args=[operation.pk])
    response = staff_client.post(url, {"_step": "ok", "_query": "field=last_name&q=Le%2A"})
    assert response.url == reverse("enrollment:batch_selection", args=[operation.pk])
    page = _text(staff_client.get(response.url))
    assert "Cochez au moins" not in page and "ajouté" not in page
    operation.refresh_from_db()
    assert operation.selection_count == 1


def test_the_add_page_offers_ok_as_a_button_of_the_results_form(
    staff_client, registrar_staff, guide
):
    operation = make_operation(registrar_staff, guide, students=[])
    url = reverse("enrollment:batch_selection_add", args=[operation.pk])
    for params in ({}, {"field": "last_name", "q": "Le*"}):
        page = staff_client.get(url, params).content.decode()
        start = page.index('<form method="post" id="add-form"')
        form = page[start : page.index("</form>", start)]
        assert 'name="_step" value="ok"' in form, params
        assert f'href="{reverse("enrollment:batch_selection", args=[operation.pk])}">OK' not in page


def test_changing_page_keeps_the_ticked_students(staff_client, registrar_staff, guide):
    operation = make_operation(registrar_staff, guide, students=[])
    url = reverse("enrollment:batch_selection_add", args=[operation.pk])
    lise = guide["students"][0]
    response = staff_client.post(
        url, {"student": [lise.pk], "_query": "field=last_name&q=Le%2A", "_page": "2"}
    )
    assert response.url == f"{url}?field=last_name&q=Le%2A&page=2"
    operation.refresh_from_db()
    assert operation.selection_count == 1
    # Nothing ticked: the page changes without a word.
    response = staff_client.post(url, {"_query": "field=last_name&q=Le%2A", "_page": "3"})
    assert response.url == f"{url}?field=last_name&q=Le%2A&page=3"
    assert "Cochez au moins" not in _text(staff_client.get(response.url))


def test_a_new_search_keeps_the_ticked_students(staff_client, registrar_staff, guide):
    # « Rechercher » belongs to the results form: the ticked students are added first.
    operation = make_operation(registrar_staff, guide, students=[])
    url = reverse("enrollment:batch_selection_add", args=[operation.pk])
    page = staff_client.get(url, {"field": "last_name", "q": "Le*"}).content.decode()
    assert 'form="add-form"' in page and 'name="_step" value="search"' in page
    luc = guide["students"][1]
    response = staff_client.post(
        url,
        {
            "student": [luc.pk],
            "_step": "search",
            "field": "first_name",
            "q": "Léo",
            "_query": "field=last_name&q=Le%2A&page=2",
        },
    )
    assert response.url == f"{url}?field=first_name&q=L%C3%A9o"
    followed = _text(staff_client.get(response.url))
    assert "1 étudiant ajouté à la sélection (1 au total)." in followed
    assert "Cochez au moins" not in followed
    operation.refresh_from_db()
    assert operation.selection_count == 1


def test_ok_on_the_selection_removes_the_ticked_students_then_returns(
    staff_client, registrar_staff, guide
):
    operation = make_operation(registrar_staff, guide)
    url = reverse("enrollment:batch_selection", args=[operation.pk])
    page = staff_client.get(url).content.decode()
    assert 'name="_step" value="ok"' in page
    lise = guide["students"][0]
    response = staff_client.post(url, {"remove": [lise.pk], "_step": "ok"})
    assert response.url == reverse("enrollment:batch_update", args=[operation.pk])
    assert "1 étudiant retiré de la sélection." in _text(staff_client.get(response.url))
    operation.refresh_from_db()
    assert operation.selection_count == 4
    response = staff_client.post(url, {"_step": "ok"})
    assert response.url == reverse("enrollment:batch_update", args=[operation.pk])
    assert "Cochez les étudiants" not in _text(staff_client.get(response.url))
    operation.refresh_from_db()
    assert operation.selection_count == 4


FORGED_IDS = ["²", "١٢", "１２", "99999999999999999999", " 12", "+12", "-1", "0", ""]


@pytest.mark.parametrize("step", ["", "ok"])
def test_forged_student_ids_are_left_out_never_a_500(staff_client, registrar_staff, guide, step):
    operation = make_operation(registrar_staff, guide, students=guide["students"][:1])
    luc = guide["students"][1]
    url = reverse("enrollment:batch_selection_add", args=[operation.pk])
    response = staff_client.post(url, {"student": FORGED_IDS, "_step": step}, follow=True)
    assert response.status_code == 200
    if not step:
        assert "Cochez au moins un étudiant dans les résultats." in _text(response)
    response = staff_client.post(url, {"student": [*FORGED_IDS, luc.pk], "_step": step})
    operation.refresh_from_db()
    assert operation.selection_count == 2
    selection = reverse("enrollment:batch_selection", args=[operation.pk])
    response = staff_client.post(selection, {"remove": FORGED_IDS}, follow=True)
    assert response.status_code == 200
    operation.refresh_from_db()
    assert operation.selection_count == 2
    response = staff_client.post(selection, {"remove": [*FORGED_IDS, luc.pk]}, follow=True)
    assert "1 étudiant retiré de la sélection." in _text(response)


@pytest.mark.parametrize(
    "query",
    ["a\r\nLocation: http://evil.example", "q=%0d%0aX", "page=²", "x" * 5000, "//evil.example"],
)
def test_a_forged_query_to_return_to_stays_on_the_page(staff_client, registrar_staff, guide, query):
    operation = make_operation(registrar_staff, guide, students=[])
    url = reverse("enrollment:batch_selection_add", args=[operation.pk])
    response = staff_client.post(url, {"_query": query, "_page": "²"})
    assert response.status_code == 302
    assert response.url.startswith(url)
    assert "\n" not in response.url and "\r" not in response.url
    assert staff_client.get(response.url).status_code == 200


def test_pasted_list_from_excel_joins_the_selection(staff_client, registrar_staff, guide):
    operation = make_operation(registrar_staff, guide, students=[])
    url = reverse("enrollment:batch_selection_paste", args=[operation.pk])
    assert "Définition d'une liste de dossiers étudiants" in _text(staff_client.get(url))
    response = staff_client.post(url, {"text": PASTED})
    assert response.url == reverse("enrollment:batch_selection", args=[operation.pk])
    page = _text(staff_client.get(response.url))
    assert "5 étudiants ajoutés à la sélection (5 au total)." in page
    assert list(operation.selection.values_list("student__da_number", flat=True)) == GUIDE_DA
    # The same list again: nobody is added twice.
    response = staff_client.post(url, {"text": PASTED}, follow=True)
    assert "Tous ces étudiants sont déjà dans la sélection." in _text(response)


def test_pasted_list_with_refused_lines_adds_nobody_until_confirmed(
    staff_client, registrar_staff, guide
):
    operation = make_operation(registrar_staff, guide, students=[])
    StudentFactory(da_number="7777777", is_active=False, last_name="Inactif")
    url = reverse("enrollment:batch_selection_paste", args=[operation.pk])
    text = "123-4567\n999-9999\n777-7777\n123-4567\nn'importe quoi\n234-5678"
    response = staff_client.post(url, {"text": text})
    text = _text(response)
    assert response.status_code == 200
    assert "Numéro DA 999-9999 inconnu." in text
    assert "Dossier inactif" in text
    assert "Doublon de la ligne 1." in text
    assert "Aucun numéro DA ni code permanent reconnu." in text
    assert "Ajouter les 2 étudiants reconnus" in text
    assert operation.selection.count() == 0
    signed = response.context["recognised"]
    response = staff_client.post(url, {"_step": "confirm", "recognised": signed}, follow=True)
    assert "2 étudiants ajoutés à la sélection (2 au total)." in _text(response)
    response = staff_client.post(url, {"_step": "confirm", "recognised": signed + "x"}, follow=True)
    assert "La liste a expiré ou a été altérée : recommencez." in _text(response)
    operation.refresh_from_db()
    assert operation.selection_count == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "   \n  "}, "Collez une liste ou choisissez un fichier."),
        ({"text": "\n".join(["1234567"] * 20_001)}, "La liste compte 20"),
        ({"text": "!!!\n@@@"}, "Aucun numéro DA ni code permanent reconnu."),
    ],
)
def test_pasted_list_bad_input(staff_client, registrar_staff, guide, data, message):
    operation = make_operation(registrar_staff, guide, students=[])
    response = staff_client.post(
        reverse("enrollment:batch_selection_paste", args=[operation.pk]), data
    )
    assert response.status_code == 200
    assert message in _text(response)
    assert operation.selection.count() == 0


def test_uploaded_xlsx_list(staff_client, registrar_staff, guide):
    operation = make_operation(registrar_staff, guide, students=[])
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["DA", "Nom", "Prénom"])
    for student in guide["students"]:
        sheet.append([int(student.da_number), student.last_name, student.first_name])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("candidats.xlsx", buffer.getvalue())
    url = reverse("enrollment:batch_selection_paste", args=[operation.pk])
    response = staff_client.post(url, {"file": upload})
    assert response.url == reverse("enrollment:batch_selection", args=[operation.pk])
    operation.refresh_from_db()
    assert operation.selection_count == 5
    fake = SimpleUploadedFile("liste.xlsx", b"pas un classeur")
    response = staff_client.post(url, {"file": fake})
    assert "n'est pas un tableur lisible" in _text(response)


@pytest.mark.parametrize("name", ["xlsx_far_cell", "xlsx_shared_strings_bomb", "ods_far_row"])
def test_a_hostile_file_is_refused_at_the_file_field(staff_client, registrar_staff, guide, name):
    # A 2 KB file claiming a million rows: refused at once, its reason at the file field.
    operation = make_operation(registrar_staff, guide, students=[])
    extension = ".ods" if name.startswith("ods") else ".xlsx"
    upload = SimpleUploadedFile(f"liste{extension}", hostile.HOSTILE[name]())
    response = staff_client.post(
        reverse("enrollment:batch_selection_paste", args=[operation.pk]), {"file": upload}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors[0].startswith(f"Le fichier « liste{extension} » ")
    assert errors[0] in _text(response)
    operation.refresh_from_db()
    assert operation.selection_count == 0


def test_selection_can_be_reviewed_sorted_and_trimmed(staff_client, registrar_staff, guide):
    operation = make_operation(registrar_staff, guide)
    url = reverse("enrollment:batch_selection", args=[operation.pk])
    table = staff_client.get(url, {"sort": "-last_name"}).context["table"]
    assert [row.record.student.last_name for row in table.page.object_list][:2] == [
        "Levert",
        "Lenoir",
    ]
    lise, luc = guide["students"][:2]
    response = staff_client.post(url, {"remove": [lise.pk, luc.pk]}, follow=True)
    assert "2 étudiants retirés de la sélection." in _text(response)
    operation.refresh_from_db()
    assert operation.selection_count == 3
    staff_client.post(url, {"_step": "clear"})
    operation.refresh_from_db()
    assert operation.selection_count == 0


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_selection_page_queries_do_not_grow(staff_client, registrar_staff, guide):
    one = make_operation(registrar_staff, guide, students=guide["students"][:1])
    five = make_operation(registrar_staff, guide)
    assert _count_queries(staff_client, reverse("enrollment:batch_selection", args=[one.pk])) == (
        _count_queries(staff_client, reverse("enrollment:batch_selection", args=[five.pk]))
    )


# -- execution, reports, undo -------------------------------------------------------------


def test_simulation_then_execution_in_the_browser_flow(staff_client, registrar_staff, guide):
    operation = make_operation(registrar_staff, guide)
    execute = reverse("enrollment:batch_execute", args=[operation.pk])
    response = staff_client.post(execute, {"mode": "simulation"})
    simulation = BatchRun.objects.get()
    assert response.url == reverse("enrollment:batch_report", args=[simulation.pk])
    report = _text(staff_client.get(response.url))
    assert "Mode simulation : rien n'a été écrit." in report
    for da, name in zip(
        ("123-4567", "234-5678", "345-6789", "456-7890", "567-8901"),
        ("Leblanc, Lise", "Lebrun, Luc", "Lenoir, Léo", "Larose, Lucie", "Levert, Lyette"),
        strict=True,
    ):
        assert da in report and name in report
    assert "ÉTUDIANT – 1" in report and "ÉTUDIANT – 5" in report
    assert not TermRecord.objects.exists()
    assert f"{execute}?mode=reel" in report  # « Exécuter en mode réel… »

    page = _text(staff_client.get(execute, {"mode": "reel"}))
    assert "N-Non : les dossiers des étudiants seront modifiés." in page
    response = staff_client.post(execute, {"mode": "reel"})
    execution = BatchRun.objects.get(kind=BatchRun.Kind.EXECUTION)
    assert response.url == reverse("enrollment:batch_report", args=[execution.pk])
    report = _text(staff_client.get(response.url))
    assert "Résultat identique à la simulation" in report
    assert CourseEnrollment.objects.filter(group=guide["group"]).count() == 5

    # A second click, a retry: refused with a message, nothing written twice.
    response = staff_client.post(execute, {"mode": "reel"}, follow=True)
    assert "a déjà été exécutée" in _text(response)
    assert CourseEnrollment.objects.count() == 5
    assert BatchRun.objects.filter(kind=BatchRun.Kind.EXECUTION).count() == 1

    # The student's history names the operation.
    history = _text(
        staff_client.get(reverse("registrar:student_history", args=[guide["students"][0].pk]))
    )
    assert f"Inscription en lot n° {operation.pk}" in history

    # « Mes opérations » on the home page.
    home = _text(staff_client.get(reverse("registrar:home")))
    assert f"Inscription en lot n° {operation.pk}" in home and "Exécutée" in home

    # Undo.
    assert "Annuler l'opération" in report
    response = staff_client.post(reverse("enrollment:batch_undo", args=[operation.pk]))
    undo = BatchRun.objects.get(kind=BatchRun.Kind.UNDO)
    assert response.url == reverse("enrollment:batch_report", args=[undo.pk])
    assert "Inscription retirée et dossier session H-2018 supprimé." in _text(
        staff_client.get(response.url)
    )
    assert not CourseEnrollment.objects.exists() and not TermRecord.objects.exists()


def test_report_filters_by_outcome_and_paginates_with_constant_queries(
    staff_client, registrar_staff, guide
):
    small = make_operation(registrar_staff, guide, students=guide["students"][:1])
    large = make_operation(registrar_staff, guide)
    small_run = batch.batch_operation_run(actor=registrar_staff, operation=small, simulation=True)
    large_run = batch.batch_operation_run(actor=registrar_staff, operation=large, simulation=True)
    assert _count_queries(
        staff_client, reverse("enrollment:batch_report", args=[small_run.pk])
    ) == (_count_queries(staff_client, reverse("enrollment:batch_report", args=[large_run.pk])))
    response = staff_client.get(
        reverse("enrollment:batch_report", args=[large_run.pk]),
        {"resultat": BatchLine.Outcome.REFUSED},
    )
    assert response.context["table"].paginator.count == 0
    response = staff_client.get(
        reverse("enrollment:batch_report", args=[large_run.pk]), {"resultat": "x"}
    )
    assert response.context["table"].paginator.count == 5


def test_report_downloads(staff_client, registrar_staff, guide):
    operation = make_operation(registrar_staff, guide)
    run = batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=True)
    response = staff_client.get(reverse("enrollment:batch_report_xlsx", args=[run.pk]))
    assert response["Content-Disposition"].endswith(
        f"rapport-inscription-en-lot-{operation.pk}-simulation-"
        f'{timezone.localtime(run.started_at):%Y-%m-%d-%H%M}.xlsx"'
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "Leblanc" in values and "123-4567" in values
    # Not asked for yet: the report offers « Préparer le PDF », and its URL sends back.
    report_url = reverse("enrollment:batch_report", args=[run.pk])
    assert "Préparer le PDF" in _text(staff_client.get(report_url))
    pdf_url = reverse("enrollment:batch_report_pdf", args=[run.pk])
    assert staff_client.get(pdf_url)["Location"] == f"{report_url}#pdf"
    # The PDF is asked for, made in the background as a tracked job (inline in tests); the
    # answer to htmx is the job's partial with its link, then the PDF is downloaded.
    status = staff_client.post(pdf_url, headers={"HX-Request": "true"})
    job = Job.objects.get()
    assert (job.kind, job.status, job.requested_by) == (
        "enrollment.batch_report_pdf",
        Job.Status.DONE,
        registrar_staff,
    )
    assert "Télécharger le PDF" in _text(status)
    assert reverse("registrar:job_file", args=[job.pk]) in status.content.decode()
    assert "Télécharger le PDF" in _text(staff_client.get(report_url))
    for url in (pdf_url, reverse("registrar:job_file", args=[job.pk])):
        response = staff_client.get(url)
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert response["Content-Disposition"] == f'attachment; filename="{job.result_name}"'


def test_operation_list_shows_mine_and_queries_do_not_grow(
    staff_client, registrar_staff, guide, admin
):
    other = UserFactory(username="collegue")
    theirs = make_operation(other, guide, students=guide["students"][:1])
    mine = make_operation(registrar_staff, guide, students=guide["students"][:1])
    batch.batch_operation_run(actor=registrar_staff, operation=mine, simulation=True)
    url = reverse("enrollment:operation_list")
    table = staff_client.get(url).context["table"]
    assert [row.record.pk for row in table.page.object_list] == [mine.pk]
    text = _text(staff_client.get(url))
    assert "Simulation" in text and "Dossier session créé et inscrit : 1" in text
    # Nobody sees another's operations without the permission…
    assert [r.record.pk for r in staff_client.get(url, {"qui": "tous"}).context["table"].page] == [
        mine.pk
    ]
    # …the administrator does.
    client = Client()
    client.force_login(admin)
    everyone = client.get(url, {"qui": "tous"}).context["table"]
    assert {row.record.pk for row in everyone.page.object_list} == {mine.pk, theirs.pk}
    before = _count_queries(staff_client, url)
    for _ in range(2):
        batch.batch_operation_run(
            actor=registrar_staff,
            operation=make_operation(registrar_staff, guide, students=guide["students"][:2]),
            simulation=True,
        )
    assert _count_queries(staff_client, url) == before


def test_another_users_operation_answers_404_and_runs_nothing(staff_client, guide):
    other = UserFactory(username="collegue", roles=[])
    operation = make_operation(other, guide)
    for name in (
        "enrollment:batch_detail",
        "enrollment:batch_selection",
        "enrollment:batch_execute",
        "enrollment:batch_update",
    ):
        response = staff_client.get(reverse(name, args=[operation.pk]))
        assert response.status_code == 404
        assert "Page introuvable" in _text(response)  # the French page, not Django's
    response = staff_client.post(
        reverse("enrollment:batch_execute", args=[operation.pk]), {"mode": "reel"}
    )
    assert response.status_code == 404
    assert not BatchRun.objects.exists() and not CourseEnrollment.objects.exists()
    run = batch.batch_operation_run(actor=other, operation=operation, simulation=True)
    assert staff_client.get(reverse("enrollment:batch_report", args=[run.pk])).status_code == 404
    assert (
        staff_client.get(reverse("enrollment:batch_report_xlsx", args=[run.pk])).status_code == 404
    )


def test_readonly_staff_cannot_execute(readonly_staff, registrar_staff, guide):
    operation = make_operation(registrar_staff, guide)
    client = Client()
    client.force_login(readonly_staff)
    response = client.post(
        reverse("enrollment:batch_execute", args=[operation.pk]), {"mode": "reel"}
    )
    assert response.status_code == 403
    assert not BatchRun.objects.exists()


def test_executed_operation_cannot_change_any_more(staff_client, registrar_staff, guide):
    operation = make_operation(registrar_staff, guide)
    batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=False)
    response = staff_client.post(
        reverse("enrollment:batch_update", args=[operation.pk]), _form(), follow=True
    )
    assert "Cette opération a été exécutée : elle ne se modifie plus." in _text(response)
    response = staff_client.post(
        reverse("enrollment:batch_selection", args=[operation.pk]), {"_step": "clear"}, follow=True
    )
    assert "ne peut plus être modifiée" in _text(response)
    operation.refresh_from_db()
    assert operation.selection_count == 5
    assert AuditEntry.objects.filter(screen__startswith="Inscription en lot").count() == 10


def test_a_pasted_list_of_100000_lines_is_refused_without_a_query_per_line(
    staff_client, registrar_staff, guide
):
    operation = make_operation(registrar_staff, guide, students=[])
    text = "\r\n".join(f"{1000000 + i}" for i in range(100_000))
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.post(
            reverse("enrollment:batch_selection_paste", args=[operation.pk]), {"text": text}
        )
    assert response.status_code == 200
    assert "La liste compte 100\u202f000 lignes : 20\u202f000 au plus par liste." in _text(response)
    assert len(queries) < 15
    assert operation.selection.count() == 0


@pytest.mark.parametrize(
    ("params", "report_order"),
    [
        # Not a page number, or past the last page: the (only) first page.
        ({"page": "abc"}, "position"),
        ({"page": "99999"}, "position"),
        # Not a column: the default order.
        ({"sort": "nimporte"}, "position"),
        # Not an outcome: no narrowing.
        ({"resultat": "<script>"}, "position"),
        # A negative page is the first; « -outcome » is a real column of the report only
        # (descending: its lines share one outcome, so the order is reversed).
        ({"page": "-1", "sort": "-outcome"}, "-position"),
    ],
)
def test_report_and_lists_survive_odd_parameters(
    staff_client, registrar_staff, guide, params, report_order
):
    """Each page answers what it answers without the odd parameter: every row, first page."""
    operation = make_operation(registrar_staff, guide)
    run = batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=True)
    students = [s.pk for s in guide["students"]]

    report = staff_client.get(reverse("enrollment:batch_report", args=[run.pk]), params)
    assert report.status_code == 200
    assert report.context["outcome"] == ""
    table = report.context["table"]
    assert table.page.number == 1
    positions = [row.record.position for row in table.page.object_list]
    assert positions == ([1, 2, 3, 4, 5] if report_order == "position" else [5, 4, 3, 2, 1])
    assert "<script>" not in report.content.decode()

    selection = staff_client.get(reverse("enrollment:batch_selection", args=[operation.pk]), params)
    assert selection.status_code == 200
    table = selection.context["table"]
    assert table.page.number == 1
    assert [row.record.student_id for row in table.page.object_list] == students

    operations = staff_client.get(reverse("enrollment:operation_list"), params)
    assert operations.status_code == 200
    table = operations.context["table"]
    assert table.page.number == 1
    assert [row.record.pk for row in table.page.object_list] == [operation.pk]

    # The search's own parameters go with the odd ones (the test client's data replaces a
    # query string written in the URL).
    search = staff_client.get(
        reverse("enrollment:batch_selection_add", args=[operation.pk]),
        {"field": "last_name", "q": "Le*", **params},
    )
    assert search.status_code == 200
    assert search.context["page"].number == 1
    assert [s.last_name for s in search.context["page"].object_list] == [
        "Leblanc",
        "Lebrun",
        "Lenoir",
        "Levert",
    ]


def test_operation_list_exports_to_xlsx(staff_client, registrar_staff, guide):
    operation = make_operation(registrar_staff, guide)
    response = staff_client.get(reverse("enrollment:operation_list"), {"_export": "xlsx"})
    assert response["Content-Disposition"].startswith('attachment; filename="operations-')
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:3] == ("N°", "Opération", "Session")
    assert rows[1][:3] == (operation.pk, "INS-TEE-RA", "H-2018")
    assert "En préparation" in rows[1] and 5 in rows[1]


# -- the selection's pages and sorts keep the students ticked for removal (issue 10) -----


def _ticks(response) -> list[str]:
    from urllib.parse import parse_qs, urlsplit

    value = parse_qs(urlsplit(response.url).query).get("retirer", [""])[0]
    return [pk for pk in value.split(",") if pk]


def _hidden_removals(content: str) -> int:
    return content.count('<input type="hidden" name="remove"')


@pytest.fixture
def thirty_selected(registrar_staff, guide):
    from tests.enrollment.batch_support import bulk_students

    students = [*guide["students"], *bulk_students(25, guide)]
    operation = make_operation(registrar_staff, guide, students=students)
    return operation, students  # 25 a page: two pages, by position


def test_selection_pages_keep_the_ticks_for_removal(staff_client, thirty_selected):
    operation, students = thirty_selected
    url = reverse("enrollment:batch_selection", args=[operation.pk])
    content = staff_client.get(url).content.decode()
    # The pages are buttons of the removal form, not links that drop the ticks.
    assert 'form="selection-remove" name="_page" value="2"' in content
    assert "?page=2" not in content
    first, second = students[0], students[1]
    # What the browser sends when « 2 » is pressed with two students ticked on page 1.
    response = staff_client.post(url, {"remove": [first.pk, second.pk], "_page": "2"})
    assert response.url == f"{url}?page=2&retirer={first.pk},{second.pk}"
    operation.refresh_from_db()
    assert operation.selection_count == 30  # a page removes nothing
    page_two = _text(staff_client.get(response.url))
    assert _hidden_removals(page_two) == 2 and "2 étudiants cochés" in page_two
    last = students[29]
    # Back to page 1 with the last one ticked too: the two are checked there.
    response = staff_client.post(
        response.url, {"remove": [first.pk, second.pk, last.pk], "_page": "1"}
    )
    assert response.url == f"{url}?retirer={first.pk},{second.pk},{last.pk}"
    page_one = staff_client.get(response.url).content.decode()
    assert f'name="remove" value="{first.pk}" checked="checked"' in page_one
    assert f'name="remove" value="{second.pk}" checked="checked"' in page_one
    assert page_one.count('checked="checked"') == 2 and _hidden_removals(page_one) == 1
    assert "3 étudiants cochés" in page_one
    # « Retirer les étudiants cochés »: the three go.
    response = staff_client.post(
        response.url, {"remove": [first.pk, second.pk, last.pk], "_step": "remove"}
    )
    assert response.url == url  # the ticks are done with
    assert "3 étudiants retirés de la sélection." in _text(staff_client.get(response.url))
    operation.refresh_from_db()
    assert operation.selection_count == 27


def test_selection_sort_keeps_the_ticks_and_the_page(staff_client, thirty_selected):
    operation, students = thirty_selected
    url = reverse("enrollment:batch_selection", args=[operation.pk])
    content = staff_client.get(url).content.decode()
    assert 'form="selection-remove" name="_sort" value="last_name"' in content
    response = staff_client.post(
        f"{url}?page=2", {"remove": [students[0].pk], "_sort": "-last_name"}
    )
    assert response.url == f"{url}?sort=-last_name&page=2&retirer={students[0].pk}"
    page = _text(staff_client.get(response.url))
    assert "1 étudiant coché" in page
    # OK removes the ticked ones, those of other pages included, then returns.
    response = staff_client.post(response.url, {"remove": [students[0].pk], "_step": "ok"})
    assert response.url == reverse("enrollment:batch_update", args=[operation.pk])
    operation.refresh_from_db()
    assert operation.selection_count == 29


@pytest.mark.parametrize(
    "query",
    ["sort=²", "sort=student__password", "page=²&sort=-", "retirer=²,١٢,99999999999999999999"],
)
def test_selection_forged_sort_page_ticks_are_no_500(staff_client, thirty_selected, query):
    operation, _students = thirty_selected
    url = reverse("enrollment:batch_selection", args=[operation.pk])
    assert staff_client.get(f"{url}?{query}").status_code == 200
    response = staff_client.post(f"{url}?{query}", {"_page": "²", "_sort": "x y"})
    assert response.status_code == 302 and response.url == url
    assert staff_client.get(response.url).status_code == 200


def test_selection_carries_only_its_own_students(staff_client, thirty_selected):
    operation, students = thirty_selected
    outsider = StudentFactory()
    url = reverse("enrollment:batch_selection", args=[operation.pk])
    content = staff_client.get(f"{url}?page=2&retirer={outsider.pk},{students[0].pk}")
    content = content.content.decode()
    assert _hidden_removals(content) == 1
    assert f'<input type="hidden" name="remove" value="{students[0].pk}">' in content


def test_selection_too_many_ticks_keep_the_first_ones(staff_client, thirty_selected):
    from enrollment.views import batch as batch_views

    operation, _students = thirty_selected
    url = reverse("enrollment:batch_selection", args=[operation.pk])
    ids = [str(n) for n in range(1, batch_views.REMOVE_MAX + 2)]
    response = staff_client.post(url, {"remove": ids, "_page": "2"})
    assert len(_ticks(response)) == batch_views.REMOVE_MAX
    assert "au plus 500 peuvent être cochés à la fois" in _text(staff_client.get(response.url))


def test_selection_query_count_does_not_grow_with_ticks(staff_client, thirty_selected):
    operation, students = thirty_selected
    url = reverse("enrollment:batch_selection", args=[operation.pk])
    staff_client.get(url)
    one = f"{url}?page=2&retirer={students[0].pk}"
    three = f"{url}?page=2&retirer={students[0].pk},{students[1].pk},{students[29].pk}"
    with CaptureQueriesContext(connection) as with_one:
        staff_client.get(one)
    with CaptureQueriesContext(connection) as with_three:
        response = staff_client.get(three)
    assert "3 étudiants cochés" in _text(response)
    assert len(with_three) == len(with_one)


def test_read_only_selection_keeps_plain_page_links(staff_client, guide, registrar_staff):
    from tests.enrollment.batch_support import bulk_students

    operation = make_operation(registrar_staff, guide, students=bulk_students(30, guide))
    BatchOperation.objects.filter(pk=operation.pk).update(status=BatchOperation.Status.EXECUTED)
    url = reverse("enrollment:batch_selection", args=[operation.pk])
    content = staff_client.get(url).content.decode()
    assert "?page=2" in content and 'name="_page"' not in content


@pytest.mark.parametrize(
    "column", ["position", "da_number", "permanent_code", "last_name", "first_name", "is_active"]
)
def test_selection_every_sort_header_is_kept(staff_client, thirty_selected, column):
    operation, _students = thirty_selected
    url = reverse("enrollment:batch_selection", args=[operation.pk])
    content = staff_client.get(url).content.decode()
    header = f'name="_sort" value="{column}"'
    assert header in content or f'name="_sort" value="-{column}"' in content
    response = staff_client.post(url, {"_sort": f"-{column}"})
    assert response.url == f"{url}?sort=-{column}"
