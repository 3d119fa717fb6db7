"""URLs of the applicant's online pre-registration (public pages, reached through the
personal link: admissions_sync/views/preregistration.py)."""

from django.urls import path

from admissions_sync.views import preregistration as views

urlpatterns = [
    path("preinscription/", views.preregistration_home, name="preregistration_home"),
    path(
        "preinscription/lien/<str:token>/",
        views.preregistration_link,
        name="preregistration_link",
    ),
    path(
        "preinscription/recevoir-mon-lien/",
        views.preregistration_request,
        name="preregistration_request",
    ),
    path("preinscription/quitter/", views.preregistration_logout, name="preregistration_logout"),
    path(
        "preinscription/etapes/<str:step>/",
        views.preregistration_step,
        name="preregistration_step",
    ),
    path(
        "preinscription/signaler-une-erreur/",
        views.preregistration_error,
        name="preregistration_error",
    ),
    path(
        "preinscription/pieces/<str:kind>/",
        views.preregistration_document,
        name="preregistration_document",
    ),
    path(
        "preinscription/pieces/<str:kind>/fichier/",
        views.preregistration_document_file,
        name="preregistration_document_file",
    ),
    path(
        "preinscription/recapitulatif/",
        views.preregistration_summary,
        name="preregistration_summary",
    ),
    path(
        "preinscription/valider/",
        views.preregistration_submit,
        name="preregistration_submit",
    ),
    path(
        "preinscription/recapitulatif.pdf",
        views.preregistration_pdf,
        name="preregistration_pdf",
    ),
]
