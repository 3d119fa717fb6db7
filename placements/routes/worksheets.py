"""URLs of the worksheets, the outbox, a request's details and the « fiche d'affectation »
(the guide's steps 4 and 5)."""

from django.urls import path

from placements.views import outbox, requests, worksheets

urlpatterns = [
    path("cours/<int:pk>/fiche/<worksheet_kind:kind>/", worksheets.worksheet, name="worksheet"),
    path(
        "cours/<int:pk>/fiche/<worksheet_kind:kind>/ajouter/",
        worksheets.place_create,
        name="place_create",
    ),
    path(
        "cours/<int:pk>/fiche/<worksheet_kind:kind>/chercher/",
        worksheets.destination_search,
        name="destination_search",
    ),
    path(
        "cours/<int:pk>/fiche/<worksheet_kind:kind>/copier/",
        worksheets.worksheet_copy,
        name="worksheet_copy",
    ),
    path("demandes/<int:pk>/", requests.request_detail, name="request_detail"),
    path("demandes/<int:pk>/modifier/", worksheets.place_update, name="place_update"),
    path("demandes/<int:pk>/copier/", worksheets.place_copy, name="place_copy"),
    path("demandes/<int:pk>/supprimer/", worksheets.place_delete, name="place_delete"),
    path("cours/<int:pk>/boite-de-sortie/", outbox.outbox, name="outbox"),
]
