"""Code tables: « CODE - Libellé » rows that administrators edit in the Django admin."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# --------------------------------------------------------------------------------------
# Code tables: « CODE - Libellé » rows that administrators edit in the Django admin.
# --------------------------------------------------------------------------------------


class CodeTable(models.Model):
    code = models.CharField(_("code"), max_length=10, unique=True)
    label = models.CharField(_("libellé"), max_length=120)
    is_active = models.BooleanField(_("actif"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} - {self.label}"


class Language(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("langue")
        verbose_name_plural = _("langues")


class EnrollmentCategory(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("catégorie d'inscription")
        verbose_name_plural = _("catégories d'inscription")


class FundingSource(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("source de financement")
        verbose_name_plural = _("sources de financement")


class RacMode(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("mode RAC")
        verbose_name_plural = _("modes RAC")


class DistanceMode(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("mode d'enseignement à distance")
        verbose_name_plural = _("modes d'enseignement à distance")


class PrerequisiteRule(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("traitement des préalables")
        verbose_name_plural = _("traitements des préalables")


class AssignmentState(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("état d'assignation")
        verbose_name_plural = _("états d'assignation")


class PartnerSituation(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("situation d'études dans un organisme partenaire")
        verbose_name_plural = _("situations d'études dans un organisme partenaire")


class PartnerOrganization(CodeTable):
    """« Organisme partenaire »: the other college (or body) where an enrolment is followed
    in « commandite », or that sent a student received in « commandite »."""

    class Meta(CodeTable.Meta):
        verbose_name = _("organisme partenaire")
        verbose_name_plural = _("organismes partenaires")


class CensusStatus(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("statut de recensement")
        verbose_name_plural = _("statuts de recensement")


class RefusalReason(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("motif de refus")
        verbose_name_plural = _("motifs de refus")


class CancellationReason(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("motif d'annulation")
        verbose_name_plural = _("motifs d'annulation")


CODE_TABLES: tuple[type[CodeTable], ...] = (
    Language,
    EnrollmentCategory,
    FundingSource,
    RacMode,
    DistanceMode,
    PrerequisiteRule,
    AssignmentState,
    PartnerSituation,
    PartnerOrganization,
    CensusStatus,
    RefusalReason,
    CancellationReason,
)
