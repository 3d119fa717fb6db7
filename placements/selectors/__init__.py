"""Reads of the placements app, scoped to the user's programs (scope.py); each screen's own
reads in its module."""
