"""Every write to the core records (students, admissions), with its rules and its audit
trail. Services take keyword-only arguments, ``actor`` first; refusals raise ValidationError
with French messages (module constants) keyed by the form field they concern, and nothing is
written then."""
