"""Reads shared by views: the searches and their counts."""

import pytest

from registrar import selectors
from tests.factories import AdmissionFactory, ProgramFactory, StudentFactory, TermFactory

pytestmark = pytest.mark.django_db


def test_count_by_admission_agrees_with_the_search():
    nursing = ProgramFactory(code="180.A0", title="Soins infirmiers")
    a17, h18 = TermFactory(code="A-2017"), TermFactory(code="H-2018")
    twice = StudentFactory()
    AdmissionFactory(student=twice, program=nursing, term=a17, grid_code="180A0-16A-RG")
    AdmissionFactory(student=twice, program=nursing, term=h18, grid_code="180A0-18A-RG")
    AdmissionFactory(program=nursing, term=a17, grid_code="180A0-16A-RG")
    AdmissionFactory(term=a17)  # JEE.0K
    for field, text in (
        ("program_code", "180*"),
        ("program_title", "soins"),
        ("program_code", "JEE.0K"),
    ):
        found = selectors.search_students(field=field, text=text)
        assert selectors.count_students_by_admission(field=field, text=text) == found.count()
    assert selectors.count_students_by_admission(field="program_code", text="180*") == 2


def test_count_by_admission_is_only_for_program_criteria():
    assert selectors.count_students_by_admission(field="last_name", text="Leb*") is None


def test_unknown_field_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown search field"):
        selectors.search_students(field="nickname", text="x")
    with pytest.raises(ValueError, match="unknown course search criterion"):
        selectors.search_courses(criterion="nickname", text="x")


def test_latest_admission_columns():
    student = StudentFactory()
    AdmissionFactory(student=student, term=TermFactory(code="H-2018"), grid_code="NEW-1")
    AdmissionFactory(student=student, term=TermFactory(code="A-2017"), grid_code="OLD-1")
    annotated = selectors.with_latest_admission(type(student).objects.filter(pk=student.pk)).get()
    assert (annotated.grid_code, annotated.admission_term_code) == ("NEW-1", "H-2018")


# --------------------------------------------------------------------------------------
# The header's terms, from the cache (registrar/selectors.py)
# --------------------------------------------------------------------------------------

LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _request(session: dict | None = None):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.session = session or {}
    return request


def test_the_header_reads_the_terms_once_and_forgets_them_when_one_changes(
    django_assert_num_queries,
):
    import datetime

    from django.core.cache import cache
    from django.test import override_settings

    from registrar.models import Term

    autumn = TermFactory(code="A-2026", start_date=datetime.date(2026, 8, 20))
    with override_settings(CACHES=LOCAL_CACHE):
        cache.clear()
        with django_assert_num_queries(1):
            assert [c["code"] for c in selectors.term_choices()] == ["A-2026"]
        with django_assert_num_queries(0):  # from the cache, the working term too
            assert selectors.term_choices()[0] == {
                "pk": autumn.pk,
                "code": "A-2026",
                "label": "Automne 2026",
            }
            assert selectors.working_term(_request()) == autumn
        winter = TermFactory(code="H-2027")  # saved: forgotten
        assert [c["code"] for c in selectors.term_choices()] == ["H-2027", "A-2026"]
        chosen = {selectors.WORKING_TERM_SESSION_KEY: winter.pk}
        assert selectors.working_term(_request(chosen)) == winter
        Term.objects.filter(pk=winter.pk).delete()  # deleted: forgotten
        assert [c["code"] for c in selectors.term_choices()] == ["A-2026"]
        # A term chosen in the session that no longer exists: the current one.
        assert selectors.working_term(_request(chosen)) == autumn
        cache.clear()


def test_the_current_term_from_the_list_is_the_databases_current_term():
    import datetime

    from registrar.models import Term

    TermFactory(
        code="H-2026", start_date=datetime.date(2026, 1, 10), end_date=datetime.date(2026, 5, 20)
    )
    TermFactory(
        code="E-2026", start_date=datetime.date(2026, 5, 25), end_date=datetime.date(2026, 8, 10)
    )
    TermFactory(
        code="A-2026", start_date=datetime.date(2026, 8, 20), end_date=datetime.date(2026, 12, 20)
    )
    terms = list(Term.objects.order_by("year", "season"))
    for day in (
        "2025-06-01",
        "2026-01-10",
        "2026-05-22",
        "2026-07-01",
        "2026-08-15",
        "2026-12-20",
        "2027-03-01",
    ):
        today = datetime.date.fromisoformat(day)
        assert selectors.current_term(terms, today) == Term.objects.current(today), day
    assert selectors.current_term([], datetime.date(2026, 1, 1)) is None


def test_the_switch_shows_the_seasons_in_the_users_language():
    from django.utils import translation

    TermFactory(code="E-2026")
    with translation.override("en"):
        assert selectors.term_choices()[0]["label"] == "Summer 2026"
