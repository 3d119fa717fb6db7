"""URLs of the report back to Parcoursup (« Remontée vers Parcoursup »)."""

from django.urls import path

from admissions_sync.views import export

urlpatterns = [
    path("remontee/", export.export_report, name="export_report"),
    path("remontee/fichier/", export.export_download, name="export_download"),
]
