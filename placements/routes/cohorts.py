"""URLs of the « Cohortes » screens (the guide's Étape 1)."""

from django.urls import path

from placements.views import cohorts

urlpatterns = [
    path("", cohorts.cohort_list, name="cohort_list"),
    path("cohortes/nouvelle/", cohorts.cohort_create, name="cohort_create"),
    path("cohortes/<int:pk>/", cohorts.cohort_detail, name="cohort_detail"),
    path("cohortes/<int:pk>/cours/ajouter/", cohorts.cohort_course_add, name="cohort_course_add"),
    path("cours/<int:pk>/configuration/", cohorts.course_setup, name="course_setup"),
]
