"""The admissions app's URLs under /admissions/ (namespace ``admissions_sync:``); each part in
its module of admissions_sync/routes/."""

from django.urls import include, path

app_name = "admissions_sync"

urlpatterns = [
    path("", include("admissions_sync.routes.imports")),
    path("", include("admissions_sync.routes.applicants")),
    path("", include("admissions_sync.routes.export")),
    path("", include("admissions_sync.routes.preregistration")),
    path("", include("admissions_sync.routes.desk")),
    path("", include("admissions_sync.routes.links")),
]
