"""URLs of « Inscriptions pour ce cours » and of the preferences (the guide's steps 2 and 3)."""

from django.urls import path

from placements.views import enrollments, preferences

urlpatterns = [
    path("cours/<int:pk>/inscriptions/", enrollments.enrollments, name="enrollments"),
    path(
        "cours/<int:pk>/inscriptions/televerser/",
        enrollments.enrollments_upload,
        name="enrollments_upload",
    ),
    path(
        "cours/<int:pk>/inscriptions/chercher/",
        enrollments.enrollments_search,
        name="enrollments_search",
    ),
    path(
        "cours/<int:pk>/inscriptions/fictif/",
        enrollments.enrollment_fictitious_add,
        name="enrollment_fictitious_add",
    ),
    path(
        "inscriptions/<int:pk>/remplacer/",
        enrollments.enrollment_replace,
        name="enrollment_replace",
    ),
    path("inscriptions/<int:pk>/preferences/", preferences.preferences, name="preferences"),
    path("cours/<int:pk>/preferences/", preferences.preferences_bulk, name="preferences_bulk"),
]
