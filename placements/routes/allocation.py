"""URLs of what HSPnet lacks: the over-allocation report and the matching proposal."""

from django.urls import path

from placements.views import allocation

urlpatterns = [
    path("surallocation/", allocation.capacity_report, name="capacity_report"),
    path(
        "cours/<int:pk>/affectation/<worksheet_kind:kind>/proposition/",
        allocation.matching,
        name="matching",
    ),
]
