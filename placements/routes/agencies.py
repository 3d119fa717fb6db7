"""URLs of the agencies screens (under /stages/organismes/)."""

from django.urls import path

from placements.views import agencies

urlpatterns = [
    path("", agencies.agency_list, name="agency_list"),
    path("importer/", agencies.agency_import, name="agency_import"),
    path(
        "importer/modele.<str:extension>",
        agencies.agency_import_template,
        name="agency_import_template",
    ),
    path("<int:pk>/", agencies.agency_detail, name="agency_detail"),
]
