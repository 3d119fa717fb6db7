"""Small valid and invalid files for the pre-registration's upload tests."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile


def jpeg_bytes() -> bytes:
    from PIL import Image

    stream = io.BytesIO()
    Image.new("RGB", (40, 50), (200, 120, 80)).save(stream, format="JPEG")
    return stream.getvalue()


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"\x00\xff\x00\x00"  # one red pixel, filter byte first
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def upload(content: bytes, name: str, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def jpeg(name="photo.jpg"):
    return upload(jpeg_bytes(), name, "image/jpeg")


def png(name="photo.png"):
    return upload(png_bytes(), name, "image/png")


def pdf(name="piece.pdf"):
    return upload(pdf_bytes(), name, "application/pdf")
