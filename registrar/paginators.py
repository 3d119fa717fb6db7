"""Paginators for tables whose row count can be had more cheaply than by COUNT(*) on the
page query."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class KnownCountPaginator(Paginator):
    """A Paginator told its count: ``KnownCountPaginator(rows, 25, count=36037)``."""

    def __init__(self, object_list, per_page, *args, count: int, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count
