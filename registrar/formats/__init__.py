"""The one way dates are shown to users (issue 10, « Dates in reports and lists »).

Templates use Django's localized formats — ``{{ value|date:"SHORT_DATE_FORMAT" }}``
(« 29/11/2026 ») and ``{{ value|date:"SHORT_DATETIME_FORMAT" }}`` (« 29/11/2026 13 h 39 »);
django-tables2's DateColumn and DateTimeColumn use them when given no format. Python code
that builds a message, a report or a PDF uses ``short_date`` and ``short_datetime`` below.
The formats themselves are the ``fr`` and ``en`` modules of this package, which
``FORMAT_MODULE_PATH`` puts before Django's own. File names keep ISO dates
(« rapport-2026-11-29.xlsx »): they sort.
"""

import datetime

from django.utils import formats, timezone


def short_date(value: datetime.date | None) -> str:
    """« 29/11/2026 » in French, « 2026-11-29 » in English; empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = _local(value).date()
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def short_datetime(value: datetime.datetime | None) -> str:
    """« 29/11/2026 13 h 39 » in French, « 2026-11-29 13:39 » in English, in the
    institution's time zone; empty for None."""
    if value is None:
        return ""
    return formats.date_format(_local(value), "SHORT_DATETIME_FORMAT")


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value
