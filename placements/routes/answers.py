"""URLs of the answers (the guide's step 7): the placing coordinator's « demandes en attente –
Env-P », and the receivers' space (« Demandes reçues »)."""

from django.urls import path  # noqa: F401

urlpatterns = []
