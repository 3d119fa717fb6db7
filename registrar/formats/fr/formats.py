# French dates as the office writes them: 29/11/2026 and 29/11/2026 13 h 39 (the hour with
# « h », as French typography writes it). What is not here comes from Django's fr module.
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = r"d/m/Y H \h i"
DATETIME_FORMAT = r"j F Y H \h i"
