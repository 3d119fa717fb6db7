"""URLs of the desk pages (filled by part 2)."""

urlpatterns: list = []
