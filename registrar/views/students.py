"""Student simple search and student file (built in the search work package)."""

from django.http import Http404


def student_search(request):
    raise Http404


def student_file(request, pk):
    raise Http404


def student_admissions(request, pk):
    raise Http404
