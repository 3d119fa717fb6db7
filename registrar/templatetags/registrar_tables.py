"""The header and body of every django-tables2 table, written in Python
(registrar/tables.py, docs/decisions/0022-page-rendering.md)."""

from django import template

from registrar.tables import table_body_html, table_head_html

register = template.Library()


@register.simple_tag(takes_context=True)
def table_head(context, table) -> str:
    return table_head_html(table, context.get("request"))


@register.simple_tag(takes_context=True)
def table_body(context, table) -> str:
    return table_body_html(table, context)
