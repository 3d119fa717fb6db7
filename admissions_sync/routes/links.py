"""URLs of the links pages (filled by part 2)."""

urlpatterns: list = []
