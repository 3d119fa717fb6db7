"""Course search (built in the search work package)."""

from django.http import Http404


def course_search(request):
    raise Http404
