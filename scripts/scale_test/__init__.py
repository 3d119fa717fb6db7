"""The scale test (`make scale-test`, scripts/scale_test.py): nginx, two gunicorn app servers,
two db_worker processes, PostgreSQL, Redis and an S3 test server on loopback, started from the
files of deploy/ (docs/deploy.md), and the scenarios of issue 16 run against them."""
