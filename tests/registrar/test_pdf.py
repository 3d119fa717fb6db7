"""registrar/pdf.py: nothing is fetched while a PDF is made (an http:// image, a style sheet,
a file: or data: URL are left out), the shared DejaVu fonts, chunks joined with their pages
numbered across and progress; and registrar/downloads.py's file_response."""

import io
import socket

import pytest
from pypdf import PdfReader

from registrar import pdf
from registrar.downloads import file_response

TEMPLATE = "tests/pdf_sample.html"


@pytest.fixture
def sample_template(tmp_path, settings):
    """A template of our own, with what a user's text could bring into a document: remote
    and local images, a remote style sheet and font, a data: URL."""
    folder = tmp_path / "tests"
    folder.mkdir()
    (folder / "pdf_sample.html").write_text(
        """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<link rel="stylesheet" href="http://example.invalid/style.css">
<style>
@font-face { font-family: Far; src: url(http://example.invalid/far.woff2); }
@page { @bottom-right { content: "Page " counter(page); } }
@page :first { counter-reset: page {{ first_page|default:1 }}; }
h1 { font-family: Far, serif; }
</style></head><body>
<h1>{{ title }}</h1>
<p>Élève « accentué » ’ — {{ line|default:"" }}</p>
<img src="http://example.invalid/logo.png" alt="">
<img src="file:///etc/hostname" alt="">
<img src="data:image/png;base64,iVBORw0KGgo=" alt="">
<p class="mono">KXRT42</p>
{% if break %}<p style="break-before: page">suite</p>{% endif %}
</body></html>""",
        encoding="utf-8",
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    return TEMPLATE


@pytest.fixture
def no_network(monkeypatch):
    """Any connection attempt fails the test (and is recorded)."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access while rendering a PDF: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def _fonts(content: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(content))
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        names |= {str(fonts[key].get_object()["/BaseFont"]) for key in fonts}
    return names


def _text(content: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def test_nothing_is_fetched_and_the_text_is_there(sample_template, no_network):
    content = pdf.render_pdf(sample_template, {"title": "Feuille d'émargement"})
    assert content.startswith(b"%PDF")
    assert no_network == []
    [page] = _text(content)
    assert "Feuille d'émargement" in page and "Élève « accentué » ’" in page
    # Neither the remote nor the local nor the data: image made it into the file.
    reader = PdfReader(io.BytesIO(content))
    assert not reader.pages[0]["/Resources"].get("/XObject")


def test_the_shared_fonts(sample_template, no_network):
    fonts = _fonts(pdf.render_pdf(sample_template, {"title": "Titre"}))
    # DejaVu Sans for the text, DejaVu Sans Mono for .mono; the remote font never came.
    assert any(name.endswith("+DejaVu-Sans") for name in fonts), fonts
    assert any(name.endswith("+DejaVu-Sans-Mono") for name in fonts), fonts
    assert not any("Far" in name for name in fonts)


def test_chunks_are_joined_numbered_across_with_progress(sample_template):
    steps = []
    chunks = [{"line": f"morceau {n}", "break": n == 1} for n in range(3)]
    content = pdf.render_pdf(
        sample_template,
        {"title": "Long"},
        chunks=iter(chunks),
        expected_chunks=3,
        progress=steps.append,
    )
    pages = _text(content)
    # The second chunk takes two pages; each chunk's counter starts where the last ended.
    assert len(pages) == 4
    assert [p.split("Page ")[-1] for p in pages] == ["1", "2", "3", "4"]
    assert "morceau 0" in pages[0] and "morceau 1" in pages[1] and "morceau 2" in pages[3]
    assert steps == [26, 53, 80, 100]


def test_css_string_escapes_what_would_end_the_string_or_the_style():
    assert pdf.css_string('Lycée "Ampère" </style>') == (
        '"Lycée \\22 Ampère\\22  \\3c /style\\3e "'
    )


def test_file_response_names_the_file():
    response = file_response(b"%PDF-1.7", filename="pv-incident-654321.pdf", kind="pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="pv-incident-654321.pdf"'
    assert response.content == b"%PDF-1.7"
    sheet = file_response(b"PK", filename="candidats-session-1.xlsx", kind="xlsx")
    assert sheet["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    # A name with accents: the RFC 5987 form, which browsers decode.
    accented = file_response(b"PK", filename="élèves.ods", kind="ods")
    assert accented["Content-Disposition"] == "attachment; filename*=utf-8''%C3%A9l%C3%A8ves.ods"
    with pytest.raises(KeyError):
        file_response(b"", filename="x.exe", kind="exe")
