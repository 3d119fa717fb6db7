"""URLs of the answers (the guide's step 7): the placing coordinator's « demandes en attente –
Env-P », and the receivers' space (« Demandes reçues »)."""

from django.urls import path

from placements.views import answers, receiving

urlpatterns = [
    path("reponses/", answers.pending_answers, name="pending_answers"),
    path("recues/", receiving.received_list, name="received_list"),
    path("recues/<int:pk>/", receiving.received_detail, name="received_detail"),
]
