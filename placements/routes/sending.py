"""URLs of sending from the outbox (the guide's step 6): « Envoyer » with its options, «
Annuler »."""

from django.urls import path  # noqa: F401

urlpatterns = []
