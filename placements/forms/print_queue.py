"""Forms of the « File d'impression »: the queue's filter, « Envoyer un courriel » (addresses,
subject, message, attached files checked by their first bytes) and the contact window.

Parsing only (docs/architecture.md): each problem is a French message at its field; the
services (placements/services/print_queue.py) keep the rules about the report itself.
"""

import re
from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from placements.selectors import print_queue as selectors

ADDRESSES_MAX_LENGTH = 2000
SUBJECT_MAX_LENGTH = 255
MESSAGE_MAX_LENGTH = 10_000

MAX_FILES = 5
MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_TOTAL_SIZE = 10 * 1024 * 1024
FILE_NAME_MAX_LENGTH = 150

ZIP = (b"PK\x03\x04",)
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
# What a file of each allowed extension starts with (None: text, checked otherwise).
SIGNATURES: dict[str, tuple[bytes, ...] | None] = {
    ".pdf": (b"%PDF-",),
    ".doc": OLE,
    ".docx": ZIP,
    ".odt": ZIP,
    ".xlsx": ZIP,
    ".ods": ZIP,
    ".txt": None,
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
# Programs, whatever their name says: Windows (MZ), Linux (ELF), Mach-O, scripts (#!).
EXECUTABLE_STARTS = (
    b"MZ",
    b"\x7fELF",
    b"#!",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xcf\xfa\xed\xfe",
    b"\xce\xfa\xed\xfe",
)

ADDRESS_INVALID = _("« %(address)s » n'est pas une adresse électronique valide.")
TOO_MANY_FILES = ngettext_lazy(
    "Joignez au plus %(max)d fichier.", "Joignez au plus %(max)d fichiers.", "max"
)
FILE_TOO_LARGE = _("« %(name)s » est trop volumineux : 5 Mo au plus par fichier.")
FILES_TOO_LARGE = _("Les fichiers joints dépassent 10 Mo au total.")
FILE_EMPTY = _("« %(name)s » est vide.")
FILE_NAME_TOO_LONG = _("Le nom « %(name)s » est trop long : %(max)d caractères au plus.")
FILE_KIND_REFUSED = _(
    "« %(name)s » : type de fichier refusé. Fichiers acceptés : "
    ".pdf, .doc, .docx, .odt, .xlsx, .ods, .txt, .jpg, .png."
)
FILE_EXECUTABLE = _("« %(name)s » est un programme : il ne peut pas être joint.")
FILE_LIES = _(
    "« %(name)s » n'est pas un fichier %(extension)s valide (son contenu ne correspond pas)."
)
FILE_UNREADABLE = _("« %(name)s » n'a pas pu être lu : joignez-le de nouveau.")
PHONE_INVALID = _(
    "Le téléphone ne contient que des chiffres, des espaces et les signes + - ( ) . "
    "(le poste après « poste » ou « x »)."
)


def split_addresses(text: str) -> list[str]:
    """The addresses of a list separated by commas, semicolons or spaces (empties dropped,
    duplicates kept once, in order)."""
    return list(dict.fromkeys(part for part in re.split(r"[,;\s]+", text) if part))


class AddressListField(forms.CharField):
    """A list of e-mail addresses typed as « a@x.org, b@y.org; c@z.org »: each one checked,
    a French message naming every address refused. Cleans to a list of addresses."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", ADDRESSES_MAX_LENGTH)
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)

    def to_python(self, value):
        return split_addresses(super().to_python(value))

    def validate(self, value):
        if not value and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value):
        errors = []
        for address in value:
            try:
                validate_email(address)
            except ValidationError:
                errors.append(ValidationError(ADDRESS_INVALID, params={"address": address}))
        if errors:
            raise ValidationError(errors)

    def clean(self, value):
        # max_length is checked on the text typed, before it is split.
        if value is not None and len(str(value)) > ADDRESSES_MAX_LENGTH:
            raise ValidationError(
                _("Liste trop longue : %(max)d caractères au plus."),
                params={"max": ADDRESSES_MAX_LENGTH},
            )
        value = self.to_python(value)
        self.validate(value)
        self.run_validators(value)
        return value


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploaded files from one <input type=file multiple>; cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def read_attachment(upload) -> tuple[str, bytes]:
    """(name, content) of one uploaded file, or ValidationError with a French message: an
    extension outside SIGNATURES, a program (MZ, ELF, #!…), content that is not what its
    extension says (a .pdf not starting with %PDF-), empty or larger than 5 Mo."""
    name = PurePath(str(upload.name).replace("\\", "/")).name.strip()
    shown = name[:60]
    if len(name) > FILE_NAME_MAX_LENGTH:
        raise ValidationError(
            FILE_NAME_TOO_LONG, params={"name": shown, "max": FILE_NAME_MAX_LENGTH}
        )
    if len(f"{name}x".splitlines()) > 1 or not name:
        raise ValidationError(FILE_KIND_REFUSED, params={"name": shown})
    if upload.size > MAX_FILE_SIZE:
        raise ValidationError(FILE_TOO_LARGE, params={"name": shown})
    extension = PurePath(name).suffix.lower()
    if extension not in SIGNATURES:
        raise ValidationError(FILE_KIND_REFUSED, params={"name": shown})
    try:
        upload.seek(0)
        content = upload.read(MAX_FILE_SIZE + 1)
    except OSError as error:
        raise ValidationError(FILE_UNREADABLE, params={"name": shown}) from error
    if not content:
        raise ValidationError(FILE_EMPTY, params={"name": shown})
    if len(content) > MAX_FILE_SIZE:
        raise ValidationError(FILE_TOO_LARGE, params={"name": shown})
    if content.startswith(EXECUTABLE_STARTS):
        raise ValidationError(FILE_EXECUTABLE, params={"name": shown})
    signatures = SIGNATURES[extension]
    # A text file holds no NUL byte; any other starts with its format's signature.
    lies = b"\x00" in content if signatures is None else not content.startswith(signatures)
    if lies:
        raise ValidationError(FILE_LIES, params={"name": shown, "extension": extension})
    return name, content


class PrintQueueFilterForm(forms.Form):
    """« À livrer / Livrés / Tous » (?livraison=…); a value the form refuses shows « À
    livrer »."""

    livraison = forms.ChoiceField(
        label=_("Afficher"),
        choices=[
            (selectors.TO_DELIVER, _("À livrer")),
            (selectors.DELIVERED, _("Livrés")),
            (selectors.ALL, _("Tous")),
        ],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm w-auto"}),
    )

    def which(self) -> str:
        if self.is_valid() and self.cleaned_data["livraison"]:
            return self.cleaned_data["livraison"]
        return selectors.TO_DELIVER


class ReportEmailForm(forms.Form):
    """« Envoyer un courriel » of one report. Cleans ``to`` and ``cc`` to lists of
    addresses, ``files`` to a list of (name, content) checked by read_attachment."""

    to = AddressListField(
        label=_("À"),
        help_text=_("Une ou plusieurs adresses, séparées par des virgules ou des points-virgules."),
    )
    others = AddressListField(label=_("Autres destinataires"), required=False)
    cc = AddressListField(label=_("CC"), required=False)
    subject = forms.CharField(label=_("Objet"), max_length=SUBJECT_MAX_LENGTH, strip=True)
    message = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    files = MultipleFileField(
        label=_("Autres pièces jointes"),
        required=False,
        help_text=_(
            "Le rapport PDF est joint automatiquement. Au plus 5 fichiers (.pdf, .doc, .docx, "
            ".odt, .xlsx, .ods, .txt, .jpg, .png), 5 Mo chacun, 10 Mo au total."
        ),
        widget=MultipleFileInput(
            attrs={"accept": ".pdf,.doc,.docx,.odt,.xlsx,.ods,.txt,.jpg,.jpeg,.png"}
        ),
    )
    copy_to_me = forms.BooleanField(label=_("M'envoyer une copie"), required=False)
    mark_delivered = forms.BooleanField(
        label=_("Marquer le rapport comme livré"), required=False, initial=True
    )

    def clean_files(self) -> list[tuple[str, bytes]]:
        uploads = self.cleaned_data.get("files") or []
        if len(uploads) > MAX_FILES:
            raise ValidationError(TOO_MANY_FILES, params={"max": MAX_FILES})
        if sum(upload.size for upload in uploads) > MAX_TOTAL_SIZE:
            raise ValidationError(FILES_TOO_LARGE)
        files, errors = [], []
        for upload in uploads:
            try:
                files.append(read_attachment(upload))
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        return files

    def recipients(self) -> list[str]:
        """« À » then « Autres destinataires », each address once."""
        return list(dict.fromkeys(self.cleaned_data["to"] + self.cleaned_data["others"]))


PHONE = re.compile(r"^[0-9 +().\-]{7,}(\s*(poste|x|#)\s*[0-9]{1,6})?$", re.IGNORECASE)


class ContactForm(forms.Form):
    """The contact window: name, role, e-mail and phone of a contact person."""

    name = forms.CharField(label=_("Nom"), max_length=150)
    role = forms.CharField(label=_("Fonction"), max_length=120, required=False)
    email = forms.EmailField(label=_("Courriel"), max_length=254, required=False)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        if phone and (not phone.isascii() or not PHONE.match(phone)):
            raise ValidationError(PHONE_INVALID)
        return phone
