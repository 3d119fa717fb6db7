#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registrar.settings")
    # A checkout with neither a database nor a secret configured is a developer's: commands
    # run in development mode on the embedded SQLite file. A deployment sets DATABASE_URL,
    # so it keeps the strict production settings (and seed_demo stays refused there).
    if not os.environ.get("DATABASE_URL") and not os.environ.get("SECRET_KEY"):
        os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
