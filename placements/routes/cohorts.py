"""URLs of the cohorts screens."""

urlpatterns: list = []
