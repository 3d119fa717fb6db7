"""The one way a view hands a file to the browser (docs/architecture.md rule 8):
``file_response`` for the .pdf, .xlsx and .ods every app makes (reports, attendance sheets,
exports, import templates), and the .csv files other systems import."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv; charset=utf-8",
}


def kind_of(content_type: str) -> str:
    """The kind (« pdf », « xlsx », « ods ») of a content type, « pdf » for any other."""
    for kind, known in CONTENT_TYPES.items():
        if known == content_type:
            return kind
    return "pdf"


def file_response(content: bytes, *, filename: str, kind: str) -> HttpResponse:
    """``content`` as a download named ``filename``: « attachment; filename="…" » (an RFC 5987
    ``filename*`` when the name is not ASCII), and the content type of
    ``kind``, « pdf », « xlsx » or « ods » (KeyError for another: a caller's mistake)."""
    response = HttpResponse(bytes(content), content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
