"""URLs of the worksheets screens."""

urlpatterns: list = []
