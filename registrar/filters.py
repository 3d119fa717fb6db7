"""What the list filters of every app share (django-filter, docs/architecture.md « filters »).

A list's filters are a ``django_filters.FilterSet`` in its app's ``filters.py``, bound to the
request's GET parameters. A value the filter does not accept — forged text included — is an
error of the filter's form, and that filter is left off: the list is shown unfiltered,
never a 500.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError

from registrar.text import parse_id


def valid_values(filterset: django_filters.FilterSet) -> dict:
    """The values of ``filterset``'s filters that were given and valid (the ones it applies),
    by filter name; {} when it was given no data."""
    if not filterset.is_bound:
        return {}
    filterset.form.is_valid()
    return filterset.form.cleaned_data


class ObjectChoiceField(forms.ChoiceField):
    """One of ``objects``, chosen by its id; cleans to the object.

    The objects are the ones the view has already read (and shows as the options): neither
    checking a choice nor drawing the options costs a query. The id is read as every id of
    a request is (registrar.text.parse_id): « ² », « ١٢ », « +7 », « 7.0 » or a number past
    bigint are no choice — whatever int() would make of them.
    """

    def __init__(self, *, objects=(), empty_label: str = "", **kwargs):
        self.objects = {obj.pk: obj for obj in objects}
        kwargs["choices"] = [("", empty_label), *((obj.pk, str(obj)) for obj in objects)]
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        obj = self.objects.get(parse_id(value))
        if obj is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return obj

    def validate(self, value):
        # to_python has checked the choice; only « required » is left.
        forms.Field.validate(self, value)


class ObjectChoiceFilter(django_filters.Filter):
    """A filter on one of the objects a view lists (``field_name`` = the object). The
    FilterSet hands them over per request: ``self.filters[name].extra["objects"] = …``
    before its form is built."""

    field_class = ObjectChoiceField
