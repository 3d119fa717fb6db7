"""Template helpers of the staff UI."""

from django import forms, template
from django.utils.safestring import mark_safe

from registrar import widget_html

register = template.Library()

_CHECK_WIDGETS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


@register.filter
def bootstrap(bound_field):
    """Render a form field's widget with Bootstrap's classes, marked invalid when it has errors.

    A filter rather than a global form renderer: the Django admin shares the widget templates
    and must keep its own look.
    """
    widget = bound_field.field.widget
    if isinstance(widget, _CHECK_WIDGETS):
        css = "form-check-input"
    elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
        css = "form-select"
    else:
        css = "form-control"
    existing = widget.attrs.get("class", "")
    if bound_field.errors:
        css += " is-invalid"
    attrs = {"class": f"{existing} {css}".strip()}
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{bound_field.auto_id}-errors"
    # The common widgets are written in Python, as Django's templates would (a third of
    # the shell's time); the others through Django.
    html = widget_html.render(bound_field, attrs)
    if html is not None:
        return mark_safe(html)
    return bound_field.as_widget(attrs=attrs)
