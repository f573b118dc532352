"""The comments app's modules import one way (issue 20): a module imports only modules of
its own layer or of the layers below it, never one above, and nothing imports in a circle.

Read from the source with ast, every import statement of each module, including those
inside functions, so that a circle cannot be hidden in a function-level import.
"""

import ast
from pathlib import Path

import pytest

import comments

APP = Path(comments.__file__).resolve().parent

# Lowest first. A module may import the modules of its own layer and of those below.
LAYERS = [
    # The models and what needs nothing of the app: Markdown rendering, the rate limit.
    {
        "comments",
        "comments.models",
        "comments.matching",
        "comments.rendering",
        "comments.ratelimit",
    },
    # The stored counts, kept in step with the comments by their receivers.
    {"comments.counts"},
    # Who may do what, and what the moderation rules say of a text.
    {"comments.rules", "comments.screening"},
    # What changes comments, the emails about them and their signed decision links, the
    # forms.
    {"comments.moderation", "comments.notifications", "comments.decisions", "comments.forms"},
    # The discussion as pages show it, the views, the Disqus import (and its matching of
    # threads to posts), a reader's data.
    {
        "comments.threads",
        "comments.page",
        "comments.views",
        "comments.disqus",
        "comments.disqus_matching",
        "comments.data",
    },
    # On top: the app's configuration (which connects the receivers), the admin, the URLs
    # and the management commands.
    {
        "comments.apps",
        "comments.admin",
        "comments.urls",
        "comments.management",
        "comments.management.commands",
        "comments.management.commands.import_disqus",
        "comments.management.commands.purge_comment_ips",
    },
]
LAYER = {module: number for number, modules in enumerate(LAYERS) for module in modules}


def module_name(path):
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_modules():
    """{module name: path} of every module of the app but its migrations."""
    return {
        module_name(path): path
        for path in sorted(APP.rglob("*.py"))
        if "migrations" not in path.relative_to(APP).parts
    }


def imports_of(name, path):
    """[(imported module, line, inside a function)] for every import of the app's own
    modules in ``path``, relative imports resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    in_function = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            in_function.update(id(inner) for inner in ast.walk(node) if inner is not node)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            # "from . import views" imports the module comments.views.
            targets = [source] + [f"{source}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            if target.split(".")[0] == "comments" and target in LAYER:
                found.append((target, node.lineno, id(node) in in_function))
    return found


@pytest.fixture(scope="module")
def graph():
    """{module: [(imported module, line, inside a function)]} of the whole app."""
    return {name: imports_of(name, path) for name, path in app_modules().items()}


def test_every_module_of_the_app_has_its_layer(graph):
    unplaced = sorted(set(graph) - set(LAYER))
    assert not unplaced, f"put these modules in a layer of LAYERS: {unplaced}"


def test_the_import_reader_sees_the_apps_imports(graph):
    """The rule below would pass on a reader that found nothing: it finds these."""
    imported = {(name, target) for name, found in graph.items() for target, _, _ in found}

    assert ("comments.views", "comments.threads") in imported
    assert ("comments.threads", "comments.rules") in imported
    assert ("comments.urls", "comments.views") in imported  # "from . import views"


def test_no_module_imports_one_of_a_higher_layer(graph):
    upward = [
        f"{name}:{line} imports {target} (layer {LAYER[target]} above {LAYER[name]})"
        for name, found in graph.items()
        for target, line, _ in found
        if LAYER[target] > LAYER[name]
    ]
    assert not upward, "\n".join(upward)


def test_no_module_of_the_app_is_imported_inside_a_function(graph):
    """Function-level imports are how a circle hides; each module imports at the top."""
    hidden = [
        f"{name}:{line} imports {target} inside a function"
        for name, found in graph.items()
        for target, line, inside in found
        # AppConfig.ready() is Django's place to connect receivers: the models are loaded
        # only then ("Application configuration", ready()).
        if inside and name != "comments.apps"
    ]
    assert not hidden, "\n".join(hidden)


def test_the_modules_import_in_no_circle(graph):
    edges = {
        name: {target for target, _, _ in found if target != name and target != "comments"}
        for name, found in graph.items()
    }
    done, path = set(), []

    def visit(name):
        if name in path:
            circle = " -> ".join([*path[path.index(name) :], name])
            pytest.fail(f"import circle: {circle}")
        if name in done:
            return
        path.append(name)
        for target in sorted(edges.get(name, ())):
            visit(target)
        path.pop()
        done.add(name)

    for name in sorted(edges):
        visit(name)
