"""PDF documents (docs/architecture.md rule 8): a Django template rendered by WeasyPrint,
with the shared fonts and nothing fetched (rule 9). Every PDF the apps make goes through
here — the batch report (enrollment/documents.py), the attendance sheet, invigilator kit
and PV d'incident (certification/documents.py) — and their templates put their running
header and footer in ``templates/includes/pdf_margin_boxes.html``.

- ``render_pdf``: a template (or a long document in chunks) to PDF bytes, with progress;
- ``Renderer.document`` and ``write_pdf``: the laid-out document, for the code that measures
  its pages before writing them (the attendance sheet's blank rows);
- ``css_string``: a value as a quoted CSS string, for the margin boxes' ``content``.

WeasyPrint is imported inside the functions: it is heavy, and only the worker (and tests)
make PDFs.
"""

from collections.abc import Callable, Iterable, Sequence

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

# The shared fonts: the system's DejaVu families, which cover French (accents, « », ’, the
# narrow no-break space). Passed to WeasyPrint as a style sheet of our own, so the templates
# only set sizes; a template may still name "DejaVu Sans Mono" for a code it prints.
FONTS_CSS = """
html { font-family: "DejaVu Sans", sans-serif; }
code, kbd, samp, pre, .mono { font-family: "DejaVu Sans Mono", monospace; }
"""
# Share of the progress bar given to laying out the chunks; writing the joined PDF takes
# about a fifth of the time (measured on the 10,000-line batch report).
LAYOUT_SHARE = 80

Progress = Callable[[int], None]


class Renderer:
    """One font configuration and one fetcher for every document laid out with it: fonts are
    looked up once, however many chunks or layouts a document takes."""

    def __init__(self):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher

        self.fonts = FontConfiguration()
        # No protocol at all: not http(s), not file:, not even data:. An image or style sheet
        # a template (or a value in it) names is left out of the PDF, never fetched.
        self.fetcher = URLFetcher(allowed_protocols=())
        self.stylesheets = [CSS(string=FONTS_CSS, font_config=self.fonts)]

    def document(self, template_name: str, context: dict):
        """The laid-out WeasyPrint document of ``template_name`` rendered with ``context``."""
        from weasyprint import HTML

        html = render_to_string(template_name, context)
        return HTML(string=html, url_fetcher=self.fetcher).render(
            stylesheets=self.stylesheets, font_config=self.fonts
        )


def write_pdf(document, pages: Sequence | None = None) -> bytes:
    """``document``'s PDF bytes, or only ``pages`` (pages of documents laid out with the
    same renderer, in order) when given."""
    if pages is not None:
        document = document.copy(list(pages))
    return document.write_pdf()


def render_pdf(
    template_name: str,
    context: dict,
    *,
    chunks: Iterable[dict] | None = None,
    expected_chunks: int = 1,
    progress: Progress | None = None,
) -> bytes:
    """``template_name`` rendered with ``context`` as PDF bytes. Writes nothing; fetches
    nothing.

    A long document is given as ``chunks``: one extra context per chunk, each laid out as
    its own document (WeasyPrint's time and memory grow faster than the document), whose
    pages are then joined. Each chunk's context also gets ``first_page``, the number of its
    first page in the whole document, for the template's page counter. ``progress``, when
    given, is called with a percentage after each chunk (LAYOUT_SHARE × chunks laid out /
    ``expected_chunks``) and with 100 once the PDF is written."""
    renderer = Renderer()
    if chunks is None:
        chunks = [{}]
    documents = []
    page_count = 0
    for index, chunk in enumerate(chunks):
        document = renderer.document(
            template_name, {**context, **chunk, "first_page": page_count + 1}
        )
        documents.append(document)
        page_count += len(document.pages)
        if progress is not None:
            progress(LAYOUT_SHARE * (index + 1) // max(expected_chunks, index + 1))
    if len(documents) == 1:
        pdf = write_pdf(documents[0])
    else:
        pdf = write_pdf(documents[0], [page for document in documents for page in document.pages])
    if progress is not None:
        progress(100)
    return pdf


def css_string(value: str) -> SafeString:
    """``value`` as a quoted CSS string, safe inside a <style> element (where HTML entities
    are not decoded, hence no autoescaping: the characters that matter are escaped here)."""
    escaped = "".join(
        ch if ch.isprintable() and ch not in '"\\<>&' else f"\\{ord(ch):x} " for ch in value
    )
    return mark_safe(f'"{escaped}"')  # escaped just above
