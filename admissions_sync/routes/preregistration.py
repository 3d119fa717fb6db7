"""URLs of the preregistration pages (filled by part 2)."""

urlpatterns: list = []
