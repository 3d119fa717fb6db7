"""URLs of the Parcoursup export pages."""

urlpatterns = []
