"""Every write to term records, course enrolments and batch operations.

``records`` holds the individual screens' services (« Dossiers sessions / Inscriptions »),
``batch`` the batch enrolment operations; the names of ``records`` are also importable from
here, as the views and tests have always used them.
"""

from enrollment.services.records import *  # noqa: F403
