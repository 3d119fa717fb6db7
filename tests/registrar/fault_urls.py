"""A URLconf whose views fail the way the platform can (tests/registrar/test_production.py):
the database unreachable, the disk full, a plain bug; with registrar's handler500."""

import errno

from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError
from django.urls import path


@login_not_required
def database_down(request):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


@login_not_required
def disk_full(request):
    raise OSError(errno.ENOSPC, "No space left on device")


@login_not_required
def bug(request):
    raise ZeroDivisionError("secret detail of the bug")


handler500 = "registrar.views.errors.server_error"

urlpatterns = [
    path("base-indisponible/", database_down),
    path("disque-plein/", disk_full),
    path("bogue/", bug),
]
