"""URLs of the enrollments screens."""

urlpatterns: list = []
