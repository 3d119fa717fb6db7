"""URLs of the « fiche d'affectation » (the guide's step 8): students, teachers and clean-up."""

from django.urls import path

from placements.views import assignments

urlpatterns = [
    path(
        "cours/<int:pk>/affectation/<worksheet_kind:kind>/",
        assignments.assignments,
        name="assignments",
    ),
    path(
        "cours/<int:pk>/affectation/<worksheet_kind:kind>/modifier/",
        assignments.assignments_edit,
        name="assignments_edit",
    ),
    path("demandes/<int:pk>/taille/", assignments.request_resize, name="request_resize"),
    path("demandes/<int:pk>/enseignant/", assignments.request_teacher, name="request_teacher"),
]
