"""The placements app's URLs under /stages/ (namespace ``placements:``); each part of the
cycle's in its module of placements/routes/."""

from django.urls import include, path, register_converter

from placements.converters import WorksheetKindConverter

register_converter(WorksheetKindConverter, "worksheet_kind")

app_name = "placements"

urlpatterns = [
    path("", include("placements.routes.cohorts")),
    path("", include("placements.routes.enrollments")),
    path("", include("placements.routes.worksheets")),
    path("", include("placements.routes.sending")),
    path("", include("placements.routes.print_queue")),
    path("", include("placements.routes.answers")),
    path("", include("placements.routes.assignments")),
    path("", include("placements.routes.allocation")),
    path("organismes/", include("placements.routes.agencies")),
]
