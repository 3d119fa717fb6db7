"""The common form widgets written in Python, for the staff pages' forms (the ``bootstrap``
filter, registrar/templatetags/registrar_ui.py).

Django renders each widget through templates (the input, its attributes, each option of a
select): a search form of two fields cost about 5 ms a page — a third of the staff shell's
time (docs/decisions/0022-page-rendering.md). Here the same markup is written from the
widget's own context (``Widget.get_context``: values, attributes, options and their
selection stay Django's), byte for byte what Django's templates write
(tests/registrar/test_widget_html.py compares them). Any other widget — a custom template,
radio buttons, files — goes through Django as before (``None`` here).
"""

from django import forms
from django.utils.html import conditional_escape

# The widget classes written here, and the template each must still have: a subclass with a
# template of its own is left to Django.
_INPUTS = {
    forms.TextInput: "django/forms/widgets/text.html",
    forms.NumberInput: "django/forms/widgets/number.html",
    forms.EmailInput: "django/forms/widgets/email.html",
    forms.URLInput: "django/forms/widgets/url.html",
    forms.DateInput: "django/forms/widgets/date.html",
    forms.HiddenInput: "django/forms/widgets/hidden.html",
    forms.SearchInput: "django/forms/widgets/search.html",
    forms.TelInput: "django/forms/widgets/tel.html",
}
_SELECTS = {
    forms.Select: "django/forms/widgets/select.html",
    forms.SelectMultiple: "django/forms/widgets/select.html",
}
_TEXTAREA = "django/forms/widgets/textarea.html"


def _attrs(attrs: dict) -> str:
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _select(widget: dict) -> str:
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            out.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _textarea(widget: dict) -> str:
    value = widget["value"]
    inside = conditional_escape(value) if value else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{inside}</textarea>"
    )


def render(bound_field: forms.BoundField, attrs: dict) -> str | None:
    """``bound_field`` as ``bound_field.as_widget(attrs=attrs)`` renders it, or None when its
    widget is not one written here."""
    widget = bound_field.field.widget
    kind = type(widget)
    if _INPUTS.get(kind) == widget.template_name:
        write = _input
    elif _SELECTS.get(kind) == widget.template_name:
        write = _select
    elif kind is forms.Textarea and widget.template_name == _TEXTAREA:
        write = _textarea
    else:
        return None
    # What BoundField.as_widget does before the template.
    if bound_field.field.localize:
        widget.is_localized = True
    attrs = bound_field.build_widget_attrs(dict(attrs), widget)
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound_field.auto_id)
    context = widget.get_context(bound_field.html_name, bound_field.value(), attrs)
    return write(context["widget"])
