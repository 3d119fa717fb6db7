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


FR = PO.parent.parent.parent / "fr" / "LC_MESSAGES" / "django.po"


def test_french_plurals_follow_the_french_rule():
    """0 takes the singular in French (« 0 étudiant retiré »): the French catalogue holds
    every plural entry (scripts/french-plurals after makemessages -l fr)."""
    from django.utils import translation

    with translation.override("fr"):
        message = translation.ngettext(
            "%(count)s étudiant retiré de la sélection.",
            "%(count)s étudiants retirés de la sélection.",
            0,
        )
    assert message == "%(count)s étudiant retiré de la sélection."
    text = FR.read_text(encoding="utf-8")
    unfilled = [
        msgid
        for msgid, block, missing in _entries(text)
        if msgid and "msgid_plural" in block and missing
    ]
    assert unfilled == [], "run scripts/french-plurals after makemessages -l fr"


def test_the_french_catalogue_translates_nothing_but_plurals():
    """Outside plurals the interface's French is its msgid: a msgstr there would be a fuzzy
    guess of makemessages' from another message, shown to French users instead."""
    text = FR.read_text(encoding="utf-8")
    translated = [
        msgid
        for msgid, block, missing in _entries(text)
        if msgid and "msgid_plural" not in block and not block.startswith("#~") and not missing
    ]
    assert translated == [], "run scripts/french-plurals after makemessages -l fr"


def test_translated_strings_are_literals():
    """makemessages finds a string only where it is written inside gettext / ngettext /
    ``_``: a message passed in a variable (a tuple of singular and plural read later) stays
    French in the English interface. Plurals chosen later are ngettext_lazy(…, "count")."""
    root = PO.parent.parent.parent.parent
    call = re.compile(r"\b(?:n?gettext(?:_lazy)?|_)\( *(?![\"' )]|$)")
    found = []
    for app in ("registrar", "enrollment", "certification", "placements", "admissions_sync"):
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                # The country names come from the iso-codes package's own catalogue.
                if call.search(line) and "french.gettext(entry.name)" not in line:
                    found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert found == []
