"""URLs of the agencies screens."""

urlpatterns: list = []
