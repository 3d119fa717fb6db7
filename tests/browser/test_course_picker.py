"""The course picker widget in a browser: open the dialog, search, choose a course."""

import pytest
from django import forms

from registrar import roles
from registrar.demo import SeedReport, seed_reference_data
from registrar.widgets import CoursePickerWidget
from tests.browser.conftest import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


class EnrolmentForm(forms.Form):
    course = forms.CharField(label="Cours", widget=CoursePickerWidget())


def _open_picker(page):
    """Log in, place the widget in a page of the shell and open its dialog."""
    seed_reference_data(SeedReport())
    UserFactory(username="agent", password="agent-password", roles=[roles.REGISTRAR_STAFF])
    log_in(page, "agent", "agent-password")
    # Later issues put the widget in their forms; here it is placed in a page of the shell,
    # inside a <form>, as a form would render it.
    # Logging in lands on the home page: wait for it (and its accessibility check) rather
    # than leave it for another load of the same page.
    page.locator(".app-nav").wait_for()
    widget_html = f'<form id="host-form" method="post">{EnrolmentForm()["course"]}</form>'
    page.evaluate(
        "html => { const main = document.getElementById('main');"
        " main.insertAdjacentHTML('afterbegin', html); htmx.process(main); }",
        widget_html,
    )
    page.get_by_role("button", name="Rechercher").click()
    return page.get_by_role("dialog", name="Recherche de cours")


def test_pick_a_course_fills_the_field(page, screenshot):
    dialog = _open_picker(page)
    dialog.get_by_label("Rechercher").wait_for()
    dialog.get_by_label("Dans le champ").select_option(label="Titre du cours")
    dialog.get_by_label("Rechercher").fill("littérature")
    dialog.get_by_role("cell", name="601-103-MQ").wait_for()
    screenshot("course-picker")
    dialog.get_by_role("button", name="Choisir").click()
    dialog.wait_for(state="hidden")
    assert page.locator("#id_course").input_value() == "601-103-MQ"
    # The dialog's own inputs never join the page's form.
    names = page.evaluate("() => [...new FormData(document.getElementById('host-form')).keys()]")
    assert names == ["course"]


def test_text_typed_while_the_picker_loads_is_searched_once_it_is_ready(page):
    """Typing before htmx listens to the box (the dialog's body just arrived) is not lost:
    when the picker's body is loaded with text in its box, that text is searched."""
    dialog = _open_picker(page)
    box = dialog.get_by_label("Rechercher")
    box.wait_for()
    # The box's value set without an input event (as when typed before htmx listened), then
    # the body announced as loaded, as htmx does when it arrives.
    page.evaluate(
        "() => { const body = document.querySelector('.modal.show .course-picker-body');"
        " body.querySelector(\"input[name='q']\").value = 'INS-TEE*';"
        " htmx.trigger(body, 'htmx:load', {elt: body}); }"
    )
    dialog.get_by_role("cell", name="INS-TEE-RA").wait_for()
    assert dialog.get_by_text("1 cours trouvé").is_visible()
