"""Parcoursup → admissions (docs/guide/parcoursup.md, decision 0017): the formations whose
admitted applicants Parcoursup sends, each import run, the applicant base the runs keep
(purged and re-imported, never deleted), each applicant's history across imports, and —
for part 2 — the applicant's online pre-registration and the administrative registration
the desk validates, which the end-of-day report back to Parcoursup reads.

Purge and re-import lose nothing: an applicant absent from the newest file is flagged
(``removed_at``), never deleted, so whatever they entered and any registration stay; one who
comes back is the same row again. The invariants the database can hold are named
constraints (docs/architecture.md rule 2).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registrar.models import (
    Admission,
    Job,
    OrgUnit,
    Program,
    PublicLink,
    SentEmail,
    Student,
    Term,
)

# Parcoursup's dates are French ones: the import reads « Date réponse » there, and a
# registration « day » of the report back is a day in Paris.
PARCOURSUP_TIME_ZONE = "Europe/Paris"


class Formation(models.Model):
    """A formation whose Parcoursup admissions are imported: Parcoursup's standard export
    names neither the establishment nor the formation, so the importer chooses it."""

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("Code de la formation dans Parcoursup (lettres, chiffres, tirets)."),
    )
    label = models.CharField(_("libellé"), max_length=200)
    uai = models.CharField(
        _("UAI de l'établissement"),
        max_length=8,
        help_text=_("7 chiffres et une lettre (0751234A)."),
    )
    program = models.ForeignKey(
        Program,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Le programme où l'inscription administrative crée l'admission."),
    )
    # Where « Valider l'inscription administrative » puts the admission it creates, with
    # ``program`` (part 2): left blank, the desk is told what the formation lacks.
    grid_code = models.CharField(
        _("grille"),
        max_length=20,
        blank=True,
        help_text=_("Grille de cheminement de l'admission créée, ex. BTS-SIO-26."),
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unité org."),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    admission_term = models.ForeignKey(
        Term,
        verbose_name=_("session d'admission"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("formation Parcoursup")
        verbose_name_plural = _("formations Parcoursup")
        constraints = [
            models.CheckConstraint(
                condition=Q(uai__regex=r"^[0-9]{7}[A-Z]$"), name="admissions_formation_uai_shape"
            ),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Za-z0-9][A-Za-z0-9-]*$"),
                name="admissions_formation_code_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} - {self.label}"


class ParcoursupImport(models.Model):
    """One run of the import of a Parcoursup file into a formation's applicant base: a web
    preview waiting for « Confirmer l'import », or a run of the command or of the
    confirmation, with what it found (lines, kept, excluded by reason) and what it changed
    (new, removed, changed, back, unchanged) — or why it refused."""

    class Source(models.TextChoices):
        WEB = "web", _("Web")
        COMMAND = "command", _("Commande (cron)")

    class Outcome(models.TextChoices):
        PREVIEW = "preview", _("Aperçu, en attente de confirmation")
        RUNNING = "running", _("En cours")
        IMPORTED = "imported", _("Importé")
        REFUSED = "refused", _("Refusé")
        GUARDED = "guarded", _("Arrêté : confirmation requise")
        ABANDONED = "abandoned", _("Aperçu abandonné")
        FAILED = "failed", _("Échec")

    formation = models.ForeignKey(
        Formation, verbose_name=_("formation"), on_delete=models.PROTECT, related_name="imports"
    )
    file_name = models.CharField(_("fichier"), max_length=255)
    checksum = models.CharField(_("somme de contrôle (SHA-256)"), max_length=64, blank=True)
    size = models.BigIntegerField(_("taille (octets)"), default=0)
    # The uploaded file of a web run, kept between the preview and the confirmation
    # (Django's storage API; served to nobody).
    file = models.FileField(_("fichier déposé"), upload_to="parcoursup/", blank=True)
    source = models.CharField(_("origine"), max_length=10, choices=Source.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("début"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    outcome = models.CharField(_("résultat"), max_length=10, choices=Outcome.choices)
    forced = models.BooleanField(_("retraits confirmés"), default=False)
    # The file carried neither the response nor the bac result: every line was kept.
    trusted = models.BooleanField(_("fichier pris tel quel"), default=False)
    lines = models.PositiveIntegerField(_("lignes"), default=0)
    kept = models.PositiveIntegerField(_("gardés"), default=0)
    excluded = models.JSONField(_("exclus par motif"), default=dict, blank=True)
    new = models.PositiveIntegerField(_("nouveaux"), default=0)
    removed = models.PositiveIntegerField(_("retirés"), default=0)
    changed = models.PositiveIntegerField(_("modifiés"), default=0)
    back = models.PositiveIntegerField(_("revenus"), default=0)
    unchanged = models.PositiveIntegerField(_("inchangés"), default=0)
    base_size = models.PositiveIntegerField(_("candidats présents avant"), default=0)
    errors = models.JSONField(_("erreurs"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    # The latest imported run of the formation when this one was planned: a preview is
    # confirmed only while it is still the latest (docs/guide/parcoursup.md).
    base_run = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the run found, line by line, for its report and the preview (never read by the
    # lists: they defer it). See plan_report in admissions_sync/services/imports.py.
    plan = models.JSONField(_("détail"), default=dict, blank=True)
    # A preview's new and unchanged applicants, as text (services/imports.preview_listing):
    # its pages read a slice of 100,000 lines without decoding them all. Emptied once the
    # preview is confirmed.
    listing = models.TextField(_("liste de l'aperçu"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("import Parcoursup")
        verbose_name_plural = _("imports Parcoursup")
        permissions = [
            ("import_parcoursup", _("Importer un fichier Parcoursup")),
            ("export_parcoursup", _("Télécharger la remontée vers Parcoursup")),
        ]
        indexes = [
            # « the latest imported run of a formation » (services/imports.py)
            models.Index(fields=["formation", "outcome", "-id"], name="admissions_run_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.formation.code})"

    @property
    def duration(self):
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values()) if isinstance(self.excluded, dict) else 0


class Applicant(models.Model):
    """An admitted applicant of a formation, as Parcoursup's latest file gave them. The row
    lives as long as the formation: an applicant the newest file no longer holds is flagged
    « Retiré de Parcoursup le … » (``removed_at``), never deleted."""

    class Civility(models.TextChoices):
        MR = "M", _("M.")
        MRS = "MME", _("Mme")

    class Response(models.TextChoices):
        UNKNOWN = "", _("(non fournie)")
        YES = "oui", _("Oui")
        YES_IF = "oui_si", _("Oui si")

    # No index of its own: the unique constraint (formation, number) leads with it. No
    # database foreign key either, like first_import and removed_by below: the import
    # writes its rows under the formation's row lock, formations with applicants are never
    # deleted (PROTECT), and the keys' checks of every row cost a 100,000-line import 0.85 s
    # at its commit, a fifth of its budget (decision 0017).
    formation = models.ForeignKey(
        Formation,
        verbose_name=_("formation"),
        on_delete=models.PROTECT,
        related_name="applicants",
        db_index=False,
        db_constraint=False,
    )
    candidate_number = models.CharField(_("numéro Parcoursup"), max_length=12)
    ine = models.CharField(_("INE"), max_length=11, blank=True)
    civility = models.CharField(_("civilité"), max_length=3, choices=Civility.choices)
    last_name = models.CharField(_("nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    birth_date = models.DateField(_("date de naissance"))
    birth_city = models.CharField(_("ville de naissance"), max_length=100, blank=True)
    birth_country = models.CharField(_("pays de naissance"), max_length=100, blank=True)
    nationality = models.CharField(_("nationalité"), max_length=100, blank=True)
    address1 = models.CharField(_("adresse 1"), max_length=150, blank=True)
    address2 = models.CharField(_("adresse 2"), max_length=150, blank=True)
    address3 = models.CharField(_("adresse 3"), max_length=150, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=20, blank=True)
    city = models.CharField(_("commune"), max_length=100, blank=True)
    country = models.CharField(_("pays"), max_length=100, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    mobile = models.CharField(_("téléphone mobile"), max_length=30, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    bac_series = models.CharField(_("série du diplôme"), max_length=100, blank=True)
    bac_mention = models.CharField(_("mention"), max_length=100, blank=True)
    gap_year = models.BooleanField(_("année de césure"), default=False)
    boarding = models.BooleanField(_("internat"), default=False)
    response = models.CharField(
        _("avis"), max_length=6, choices=Response.choices, blank=True, default=""
    )
    response_at = models.DateTimeField(_("date de réponse"), null=True, blank=True)
    # The names as the search compares them (admissions_sync.imports.search_key: « LE GOFF »
    # → « le goff », « Léa » → « lea »), written by the import with the names.
    search_last_name = models.CharField(max_length=100, editable=False, default="")
    search_first_name = models.CharField(max_length=100, editable=False, default="")
    # A digest of the fields above as the latest file gave them: the import compares it,
    # not every column, to tell an unchanged line (services/imports.py).
    row_hash = models.CharField(max_length=32)
    # The run's id: written in the same transaction as the run it names; runs are never
    # deleted (PROTECT, and the admin cannot).
    first_import = models.ForeignKey(
        ParcoursupImport,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("apparu"),
        db_constraint=False,
    )
    removed_at = models.DateTimeField(_("retiré de Parcoursup le"), null=True, blank=True)
    # Not indexed: nothing reads applicants by the run that removed them but the history,
    # which reads the events (an index would cost every import of 100,000 lines).
    removed_by = models.ForeignKey(
        ParcoursupImport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("candidat admis")
        verbose_name_plural = _("candidats admis")
        constraints = [
            models.UniqueConstraint(
                fields=["formation", "candidate_number"], name="admissions_applicant_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(candidate_number__regex=r"^[0-9]+$"),
                name="admissions_applicant_number_digits",
            ),
            models.CheckConstraint(
                condition=Q(ine="") | Q(ine__length=11), name="admissions_applicant_ine_length"
            ),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True, removed_by__isnull=True)
                | Q(removed_at__isnull=False, removed_by__isnull=False),
                name="admissions_applicant_removed_with_run",
            ),
        ]
        indexes = [
            # « Removed » and « À revoir »: the few applicants the latest file no longer holds.
            models.Index(
                fields=["removed_at"],
                condition=Q(removed_at__isnull=False),
                name="admissions_app_removed",
            ),
            # The desk's search by Parcoursup number, whatever the formation.
            models.Index(fields=["candidate_number"], name="admissions_app_number"),
            # The desk's search by birth date, alone or with a name, in the list's order.
            models.Index(
                fields=["birth_date", "search_last_name", "search_first_name", "id"],
                name="admissions_app_birth_name",
            ),
            # « Candidats admis » in name order: its first page without sorting the base.
            models.Index(
                fields=["search_last_name", "search_first_name", "id"],
                name="admissions_app_name_order",
            ),
            # « Candidats admis » and the desk's search: a left-anchored LIKE on the folded
            # names (varchar_pattern_ops: whatever the database's collation).
            models.Index(
                fields=["search_last_name"],
                name="admissions_app_search_last",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["search_first_name"],
                name="admissions_app_search_first",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name} ({self.candidate_number})"

    @property
    def is_active(self) -> bool:
        """Present in the latest import: only they may pre-register."""
        return self.removed_at is None


class ApplicantEvent(models.Model):
    """One line of an applicant's history across imports, after the first: the first,
    « Apparu », is the applicant's ``first_import`` (no row: the first import of a
    100,000-line file would otherwise write 100,000 more)."""

    class Kind(models.TextChoices):
        CHANGED = "changed", _("Modifié")
        REMOVED = "removed", _("Retiré de Parcoursup")
        BACK = "back", _("Revenu")

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="events")
    run = models.ForeignKey(ParcoursupImport, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("événement"), max_length=10, choices=Kind.choices)
    # {field: [before, after]} of a change (and of a return, when fields changed meanwhile)
    changes = models.JSONField(_("changements"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("historique d'un candidat")
        verbose_name_plural = _("historiques des candidats")
        indexes = [models.Index(fields=["run", "kind"], name="admissions_event_run_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.run_id})"


class Preregistration(models.Model):
    """The applicant's online pre-registration (part 2: « Préinscription à distance via un
    lien web »): a draft saved step by step, then submitted; the desk may send it back with
    a reason. Kept whatever the imports do to the applicant."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Préinscription validée")
        RETURNED = "returned", _("Renvoyée au candidat")

    applicant = models.OneToOneField(
        Applicant, on_delete=models.PROTECT, related_name="preregistration"
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # The steps' answers as entered ({step: {field: value}}): part 2's forms own them.
    answers = models.JSONField(_("réponses"), default=dict, blank=True)
    started_at = models.DateTimeField(_("commencée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    submitted_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    return_reason = models.TextField(_("motif du renvoi"), blank=True)
    # The steps the applicant may change again while the pre-registration is « returned »
    # (a refused document reopens its step; « Renvoyer au candidat » reopens every step).
    open_steps = models.JSONField(_("étapes rouvertes"), default=list, blank=True)

    class Meta:
        verbose_name = _("préinscription")
        verbose_name_plural = _("préinscriptions")

    def __str__(self) -> str:
        return f"{self.applicant} - {self.get_status_display()}"


class Registration(models.Model):
    """The administrative registration the desk validates (part 2: « Inscription en
    présentiel via une chaîne d'inscription »). Once validated and paid, the end-of-day
    report back to Parcoursup lists it on the day it became both (``reported_on``), with its
    état; a later cancellation is reported with état 3 on the day it happens
    (``cancelled_on``)."""

    class State(models.IntegerChoices):
        MAIN = 1, _("1 - Inscription principale")
        DOUBLE = 2, _("2 - Double cursus")
        CANCELLED = 3, _("3 - Annulée")
        PARALLEL = 4, _("4 - Parallèle")
        PARALLEL_SECONDARY = 5, _("5 - Parallèle secondaire")

    applicant = models.OneToOneField(
        Applicant, on_delete=models.PROTECT, related_name="registration"
    )
    state = models.PositiveSmallIntegerField(
        _("état d'inscription"), choices=State.choices, default=State.MAIN
    )
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    admission = models.ForeignKey(
        Admission, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(_("payée le"), null=True, blank=True)
    # The Paris day the registration became both validated and paid: its report-back day.
    reported_on = models.DateField(_("remontée le"), null=True, blank=True, db_index=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    cancelled_on = models.DateField(
        _("annulation remontée le"), null=True, blank=True, db_index=True
    )
    cancel_reason = models.TextField(_("motif d'annulation"), blank=True)
    # When the desk first acted on the applicant's file (a document reviewed, a payment):
    # from then until its validation the registration is « en cours ».
    opened_at = models.DateTimeField(_("ouverte le"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("inscription administrative")
        verbose_name_plural = _("inscriptions administratives")
        permissions = [
            ("register_applicants", _("Tenir la chaîne d'inscription")),
            ("send_preregistration_links", _("Envoyer les liens de préinscription")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=3), name="admissions_registration_state_not_cancelled"
            ),
            models.CheckConstraint(
                condition=Q(reported_on__isnull=True)
                | Q(validated_at__isnull=False, paid_at__isnull=False),
                name="admissions_registration_reported_when_complete",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_on__isnull=True) | Q(cancelled_at__isnull=False),
                name="admissions_registration_cancelled_on_with_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} - {self.get_state_display()}"


class Fee(models.Model):
    """One line of a formation's fee table (« droits d'inscription »): the desk's payment
    adds up the formation's active lines, less those a scholarship holder is exempted from."""

    formation = models.ForeignKey(
        Formation, verbose_name=_("formation"), on_delete=models.CASCADE, related_name="fees"
    )
    label = models.CharField(_("libellé"), max_length=120)
    amount = models.DecimalField(_("montant (€)"), max_digits=8, decimal_places=2)
    scholarship_exempt = models.BooleanField(
        _("exonéré pour les boursiers"),
        default=True,
        help_text=_("Un boursier qui présente son attestation ne paie pas cette ligne."),
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["formation", "order", "pk"]
        verbose_name = _("droit d'inscription")
        verbose_name_plural = _("droits d'inscription")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="admissions_fee_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.amount} €)"


class LinkSending(models.Model):
    """One personal pre-registration link sent to an applicant: which link (only its hash
    is kept, registrar/public_links.py), the recorded e-mail, how and by whom."""

    class Channel(models.TextChoices):
        BULK = "bulk", _("Envoi groupé")
        REQUEST = "request", _("Demandé par le candidat")
        DESK = "desk", _("Renvoyé par la chaîne")

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="link_sendings")
    link = models.ForeignKey(
        PublicLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.ForeignKey(
        SentEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("envoi"), max_length=10, choices=Channel.choices)
    sent_at = models.DateTimeField(_("envoyé le"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The bulk job that sent it, if any.
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("lien de préinscription envoyé")
        verbose_name_plural = _("liens de préinscription envoyés")

    def __str__(self) -> str:
        return f"{self.applicant} - {self.sent_at:%Y-%m-%d %H:%M}"


def document_path(instance: "ApplicantDocument", filename: str) -> str:
    """« preinscriptions/<applicant>/<kind>-<random>.<ext> »: the name the applicant gave
    is kept in ``original_name`` only, never in a path."""
    import secrets

    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        instance.content_type, "bin"
    )
    return (
        f"preinscriptions/{instance.preregistration.applicant_id}/"
        f"{instance.kind}-{secrets.token_hex(8)}.{extension}"
    )


class ApplicantDocument(models.Model):
    """A document the applicant uploaded for the desk (checked by content: JPEG, PNG or PDF,
    at most 5 MB), kept through Django's storage outside the web root and served only to
    its applicant and to the desk. One current document per kind: a new upload replaces it
    and waits for a new review."""

    class Kind(models.TextChoices):
        IDENTITY = "identity", _("Pièce d'identité")
        PHOTO = "photo", _("Photo d'identité")
        BAC = "bac", _("Relevé de notes du baccalauréat")
        SCHOLARSHIP = "scholarship", _("Attestation de bourse")

    class Status(models.TextChoices):
        PENDING = "pending", _("À vérifier")
        ACCEPTED = "accepted", _("Accepté")
        REFUSED = "refused", _("Refusé")

    preregistration = models.ForeignKey(
        Preregistration, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("pièce"), max_length=12, choices=Kind.choices)
    file = models.FileField(_("fichier"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("nom du fichier"), max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("taille (octets)"))
    checksum = models.CharField(_("somme de contrôle (SHA-256)"), max_length=64)
    uploaded_at = models.DateTimeField(_("déposé le"))
    status = models.CharField(
        _("vérification"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    refusal_reason = models.TextField(_("motif du refus"), blank=True)
    reviewed_at = models.DateTimeField(_("vérifié le"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["preregistration", "kind"]
        verbose_name = _("pièce justificative")
        verbose_name_plural = _("pièces justificatives")
        constraints = [
            models.UniqueConstraint(
                fields=["preregistration", "kind"], name="admissions_document_one_per_kind"
            ),
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/png", "image/jpeg"]),
                name="admissions_document_content_type",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""),
                name="admissions_document_refused_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} - {self.preregistration.applicant}"


class Payment(models.Model):
    """The payment of a registration's fees at the desk, with its receipt number; a
    scholarship holder's exemption is a payment of the exempted amount by « Exonération »,
    with the accepted scholarship attestation as its proof."""

    class Method(models.TextChoices):
        CARD = "card", _("Carte bancaire")
        CHEQUE = "cheque", _("Chèque")
        TRANSFER = "transfer", _("Virement")
        CASH = "cash", _("Espèces")
        EXEMPTION = "exemption", _("Exonération")

    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="payment"
    )
    amount = models.DecimalField(_("montant (€)"), max_digits=8, decimal_places=2)
    method = models.CharField(_("moyen de paiement"), max_length=10, choices=Method.choices)
    scholarship = models.BooleanField(_("boursier"), default=False)
    scholarship_proof = models.ForeignKey(
        ApplicantDocument,
        verbose_name=_("justificatif de bourse"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The cheque's number, the card or transfer's transaction reference.
    reference = models.CharField(_("référence"), max_length=40, blank=True)
    # « 2026-000042 »: the receipt's number, one sequence a year.
    receipt_number = models.CharField(_("n° de reçu"), max_length=20, unique=True)
    recorded_at = models.DateTimeField(_("enregistré le"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="admissions_payment_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(method="exemption") | Q(scholarship=True),
                name="admissions_payment_exemption_for_scholarship",
            ),
            models.CheckConstraint(
                condition=Q(scholarship=False) | Q(scholarship_proof__isnull=False),
                name="admissions_payment_scholarship_with_proof",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number} - {self.amount} €"


class RegistrationEvent(models.Model):
    """One line of an applicant's registration file's history: what the applicant and the
    desk did (submitted, sent back, an error reported, a document reviewed, a correction
    with its fields before and after, a payment, the validation, a cancellation, a link
    sent). ``actor`` empty: the applicant, through their link."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Préinscription validée")
        RETURNED = "returned", _("Renvoyée au candidat")
        ERROR_REPORTED = "error", _("Erreur signalée")
        DOCUMENT_UPLOADED = "uploaded", _("Pièce déposée")
        DOCUMENT_ACCEPTED = "accepted", _("Pièce acceptée")
        DOCUMENT_REFUSED = "refused", _("Pièce refusée")
        CORRECTED = "corrected", _("Corrigée par la chaîne")
        PAID = "paid", _("Paiement enregistré")
        VALIDATED = "validated", _("Inscription validée")
        CANCELLED = "cancelled", _("Inscription annulée")
        LINK_SENT = "link", _("Lien envoyé")

    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="registration_events"
    )
    at = models.DateTimeField(_("le"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("événement"), max_length=10, choices=Kind.choices)
    step = models.CharField(_("étape"), max_length=20, blank=True)
    # {field: [before, after]} of a correction
    changes = models.JSONField(_("changements"), null=True, blank=True)
    note = models.TextField(_("détail"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("historique d'une inscription")
        verbose_name_plural = _("historiques des inscriptions")
        indexes = [models.Index(fields=["applicant", "at"], name="admissions_regevent_app_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.at:%Y-%m-%d %H:%M})"
