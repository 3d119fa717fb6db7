"""The staff shell's views (shell.py, students.py, courses.py) and what every app's views
share."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def show_refusal(request: HttpRequest, exc: ValidationError) -> None:
    """A service's refusal, for a view with no form to put it on: each message as an error
    message of the next page."""
    for message in exc.messages:
        messages.error(request, message)
