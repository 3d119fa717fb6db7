"""The operations list's export and the batch report's .xlsx write typed text as text, never
as a live formula (issue 10, « Exports »)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from enrollment.models import BatchRun
from enrollment.services import batch
from registrar.models import Student
from tests.enrollment.batch_support import GUIDE_DA, make_operation
from tests.spreadsheet_support import HOSTILE, READ_BACK, assert_no_formula, assert_text_cell

pytestmark = pytest.mark.django_db
FORMULA = '=HYPERLINK("http://x","y")'


def test_operation_list_export_writes_the_creators_name_as_text(registrar_staff, guide):
    get_user_model().objects.filter(pk=registrar_staff.pk).update(username=FORMULA)
    registrar_staff.refresh_from_db()
    make_operation(registrar_staff, guide)
    client = Client()
    client.force_login(registrar_staff)
    response = client.get(reverse("enrollment:operation_list"), {"_export": "xlsx"})
    assert response["Content-Disposition"].startswith('attachment; filename="operations-')
    assert_no_formula(response.content)
    assert_text_cell(response.content, READ_BACK[FORMULA])


def test_batch_report_xlsx_writes_the_students_names_as_text(registrar_staff, guide):
    for da, name in zip(sorted(GUIDE_DA), HOSTILE, strict=False):
        Student.objects.filter(da_number=da).update(last_name=name, first_name=name)
    operation = make_operation(registrar_staff, guide)
    run = batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=True)
    assert run.kind == BatchRun.Kind.SIMULATION and run.line_count == 5
    client = Client()
    client.force_login(registrar_staff)
    response = client.get(reverse("enrollment:batch_report_xlsx", args=[run.pk]))
    assert_no_formula(response.content)
    for typed in list(HOSTILE)[:5]:
        assert_text_cell(response.content, READ_BACK[typed])
