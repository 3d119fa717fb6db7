"""Certification's imports (docs/architecture.md: file → validated rows, no writes): the
candidates of a session (candidates.py) and sessions in bulk (sessions.py), both read through
the shared tabular reader, registrar/tabular."""
