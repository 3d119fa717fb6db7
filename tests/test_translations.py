"""The English catalogue translates every string of the French interface."""

import re
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _entries(text: str):
    for block in text.split("\n\n"):
        msgid = "".join(re.findall(r'^(?:msgid )?"(.*)"$', block.split("msgstr")[0], re.M))
        if not msgid or "#, fuzzy" in block:
            yield msgid, block, "#, fuzzy" in block
            continue
        translations = re.findall(r'^msgstr(?:\[\d\])? "(.*)"(?:\n"(.*)")*', block, re.M)
        yield msgid, block, any(not "".join(parts) for parts in translations)


def test_every_string_has_an_english_translation():
    text = PO.read_text(encoding="utf-8")
    untranslated = [msgid for msgid, _block, missing in _entries(text) if msgid and missing]
    assert untranslated == []
