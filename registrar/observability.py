"""What production logs (docs/deploy.md, « Logs »): one structured line per request and per
background task, and the request id that ties them.

- RequestLogMiddleware (first in MIDDLEWARE): takes the request id nginx sends
  (``X-Request-ID``, docs/deploy.md) or makes one, gives it back in the response, and, once
  the response is made, logs one line on ``registrar.request``: method, path, status,
  duration, the number of SQL queries, the user id.
- ContextFilter (on the handlers): every log line written while a request or a task runs
  carries its ``request_id``.
- The id of the request that enqueued a task travels with it (registrar.services.jobs,
  registrar.tasks.run_job), so a job's lines say which click asked for it.

The lines are JSON (python-json-logger) unless LOG_FORMAT=text (registrar/settings.py).
"""

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

request_logger = logging.getLogger("registrar.request")
task_logger = logging.getLogger("registrar.task")

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# nginx's $request_id is 32 hex digits; a forged header is replaced, never logged as is.
_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


def current_request_id() -> str:
    """The id of the request (or task) being served, "" outside one."""
    return _request_id.get()


class ContextFilter(logging.Filter):
    """Adds ``request_id`` to every record (empty outside a request or a task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def counting_queries(counter: _QueryCounter) -> Iterator[_QueryCounter]:
    """Counts in ``counter`` the SQL queries run meanwhile on every database connection of
    this thread."""
    wrappers = [connection.execute_wrapper(counter) for connection in connections.all()]
    for wrapper in wrappers:
        wrapper.__enter__()
    try:
        yield counter
    finally:
        for wrapper in reversed(wrappers):
            wrapper.__exit__(None, None, None)


class RequestLogMiddleware:
    """One line per request on ``registrar.request`` (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id
        id_token = _request_id.set(request_id)
        started = time.perf_counter()
        status = 500
        queries = _QueryCounter()
        try:
            with counting_queries(queries):
                response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            # The user as authentication loaded it (request.user is lazy): never a query of
            # our own.
            user = getattr(
                getattr(request, "user", None), "_wrapped", getattr(request, "user", None)
            )
            user_id = getattr(user, "pk", None) if user is not empty else None
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                status,
                extra={
                    "request_id": request_id,
                    "user_id": user_id,
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "queries": queries.count,
                },
            )
            _request_id.reset(id_token)


@contextmanager
def task_context(*, name: str, request_id: str = "", **fields) -> Iterator[None]:
    """Runs a background task under the id of the request that asked for it (or a new
    one), and logs one line on ``registrar.task`` when it ends: its name, the fields given
    (job id, kind), its outcome, duration and number of queries."""
    request_id = request_id if _REQUEST_ID.fullmatch(request_id or "") else uuid.uuid4().hex
    token = _request_id.set(request_id)
    started = time.perf_counter()
    outcome = "error"
    queries = _QueryCounter()
    try:
        with counting_queries(queries):
            yield
        outcome = "ok"
    finally:
        task_logger.info(
            "task %s %s",
            name,
            outcome,
            extra={
                "request_id": request_id,
                "task": name,
                "outcome": outcome,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "queries": queries.count,
                **fields,
            },
        )
        _request_id.reset(token)
