"""Every write to certification sessions and candidates.

``sessions`` creates, changes and deletes sessions; ``candidates`` adds, removes and checks
in candidates. Services take keyword-only arguments, ``actor`` first; refusals raise
ValidationError with French messages keyed by the form field they concern.
"""
