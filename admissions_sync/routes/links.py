"""URLs of the personal links' sending: one by one from the desk's file, in bulk from
« Imports Parcoursup » (docs/guide/preinscription.md)."""

from django.urls import path

from admissions_sync.views import links

urlpatterns = [
    path("imports/liens/", links.links_send, name="links_send"),
    path("chaine/candidats/<int:pk>/lien/", links.link_resend, name="link_resend"),
    path("chaine/candidats/<int:pk>/lien/retirer/", links.link_revoke, name="link_revoke"),
]
