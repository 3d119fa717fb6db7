"""Paginators for tables whose row count can be had more cheaply than by COUNT(*) on the
page query, and the RequestConfig every table view uses."""

import django_tables2
from django.core.paginator import EmptyPage, Paginator
from django.utils.functional import cached_property

from registrar.text import parse_id


class KnownCountPaginator(Paginator):
    """A Paginator told its count: ``KnownCountPaginator(rows, 25, count=36037)``."""

    def __init__(self, object_list, per_page, *args, count: int, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


class RequestConfig(django_tables2.RequestConfig):
    """django-tables2's RequestConfig, but the page size is the view's and the page number
    is read in ASCII digits.

    django-tables2 takes ``?per_page=`` from the request and ``int()``s it: « -1 » made the
    paginator slice a queryset with a negative index (a 500), « 100000 » rendered every row
    at once. No screen offers a page size, so the request's is ignored; a page that is not
    a number (« ² », « ١٢ », « 1e3 ») is the first page, and a page past the end the last.
    """

    def configure(self, table):
        table.request = self.request
        order_by = self.request.GET.getlist(table.prefixed_order_by_field)
        if order_by:
            table.order_by = order_by
        if self.paginate:
            kwargs = dict(self.paginate) if hasattr(self.paginate, "items") else {}
            kwargs.pop("silent", None)
            page = parse_id(self.request.GET.get(table.prefixed_page_field)) or 1
            try:
                table.paginate(page=page, **kwargs)
            except EmptyPage:
                table.page = table.paginator.page(table.paginator.num_pages)
        return table
