"""URLs of « Imports Parcoursup » (under /admissions/imports/)."""

from django.urls import path

from admissions_sync.views import imports

urlpatterns = [
    path("imports/", imports.import_list, name="import_list"),
    path("imports/nouveau/", imports.import_upload, name="import_upload"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/confirmer/", imports.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/abandonner/", imports.import_abandon, name="import_abandon"),
]
