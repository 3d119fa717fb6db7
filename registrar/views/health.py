"""Health checks for a load balancer (docs/deploy.md, « Health checks »).

Written here rather than with django-health-check: the readiness we need is specific — the
migrations applied, a ``db_worker`` seen in the last minute (registrar.models.
WorkerHeartbeat) — and four small checks are easier to read than that package's plug-ins
and its own templates and URLs; the answers are plain text and JSON for machines.

- ``/healthz``: the process answers (nothing else is checked: a database outage must not
  make the load balancer kill every app server). It goes through the whole middleware, so
  it is also the « trivial view » of the throughput measures (docs/performance.md).
- ``/readyz``: this server can do its work: the database answers, no migration is missing,
  a worker is alive, the file storage takes a write. 503 naming what fails otherwise.
"""

import datetime
import logging
import uuid

from django.contrib.auth.decorators import login_not_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from registrar.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# A worker beats every 10 s (registrar/management/commands/db_worker.py).
WORKER_SEEN_WITHIN = datetime.timedelta(minutes=1)


@require_GET
@never_cache
@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """« ok »: the process is up and answers through the middleware."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@require_GET
@never_cache
@login_not_required
def readyz(request: HttpRequest) -> JsonResponse:
    """Each check's outcome (« ok » or what is wrong); 503 if one is not ok."""
    checks = {
        "database": _database,
        "migrations": _migrations,
        "worker": _worker,
        "storage": _storage,
    }
    results = {}
    for name, check in checks.items():
        try:
            results[name] = check()
        except Exception as exc:  # a check that breaks is a failed check, never a 500
            logger.warning("Readiness check %s failed.", name, exc_info=True)
            results[name] = f"error: {type(exc).__name__}"
    ready = all(value == "ok" for value in results.values())
    return JsonResponse(results, status=200 if ready else 503)


def _database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _migrations() -> str:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    missing = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return "ok" if not missing else f"{len(missing)} migration(s) not applied"


def _worker() -> str:
    seen = WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - WORKER_SEEN_WITHIN)
    return "ok" if seen.exists() else "no worker seen in the last minute"


def _storage() -> str:
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)
    return "ok"
