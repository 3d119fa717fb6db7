"""The answer to an error nobody caught (``handler500``, registrar/urls.py).

Two faults of the platform, not of the code, get a page that says what happens and that
nothing was written, instead of « Erreur du serveur » (docs/deploy.md, « Pannes »):

- the database cannot be reached (PostgreSQL restarting, the network): 503 with a French
  page and ``Retry-After``. Each request tries the database again, so the application
  recovers by itself as soon as it is back (a broken connection is closed at the end of the
  request: Django's ``close_old_connections``);
- the disk is full (ENOSPC, EDQUOT) while an upload is read or a file is stored: 507, « rien
  n'a été enregistré » — the transaction of the request's service is rolled back, and the
  local file storage writes no partial file (registrar/storage.py).

Anything else is the 500 page. These pages are rendered without the request's context
processors: they must not need the database (the user, the session) to be shown.
"""

import errno
import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


def _database_unreachable(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        if isinstance(exc, DatabaseError):
            return False
        exc = exc.__cause__ or exc.__context__
    return False


def _disk_full(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in DISK_FULL:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    """503 when the database is unreachable, 507 when the disk is full, 500 otherwise
    (Django calls this inside its ``except``: the exception is ``sys.exc_info()``)."""
    exc = sys.exc_info()[1]
    context = {"language": get_language() or "fr"}
    if _database_unreachable(exc):
        response = HttpResponse(render_to_string("503.html", context), status=503)
        response["Retry-After"] = "30"
        return response
    if _disk_full(exc):
        logger.error("Disk full while serving %s", request.path)
        return HttpResponse(render_to_string("507.html", context), status=507)
    return HttpResponse(render_to_string("500.html", context), status=500)
