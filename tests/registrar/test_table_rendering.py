"""Tables written in Python (registrar/tables.py, docs/decisions/0022-page-rendering.md): every
list page of the demo shows, row for row and cell for cell, what django-tables2's own template
renders for the same table — content, links, escaping — with a header that says how the list
is sorted, and no query per row."""

import re
from io import StringIO
from pathlib import Path

import django_tables2
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.template import Context, Engine
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & Cie'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Cie"

# django-tables2's own templates, not the project's (which shadows bootstrap5-responsive).
_PACKAGE = Engine(
    dirs=[str(Path(django_tables2.__file__).parent / "templates")],
    libraries={
        "django_tables2": "django_tables2.templatetags.django_tables2",
        "i18n": "django.templatetags.i18n",
        "l10n": "django.templatetags.l10n",
    },
)


def _package_tbody(table, request) -> str:
    """The table's body as django-tables2 3's bootstrap5 template renders it, cell by cell."""
    context = Context({"table": table, "request": request})
    table.context = context  # as render_table does, for TemplateColumn
    html = _PACKAGE.get_template("django_tables2/bootstrap5.html").render(context)
    return re.search(r"<tbody[^>]*>(.*?)</tbody>", html, flags=re.S).group(1)


def _normal(html: str) -> str:
    html = re.sub(r">\s+<", "><", html.strip())
    html = re.sub(r"<(t[dr]|thead|tbody) >", r"<\1>", html)
    # A row's even/odd class (django-tables2's row attributes) was not written by the
    # former hand-written rows of the search pages; it changes nothing on screen.
    return re.sub(r'<tr class="(even|odd)">', "<tr>", html)


@pytest.fixture
def demo(db):
    call_command("seed_demo", students=40, stdout=StringIO(), stderr=StringIO())
    client = Client()
    client.force_login(get_user_model().objects.get(username="demo"))
    return client


def _list_pages():
    from django.apps import apps

    Student = apps.get_model("registrar", "Student")
    lise = Student.objects.get(da_number="1234567")
    # Not the first applicant, whose name is made hostile (not a name the search takes).
    someone = apps.get_model("admissions_sync", "Applicant").objects.order_by("pk")[1]
    return [
        reverse("registrar:student_search") + "?field=last_name&q=L*",
        reverse("registrar:student_search") + "?field=last_name&q=L*&sort=-birth_date",
        reverse("registrar:student_file", args=[lise.pk]),
        reverse("registrar:student_admissions", args=[lise.pk]),
        reverse("registrar:student_history", args=[lise.pk]),
        reverse("registrar:course_search") + "?field=title&q=*i*",
        reverse("enrollment:rac_grid"),
        reverse("enrollment:operation_list"),
        reverse("certification:session_list"),
        reverse("placements:cohort_list"),
        reverse("admissions_sync:applicant_list"),
        reverse("admissions_sync:applicant_list") + "?sort=-state",
        reverse("admissions_sync:import_list"),
        reverse("admissions_sync:desk_search") + f"?q={someone.last_name[:1]}*",
    ]


def _tables(response):
    found = {}
    for context in response.context:
        for value in context.flatten().values():
            if isinstance(value, django_tables2.Table):
                found[id(value)] = value
    return list(found.values())


