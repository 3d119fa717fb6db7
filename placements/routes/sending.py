"""URLs of sending from the outbox (the guide's step 6): « Envoyer » with its options, «
Annuler »."""

from django.urls import path

from placements.views import sending

urlpatterns = [
    path("cours/<int:pk>/boite-de-sortie/envoyer/", sending.outbox_send, name="outbox_send"),
    path("cours/<int:pk>/boite-de-sortie/annuler/", sending.outbox_cancel, name="outbox_cancel"),
]
