"""The dependency rule of docs/architecture.md: workflow apps depend on ``registrar``, never the
reverse. ``registrar`` (its code and the shell's templates) imports no workflow app and names
none of its URL names, permissions, models or relations; the apps plug in through the
registries of registrar/plugins.py. Project configuration (settings, the migrations' history)
is exempt: listing an app in INSTALLED_APPS is how it is added."""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import URLResolver, get_resolver

ROOT = Path(settings.BASE_DIR)
EXEMPT = {"settings.py", "settings_test.py"}
# The shell's templates: registrar's own pages, and the pages every app extends.
SHELL_TEMPLATES = [
    *sorted((ROOT / "templates" / "registrar").rglob("*.html")),
    *sorted((ROOT / "templates" / "includes").rglob("*.html")),
    *sorted((ROOT / "templates" / "registration").rglob("*.html")),
    *sorted((ROOT / "templates").glob("*.html")),
]


def workflow_apps() -> list:
    """The project's own apps other than registrar (a folder of the repository)."""
    return [
        config
        for config in apps.get_app_configs()
        if config.name != "registrar" and Path(config.path).parent == ROOT
    ]


def registrar_modules() -> list[Path]:
    return [
        path
        for path in sorted((ROOT / "registrar").rglob("*.py"))
        if "migrations" not in path.parts and path.name not in EXEMPT
    ]


def _namespaces() -> set[str]:
    return {p.namespace for p in get_resolver().url_patterns if isinstance(p, URLResolver)}


def forbidden_names() -> dict[str, str]:
    """Every name by which registrar could reach into a workflow app: its label, URL
    namespace, model names and the relations its models add to registrar's models."""
    names = {}
    for config in workflow_apps():
        names[config.label] = f"the app {config.label}"
        for model in config.get_models():
            names[model.__name__] = f"the model {config.label}.{model.__name__}"
            for field in model._meta.get_fields():
                target = getattr(field, "related_model", None)
                if field.is_relation and target and target._meta.app_label == "registrar":
                    for name in {
                        field.remote_field.get_accessor_name(),
                        field.related_query_name(),
                    }:
                        if name and not name.endswith("+"):
                            names[name] = (
                                f"the relation {config.label}.{model.__name__}.{field.name}"
                            )
    return names


def _strings_and_names(tree: ast.AST):
    """String constants (docstrings left out: they may cite a file) and identifiers."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                yield node.lineno, node.value
        elif isinstance(node, ast.Attribute):
            yield node.lineno, node.attr
        elif isinstance(node, ast.keyword) and node.arg:
            yield node.value.lineno, node.arg
        elif isinstance(node, ast.Name):
            yield node.lineno, node.id


def test_there_are_workflow_apps_to_check():
    labels = {config.label for config in workflow_apps()}
    assert {"enrollment", "certification"} <= labels


@pytest.mark.parametrize("path", registrar_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_registrar_imports_no_workflow_app(path):
    labels = {config.name for config in workflow_apps()}
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules = [node.module or ""]
        else:
            continue
        for module in modules:
            assert module.split(".")[0] not in labels, f"{path}:{node.lineno} imports {module}"


@pytest.mark.parametrize("path", registrar_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_registrar_names_no_url_permission_or_model_of_a_workflow_app(path):
    forbidden = forbidden_names()
    namespaces = _namespaces() - {"registrar", "admin"}
    prefixes = tuple(f"{label}{sep}" for label in forbidden if label.islower() for sep in ".:")
    for lineno, text in _strings_and_names(ast.parse(path.read_text())):
        where = f"{path.relative_to(ROOT)}:{lineno}"
        assert text not in forbidden, f"{where} names {forbidden[text]}"
        assert not text.startswith(prefixes), f"{where} names {text!r}"
        assert text.split(":")[0] not in namespaces or ":" not in text, f"{where}: {text!r}"
        lookup = text.split("__")[0]
        if "__" in text:
            assert lookup not in forbidden, f"{where} reaches {forbidden[lookup]}"


@pytest.mark.parametrize("path", SHELL_TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_shell_templates_name_no_workflow_app(path):
    text = path.read_text()
    for config in workflow_apps():
        label = re.escape(config.label)
        assert not re.search(rf"""\{{%\s*url\s+["']{label}:""", text), f"{path}: a URL of {label}"
        assert not re.search(rf"\bperms\.{label}\b", text), f"{path}: a permission of {label}"


def test_the_check_catches_a_module_that_names_an_app(tmp_path):
    """The scan itself is not blind: a module that imports an app, names its permission,
    its URL or a relation of its models is caught."""
    forbidden = forbidden_names()
    relation = next(name for name, what in forbidden.items() if what.startswith("the relation"))
    source = (
        "from enrollment.models import TermRecord\n"
        "PERM = 'enrollment.view_termrecord'\n"
        "URL = 'certification:session_list'\n"
        f"QS = dict({relation}__isnull=True)\n"
    )
    tree = ast.parse(source)
    found = [text for _line, text in _strings_and_names(tree)]
    assert "enrollment.view_termrecord" in found
    assert "certification:session_list" in found
    assert "TermRecord" in forbidden
    assert f"{relation}__isnull" in found
    imports = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert imports == ["enrollment.models"]
