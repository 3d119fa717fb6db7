"""URLs of the « File d'impression »: preview, « Envoyer un courriel », « Livré », and the
contact window."""

from django.urls import path

from placements.views import print_queue as views

urlpatterns = [
    path("file-impression/", views.print_queue, name="print_queue"),
    path("file-impression/<int:pk>/apercu/", views.report_preview, name="report_preview"),
    path("file-impression/<int:pk>/courriel/", views.report_email, name="report_email"),
    path("file-impression/<int:pk>/livre/", views.report_delivered, name="report_delivered"),
    path("file-impression/<int:pk>/refaire/", views.report_retry, name="report_retry"),
    path(
        "personnes-ressources/<int:pk>/modifier/",
        views.contact_update,
        name="contact_update",
    ),
]
