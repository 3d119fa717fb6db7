"""URLs of the « File d'impression »: preview, « Envoyer un courriel », « Livré », and the
contact window."""

from django.urls import path  # noqa: F401

urlpatterns = []
