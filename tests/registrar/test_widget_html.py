"""The common widgets written in Python (registrar/widget_html.py) are byte for byte what
Django's templates write, whatever the values, the choices and the errors."""

import pytest
from django import forms

from registrar import widget_html
from registrar.templatetags.registrar_ui import bootstrap

HOSTILE = '<script>alert("x")</script> & \' é'


class EveryWidget(forms.Form):
    name = forms.CharField(max_length=20, help_text="Aide")
    count = forms.IntegerField(required=False, min_value=0)
    mail = forms.EmailField(required=False)
    link = forms.URLField(required=False)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    search = forms.CharField(required=False, widget=forms.SearchInput)
    phone = forms.CharField(required=False, widget=forms.TelInput)
    field = forms.ChoiceField(
        choices=[("", "---"), ("a", "Nom & prénom"), ("b", HOSTILE)], required=False
    )
    grouped = forms.ChoiceField(
        choices=[("Groupe <1>", [("1", "Un"), ("2", "Deux")]), ("3", "Trois")], required=False
    )
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    disabled = forms.CharField(required=False, disabled=True, initial=HOSTILE)
    number = forms.DecimalField(required=False, localize=True)


DATA = [
    {},
    {
        "name": HOSTILE,
        "count": "١٢",
        "mail": "pas un courriel",
        "link": "javascript:alert(1)",
        "day": "2026-13-45",
        "hidden": HOSTILE,
        "search": "dup*",
        "phone": "514 555-0101",
        "field": "b",
        "grouped": "2",
        "many": ["x", "y"],
        "text": f"{HOSTILE}\nligne 2",
        "number": "12,5",
    },
    {"name": "", "field": "zz", "grouped": "9", "many": ["nope"], "text": ""},
]


@pytest.mark.parametrize("data", DATA)
@pytest.mark.parametrize("bound", [True, False])
def test_every_common_widget_is_written_as_django_writes_it(data, bound):
    form = EveryWidget(data if bound else None, initial={"name": "Lise", "field": "a"})
    if bound:
        form.is_valid()
    written = 0
    for bound_field in form:
        for attrs in ({"class": "form-control"}, {"class": "x", "aria-invalid": "true"}, {}):
            fast = widget_html.render(bound_field, attrs)
            assert fast is not None, bound_field.name
            assert fast == str(bound_field.as_widget(attrs=attrs)), bound_field.name
            written += 1
    assert written == len(form.fields) * 3


def test_other_widgets_are_left_to_django():
    class Others(forms.Form):
        choice = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)
        upload = forms.FileField()
        agree = forms.BooleanField()

    for bound_field in Others():
        assert widget_html.render(bound_field, {}) is None
    custom = forms.TextInput()
    custom.template_name = "registrar/widgets/course_picker.html"

    class Custom(forms.Form):
        course = forms.CharField(widget=custom)

    assert widget_html.render(Custom()["course"], {}) is None


def test_the_bootstrap_filter_marks_errors_and_escapes():
    form = EveryWidget({"name": HOSTILE * 3})
    form.is_valid()
    html = bootstrap(form["name"])
    assert 'class="form-control is-invalid"' in html and 'aria-invalid="true"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html == str(
        form["name"].as_widget(
            attrs={
                "class": "form-control is-invalid",
                "aria-invalid": "true",
                "aria-describedby": "id_name-errors",
            }
        )
    )
