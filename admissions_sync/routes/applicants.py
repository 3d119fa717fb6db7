"""URLs of the Parcoursup applicants pages (« Candidats admis »)."""

from django.urls import path

from admissions_sync.views import applicants

urlpatterns = [
    path("candidats/", applicants.applicant_list, name="applicant_list"),
    path("candidats/<int:pk>/", applicants.applicant_detail, name="applicant_detail"),
]
