"""URLs of the « fiche d'affectation » (the guide's step 8): students, teachers and clean-up."""

from django.urls import path

from placements.views import worksheets

urlpatterns = [
    path(
        "cours/<int:pk>/affectation/<worksheet_kind:kind>/",
        worksheets.assignments,
        name="assignments",
    ),
]
