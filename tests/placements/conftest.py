"""The placements tests' fixtures (tests/placements/support.py, shared with the browser
tests of tests/browser/test_placements_*.py)."""

from tests.placements.support import coordinator_client, world  # noqa: F401
