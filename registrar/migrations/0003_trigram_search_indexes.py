"""Trigram indexes for the searches whose pattern does not start the text (« *blanc »).

PostgreSQL only: a LIKE '%blanc%' can use a GIN trigram index, not a b-tree. On SQLite
(development) there is nothing to add. Read by registrar.selectors.search_students and
search_courses.
"""

from django.db import migrations

INDEXES = [
    ("student_search_last_name_trgm", "registrar_student", "search_last_name"),
    ("student_search_first_name_trgm", "registrar_student", "search_first_name"),
    ("student_search_full_name_trgm", "registrar_student", "search_full_name"),
    ("course_search_title_trgm", "registrar_course", "search_title"),
    ("program_search_title_trgm", "registrar_program", "search_title"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registrar", "0002_default_code_tables_and_roles")]

    operations = [migrations.RunPython(create, drop)]
