# English dates: ISO 8601, 2026-11-29 and 2026-11-29 13:39 — the date format Canada's
# standards recommend, which a reader of either language cannot take for another date
# (Django's « 11/29/2026 » reads as the 11th of a 29th month next to French pages).
# What is not here comes from Django's en module.
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
DATETIME_FORMAT = "j F Y H:i"