def test_every_list_shows_what_django_tables2_rendered(demo):
    """Same rows, cells, links and escaping as django-tables2's per-cell rendering, on every
    list page of the demo (hostile names included)."""
    from admissions_sync.models import Applicant
    from certification.models import CertificationSession
    from placements.models import Cohort
    from registrar.models import Student

    Student.objects.filter(da_number="1234567").update(first_name=HOSTILE)
    Student.objects.filter(last_name__startswith="L").exclude(da_number="1234567").filter(
        pk__in=Student.objects.filter(last_name__startswith="L").values("pk")[:1]
    ).update(last_name="L" + HOSTILE)
    Applicant.objects.filter(pk=Applicant.objects.order_by("pk").values("pk")[:1]).update(
        last_name=HOSTILE
    )
    CertificationSession.objects.filter(
        pk=CertificationSession.objects.order_by("pk").values("pk")[:1]
    ).update(name=HOSTILE)
    Cohort.objects.filter(pk=Cohort.objects.order_by("pk").values("pk")[:1]).update(name=HOSTILE)

    compared = 0
    for url in _list_pages():
        response = demo.get(url)
        assert response.status_code == 200, url
        page = _normal(response.content.decode())
        assert "<script>alert" not in page, url
        tables = _tables(response)
        assert tables, url
        # The imports' page shows Parcoursup's times in Paris time (its {% timezone %}).
        zone = "Europe/Paris" if "/imports/" in url else settings.TIME_ZONE
        for table in tables:
            with timezone.override(zone):
                expected = _normal(_package_tbody(table, response.wsgi_request))
            assert expected in page, (url, type(table).__name__, expected[:600])
            compared += len(list(table.paginated_rows))
    assert compared > 100
    # The hostile texts were on the pages, escaped.
    for url in (
        reverse("registrar:student_search") + "?field=last_name&q=L*",
        reverse("certification:session_list"),
        reverse("placements:cohort_list"),
    ):
        assert ESCAPED in demo.get(url).content.decode(), url


def test_headers_link_each_sort_and_mark_the_sorted_column(demo):
    url = reverse("registrar:student_search") + "?field=last_name&q=L*&sort=-birth_date"
    html = demo.get(url).content.decode()
    head = re.search(r"<thead.*?</thead>", html, flags=re.S).group(0)
    # The sorted column says so; the others do not.
    assert head.count("aria-sort=") == 1
    born = re.search(r'<th [^>]*aria-sort="descending"[^>]*>(.*?)</th>', head, flags=re.S)
    assert "Date de naissance" in born.group(1)
    # Each header links to the same search sorted by its column, the other parameters kept.
    assert 'href="?field=last_name&amp;q=L%2A&amp;sort=birth_date"' in head
    assert 'href="?field=last_name&amp;q=L%2A&amp;sort=da_number"' in head
    ascending = demo.get(url.replace("-birth_date", "birth_date")).content.decode()
    assert 'aria-sort="ascending"' in ascending


def test_english_headers_and_cells(demo):
    demo.cookies["django_language"] = "en"
    html = demo.get(
        reverse("admissions_sync:applicant_list"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Present" in html or "Removed from Parcoursup" in html


def test_empty_list_says_so(demo):
    html = demo.get(
        reverse("registrar:student_search") + "?field=last_name&q=Zzzzzz"
    ).content.decode()
    tbody = re.search(r"<tbody[^>]*>(.*?)</tbody>", html, flags=re.S).group(1)
    assert 'colspan="8"' in tbody and "Aucun étudiant ne correspond à ce critère." in tbody


@pytest.mark.parametrize(
    "many, few",
    [
        (
            "registrar:student_search?field=last_name&q=L*",
            "registrar:student_search?field=last_name&q=Leblanc&sort=last_name",
        ),
        ("admissions_sync:applicant_list", "admissions_sync:applicant_list?page=9999"),
    ],
)
def test_no_query_per_row(demo, many, few):
    """A full page costs as many queries as a page of one or a few rows."""
    counts = []
    for target in (many, few):
        name, _, query = target.partition("?")
        with CaptureQueriesContext(connection) as captured:
            response = demo.get(reverse(name) + ("?" + query if query else ""))
        tbody = re.search(r"<tbody[^>]*>(.*?)</tbody>", response.content.decode(), flags=re.S)
        counts.append((len(captured.captured_queries), tbody.group(1).count("<tr")))
    (many_queries, many_rows), (few_queries, few_rows) = counts
    assert many_rows > few_rows >= 1
    assert many_queries == few_queries
