"""The staff shell: home page, navigation, language and working term switches."""

import re

import pytest
from django.urls import reverse

from registrar.selectors import WORKING_TERM_SESSION_KEY
from tests.factories import TermFactory

pytestmark = pytest.mark.django_db


def test_home_shows_navigation_for_the_users_roles(staff_client):
    response = staff_client.get(reverse("registrar:home"))
    html = response.content.decode()
    assert "Mes opérations" in html
    assert 'href="/etudiants/"' in html
    assert "Vous n'avez lancé aucune opération" in html


def test_home_hides_what_a_role_cannot_open(client, centre_staff):
    """Certification-centre staff see their one workflow, in the menu and the shortcuts, and
    nothing of the registrar's: no student search, no operations, no administration."""
    client.force_login(centre_staff)
    html = client.get(reverse("registrar:home")).content.decode()
    nav = html.split('class="app-nav"')[1].split("</nav>")[0]
    assert re.findall(
        r'<a class="nav-link(?: active)?" href="([^"]*)"(?: aria-current="page")?>([^<]*)</a>',
        nav,
    ) == [
        ("/", "Accueil"),
        ("/certification/", "Certification"),
    ]
    # The home page is marked as the current entry (registrar.navigation.active_key).
    assert '<a class="nav-link active" href="/" aria-current="page">Accueil</a>' in nav
    shortcuts = html.split('class="app-shortcuts"')[1].split("</section>")[0]
    assert re.findall(r'<a class="app-shortcut" href="([^"]*)"><strong>([^<]*)<', shortcuts) == [
        ("/certification/", "Certification")
    ]
    # « Mes opérations » is everyone's (it lists what the user started), empty here.
    assert "Vous n'avez lancé aucune opération" in html
    for hidden in ('href="/etudiants/"', 'href="/inscriptions/', 'href="/admin/'):
        assert hidden not in html


def test_anonymous_home_redirects_to_login(client):
    response = client.get(reverse("registrar:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_header_shows_the_current_term(staff_client):
    TermFactory(code="A-2017")
    term = TermFactory(code="H-2018")
    html = staff_client.get(reverse("registrar:home")).content.decode()
    assert '<option value="H-2018" selected>' in html
    assert term.label in html


def test_working_term_switch_keeps_the_choice(staff_client):
    TermFactory(code="H-2018")
    chosen = TermFactory(code="A-2017")
    response = staff_client.post(
        reverse("registrar:set_working_term"), {"term": "A-2017", "next": "/etudiants/"}
    )
    assert response.url == "/etudiants/"
    assert staff_client.session[WORKING_TERM_SESSION_KEY] == chosen.pk


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("A-2031", "La session A-2031 n&#x27;existe pas."),
        ("Z-2017", "n&#x27;est pas un code de session valide"),
    ],
)
def test_working_term_switch_rejects_bad_codes(staff_client, code, message):
    TermFactory(code="H-2018")
    response = staff_client.post(reverse("registrar:set_working_term"), {"term": code}, follow=True)
    assert message in response.content.decode()
    assert WORKING_TERM_SESSION_KEY not in staff_client.session


def test_working_term_switch_ignores_foreign_next(staff_client):
    TermFactory(code="H-2018")
    response = staff_client.post(
        reverse("registrar:set_working_term"), {"term": "H-2018", "next": "https://evil.example/"}
    )
    assert response.url == "/"


@pytest.mark.parametrize(
    "target", ["²", "registrar:home", "registrar:student_search", "javascript:alert(1)", "//x"]
)
def test_working_term_switch_takes_a_path_only_for_next(staff_client, target):
    """A bare word was handed to redirect(), which reversed it as a URL name: « ² » was a
    NoReverseMatch 500, « student_search » a redirect to that page."""
    TermFactory(code="H-2018")
    response = staff_client.post(
        reverse("registrar:set_working_term"), {"term": "H-2018", "next": target}
    )
    assert response.status_code == 302 and response.url == "/"


def test_language_switch_to_english_and_back(client, registrar_staff):
    client.force_login(registrar_staff)
    client.post(reverse("registrar:set_language"), {"language": "en", "next": "/"})
    assert "My operations" in client.get("/").content.decode()
    client.post(reverse("registrar:set_language"), {"language": "fr", "next": "/"})
    assert "Mes opérations" in client.get("/").content.decode()


def test_french_even_when_the_browser_prefers_english(client, registrar_staff):
    client.force_login(registrar_staff)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Mes opérations" in html
    assert '<html lang="fr">' in html


def test_home_lists_the_operations_workflows_report(staff_client, registrar_staff):
    import datetime as dt

    from django.utils import timezone

    from registrar import activity

    def provider(user, limit):
        if user != registrar_staff:
            return []
        started = timezone.make_aware(dt.datetime(2018, 1, 10, 9, 30))
        return [
            activity.Operation(
                "Inscription en lot INS-TEE-RA", "Inscription en lot", "Exécutée", started, "/x/"
            )
        ]

    activity.register(provider)
    try:
        html = staff_client.get("/").content.decode()
    finally:
        activity._providers.remove(provider)
    assert '<a href="/x/">Inscription en lot INS-TEE-RA</a>' in html
    assert "Exécutée" in html
    assert "Vous n'avez lancé aucune opération" not in html
