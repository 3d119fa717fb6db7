"""URLs of the Parcoursup imports pages."""

urlpatterns = []
