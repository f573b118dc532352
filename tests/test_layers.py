"""The apps stand on each other in one order, and no app imports one above it (issue 20).

From the bottom: core/ (what every app uses), accounts/, posts/ (the article),
checklists/ and comments/ (side by side: neither imports the other), pages/ (the
reader's pages, composed of each app's part), and the project package advice_site/
(settings and URLs). Every import counts, at module level or inside a function.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = [{"core"}, {"accounts"}, {"posts"}, {"checklists", "comments"}, {"pages"}, {"advice_site"}]
LAYER = {app: height for height, apps in enumerate(LAYERS) for app in apps}


def imported_apps(path):
    """The site's apps (set of str) that a Python file imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & LAYER.keys()
    return found


def arrows():
    """{(importing app, imported app): [files]} across the apps' Python files."""
    found = {}
    for app in LAYER:
        for path in sorted((ROOT / app).rglob("*.py")):
            for other in imported_apps(path) - {app}:
                found.setdefault((app, other), []).append(str(path.relative_to(ROOT)))
    return found


def test_every_app_of_the_project_is_in_a_layer():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")} | {"advice_site"}
    assert apps == LAYER.keys()


@pytest.mark.parametrize("app", sorted(LAYER))
def test_no_app_imports_an_app_above_it_or_beside_it(app):
    upward = {
        (source, target): files
        for (source, target), files in arrows().items()
        if source == app and LAYER[target] >= LAYER[source]
    }
    assert upward == {}
