"""URLs of the « File d'impression »: preview, « Envoyer un courriel », « Livré », and the
contact window."""

from django.urls import path

from placements.views import print_queue as views

urlpatterns = [
    path(
        "file-impression/<int:pk>/apercu/",
        views.report_preview,
        name="report_preview",
    ),
]
