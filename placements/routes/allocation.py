"""URLs of what HSPnet lacks: the over-allocation report and the matching proposal."""

from django.urls import path  # noqa: F401

urlpatterns = []
