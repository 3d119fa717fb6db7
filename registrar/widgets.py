"""Form widgets of the staff UI."""

from django import forms


class CoursePickerWidget(forms.TextInput):
    """A course-number input with a « Rechercher » button that opens the course search in a
    dialog; choosing a course there fills the input (static/js/app.js)."""

    # In the app's templates/: the form renderer looks in apps, not in the project DIRS.
    template_name = "registrar/widgets/course_picker.html"

    def __init__(self, attrs=None):
        defaults = {"class": "form-control", "autocomplete": "off", "placeholder": "601-103-MQ"}
        super().__init__({**defaults, **(attrs or {})})
