"""Every write to term records, course enrolments and batch operations.

``records`` holds the individual screens' services (« Dossiers sessions / Inscriptions »),
``batch`` the batch enrolment operations (``plan``, ``run``, ``undo``); the names of
``records`` are also importable from here, as the views and tests have always used them, and
so are the RAC rules of enrollment.rules the enrolment form reads.
"""

from enrollment.rules import rac_grid_line, rac_mode_of, rac_type_of  # noqa: F401
from enrollment.services.records import *  # noqa: F403
