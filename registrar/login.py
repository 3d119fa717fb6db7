"""The staff login: user name and password bounded before authentication.

django-axes records every failed login in ``axes_accessattempt`` whose ``username`` column
holds 255 characters: a longer user name made its insert fail (a 500 on PostgreSQL) for
anyone, without logging in. Django's AuthenticationForm sets the field's ``max_length``
after the field is built, which changes the HTML attribute but adds no validator, so the
over-long name reached ``authenticate()``. The form here refuses it first.

The password-reset e-mail goes through registrar.services.mail like every other message, so
it is recorded (« Courriels envoyés » in the admin).
"""

import logging

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest
from django.template import loader
from django.utils.translation import gettext_lazy as _

from registrar.services.mail import EmailNotSent, send_email

logger = logging.getLogger(__name__)

# No user name is longer than the user model's column (150); axes stores up to 255.
USERNAME_MAX_LENGTH = get_user_model()._meta.get_field("username").max_length or 150
AXES_USERNAME_MAX_LENGTH = 255
# A password manager's longest passwords are a few hundred characters; hashing a
# megabyte-long password at every try is work an attacker should not get for free.
PASSWORD_MAX_LENGTH = 1024
USERNAME_TOO_LONG = _(
    "Ce nom d'utilisateur est trop long : %(limit_value)d caractères au plus "
    "(vous en avez saisi %(show_value)d)."
)
PASSWORD_TOO_LONG = _(
    "Ce mot de passe est trop long : %(limit_value)d caractères au plus "
    "(vous en avez saisi %(show_value)d)."
)


class BoundedCredentialsMixin:
    """Check the user name and password lengths of a login form: an over-long value is a
    French error at its field and ``authenticate()`` is never called (AuthenticationForm's
    clean() skips it when a field is invalid)."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        bounds = (
            ("username", USERNAME_MAX_LENGTH, USERNAME_TOO_LONG),
            ("password", PASSWORD_MAX_LENGTH, PASSWORD_TOO_LONG),
        )
        for name, limit, message in bounds:
            field: forms.CharField = self.fields[name]
            field.max_length = limit
            field.validators.append(MaxLengthValidator(limit, message=message))


class BoundedAuthenticationForm(BoundedCredentialsMixin, AuthenticationForm):
    """The staff login page's form."""


class BoundedAdminAuthenticationForm(BoundedCredentialsMixin, AdminAuthenticationForm):
    """The Django admin's login form (staff accounts only), bounded the same way."""


# SentEmail.purpose of the password-reset message.
PASSWORD_RESET_PURPOSE = "password_reset"


class RecordedPasswordResetForm(PasswordResetForm):
    """Django's password-reset form, its e-mail sent and recorded by
    registrar.services.mail.send_email (actor None: nobody is logged in).

    The page answers the same whether the message left or not, as Django's does (a failure
    is logged, never shown: the page must not tell which addresses have an account)."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        # The subject must not contain newlines (as Django's form does).
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html_body = None
        if html_email_template_name is not None:
            html_body = loader.render_to_string(html_email_template_name, context)
        try:
            send_email(
                actor=None,
                to=[to_email],
                subject=subject,
                body=body,
                html_body=html_body,
                from_email=from_email,
                purpose=PASSWORD_RESET_PURPOSE,
            )
        except (EmailNotSent, ValidationError):
            logger.exception("Failed to send password reset email to %s", context["user"].pk)


def axes_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The user name django-axes records (AXES_USERNAME_CALLABLE), cut to its column.

    Every login form goes through BoundedAuthenticationForm or the admin's login (which the
    same bound protects, see registrar/urls.py); this is the backstop for any other caller
    of ``authenticate()``, so no request text can overflow axes' column.
    """
    # The same sources, in the same order, as axes.helpers.get_client_username.
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    if username is None:
        return None
    return str(username)[:AXES_USERNAME_MAX_LENGTH]
