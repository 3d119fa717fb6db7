"""URLs of the Parcoursup applicants pages."""

urlpatterns = []
