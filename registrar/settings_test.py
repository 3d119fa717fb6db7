"""Settings for the test suite: the normal settings in testing mode (see settings.TESTING)."""

import os

os.environ["REGISTRAR_TESTING"] = "true"

from registrar.settings import *  # noqa: F403
