"""The check of an applicant's uploaded document BY ITS CONTENT (docs/guide/preinscription.md):
JPEG, PNG or PDF only, recognised by their bytes (signature and basic structure), at most
5 MB, not empty; a file whose name or declared type says something else than its bytes is
refused. Reads the upload; writes nothing."""

import hashlib
import struct
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_SIZE = 5 * 1024 * 1024
PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
CONTENT_TYPES = (PDF, PNG, JPEG)
EXTENSIONS = {PDF: {"pdf"}, PNG: {"png"}, JPEG: {"jpg", "jpeg", "jpe", "jfif"}}
# The declared types browsers send for these files (« image/pjpeg » by old ones; some send
# « application/octet-stream » for anything, which says nothing either way).
DECLARED = {
    PDF: {PDF, "application/x-pdf"},
    PNG: {PNG, "image/x-png"},
    JPEG: {JPEG, "image/pjpeg", "image/jpg"},
}
NEUTRAL_DECLARED = {"", "application/octet-stream", "binary/octet-stream"}

EMPTY = _("Le fichier est vide : choisissez un autre fichier.")
TOO_LARGE = _(
    "Le fichier dépasse 5 Mo (%(size)s Mo) : réduisez-le (photo moins grande, PDF compressé) "
    "puis déposez-le de nouveau."
)
NOT_ACCEPTED = _(
    "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG : seuls ces formats sont acceptés."
)
DAMAGED = _(
    "Ce fichier %(kind)s est incomplet ou endommagé : enregistrez-le de nouveau puis déposez-le."
)
LIES = _(
    "Le nom ou le type de ce fichier (« %(name)s ») ne correspond pas à son contenu, qui est "
    "un %(kind)s : renommez-le avec la bonne extension (.%(extension)s) puis déposez-le."
)
NO_FILE = _("Choisissez un fichier.")
KIND_NAMES = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG"}


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    content_type: str
    original_name: str
    size: int
    checksum: str


def _is_jpeg(data: bytes) -> bool | None:
    if not data.startswith(b"\xff\xd8\xff"):
        return None
    # An end-of-image marker; cameras may append a few bytes of padding after it.
    return b"\xff\xd9" in data[-64:]


def _is_png(data: bytes) -> bool | None:
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    if len(data) < 33 or data[12:16] != b"IHDR" or struct.unpack(">I", data[8:12])[0] != 13:
        return False
    width, height = struct.unpack(">II", data[16:24])
    return width > 0 and height > 0 and b"IEND" in data[-16:]


def _is_pdf(data: bytes) -> bool | None:
    # The header may follow a few bytes of garbage (the PDF specification tolerates 1024).
    if b"%PDF-" not in data[:1024]:
        return None
    return b"%%EOF" in data[-1024:]


_SNIFFERS = ((JPEG, _is_jpeg), (PNG, _is_png), (PDF, _is_pdf))


def sniff(data: bytes) -> tuple[str | None, bool]:
    """(content type, well formed) of ``data`` by its bytes; (None, False) if none of ours."""
    for content_type, check in _SNIFFERS:
        found = check(data)
        if found is not None:
            return content_type, bool(found)
    return None, False


def check_upload(uploaded) -> CheckedFile:
    """``uploaded`` (a Django UploadedFile) read whole and checked: raises ValidationError
    with a French message when empty, over 5 MB, not a JPEG/PNG/PDF by its bytes, damaged,
    or when its extension or declared type says another format."""
    if uploaded is None:
        raise ValidationError(NO_FILE)
    size = getattr(uploaded, "size", None) or 0
    if size > MAX_SIZE:
        raise ValidationError(
            TOO_LARGE, params={"size": f"{size / 1024 / 1024:.1f}".replace(".", ",")}
        )
    uploaded.seek(0)
    data = uploaded.read(MAX_SIZE + 1)
    if len(data) > MAX_SIZE:
        raise ValidationError(
            TOO_LARGE, params={"size": f"{len(data) / 1024 / 1024:.1f}".replace(".", ",")}
        )
    if not data:
        raise ValidationError(EMPTY)
    content_type, well_formed = sniff(data)
    if content_type is None:
        raise ValidationError(NOT_ACCEPTED)
    kind = KIND_NAMES[content_type]
    if not well_formed:
        raise ValidationError(DAMAGED, params={"kind": kind})
    name = (getattr(uploaded, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1][:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    declared = (getattr(uploaded, "content_type", "") or "").split(";")[0].strip().lower()
    if (extension and extension not in EXTENSIONS[content_type]) or (
        declared not in NEUTRAL_DECLARED and declared not in DECLARED[content_type]
    ):
        raise ValidationError(
            LIES,
            params={
                "name": name[:80],
                "kind": kind,
                "extension": sorted(EXTENSIONS[content_type])[0] if content_type != JPEG else "jpg",
            },
        )
    return CheckedFile(
        content=data,
        content_type=content_type,
        original_name=name or f"document.{sorted(EXTENSIONS[content_type])[0]}",
        size=len(data),
        checksum=hashlib.sha256(data).hexdigest(),
    )
