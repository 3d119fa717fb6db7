from django.urls import path

from tests.plugged_app import views

app_name = "plugged_app"

urlpatterns = [
    path("", views.index, name="index"),
    path("porte/", views.index, name="door"),
    path("etudiants/<int:pk>/", views.file_section, name="file_section"),
]
