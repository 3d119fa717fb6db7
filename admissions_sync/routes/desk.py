"""URLs of the registration desk (« chaîne d'inscription », under /admissions/chaine/)."""

from django.urls import path

from admissions_sync.views import desk

urlpatterns = [
    path("chaine/", desk.desk_dashboard, name="desk_dashboard"),
    path("chaine/recherche/", desk.desk_search, name="desk_search"),
    path("chaine/candidats/<int:pk>/", desk.desk_file, name="desk_file"),
    path(
        "chaine/candidats/<int:pk>/pieces/<int:document>/",
        desk.desk_document,
        name="desk_document",
    ),
    path(
        "chaine/candidats/<int:pk>/pieces/<int:document>/verifier/",
        desk.desk_document_review,
        name="desk_document_review",
    ),
    path("chaine/candidats/<int:pk>/corriger/<str:step>/", desk.desk_correct, name="desk_correct"),
    path("chaine/candidats/<int:pk>/renvoyer/", desk.desk_return, name="desk_return"),
    path("chaine/candidats/<int:pk>/paiement/", desk.desk_payment, name="desk_payment"),
    path("chaine/candidats/<int:pk>/paiement/recu.pdf", desk.desk_receipt, name="desk_receipt"),
    path("chaine/candidats/<int:pk>/valider/", desk.desk_validate, name="desk_validate"),
    path(
        "chaine/candidats/<int:pk>/valider/certificat.pdf",
        desk.desk_certificate,
        name="desk_certificate",
    ),
    path("chaine/candidats/<int:pk>/annuler/", desk.desk_cancel, name="desk_cancel"),
]
