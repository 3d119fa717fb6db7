"""Language choice (French unless the user picked English with the header switch), and the
request size limit."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but ignore the browser's Accept-Language.

    Registrar is French first: staff on English-configured workstations still get the
    French screens their guides describe, and switch to English only by choice (the
    language cookie set by the header switch).
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def _megabytes(size: int) -> str:
    """« 16 », « 0,1 »: the limit in megabytes as the French page shows it."""
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0").replace(".", ",")


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than REQUEST_BODY_MAX_BYTES before anything reads it.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves file data out, and an uploaded file larger
    than FILE_UPLOAD_MAX_MEMORY_SIZE is written to the temporary directory in full before a
    form can refuse it. The declared Content-Length is checked here, before the CSRF check
    (the first reader of the body, in its process_view) and the views: an over-large body is
    a French 413 page, and not one byte of it is read or written to disk. Under WSGI, Django
    never reads past Content-Length, so the declared length bounds what is read; a chunked
    body without one would be read as empty, so it is refused (411) rather than lost.
    The reverse proxy has the matching limit (docs/operations.md, client_max_body_size).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        limit = settings.REQUEST_BODY_MAX_BYTES
        declared = request.META.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not declared.strip():
            if chunked:
                return self._page(request, 411, limit)
            return None
        try:
            length = int(declared)
        except ValueError:
            length = -1
        if length < 0:
            return self._page(request, 400, limit)
        if length > limit:
            return self._page(request, 413, limit)
        return None

    @staticmethod
    def _page(request: HttpRequest, status: int, limit: int) -> HttpResponse:
        # The unread body is still on the wire; closing the connection is the server's job
        # (WSGI forbids an application to set Connection): gunicorn's sync workers close
        # after every response, and nginx refused the over-large body first anyway.
        return render(
            request,
            "413.html",
            {"status": status, "max_megabytes": _megabytes(limit)},
            status=status,
        )
