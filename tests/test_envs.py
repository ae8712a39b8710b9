"""Each rule family's conda env lists every third-party package its scripts import (followed through
the package, lazily imported modules included), and the workflow imports the package without any
PYTHONPATH or sys.path change at parse time."""

import ast
import re
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO

PIP_NAMES = {
    "cv2": "opencv-contrib-python-headless",
    "yaml": "pyyaml",
    "PIL": "pillow",
    "imageio_ffmpeg": "imageio-ffmpeg",
    "sklearn": "scikit-learn",
    "skimage": "scikit-image",
}
PROVIDED = {"snakemake", "paintflow", "snakemake_logger_plugin_paintflow"}  # Snakemake adds these to sys.path


def imports_of(path: Path, everywhere: bool) -> set[str]:
    """Imports of a file: all of them (a script), or the module-level ones (a package module: a lazy import
    inside a function belongs to the code path that calls it, checked where that path runs)."""
    names = set()
    tree = ast.parse(path.read_text())
    nodes = ast.walk(tree) if everywhere else [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside the package
                base = ".".join(
                    path.relative_to(REPO).with_suffix("").parts[:-1] + ((node.module,) if node.module else ())
                )
                names.add(base)
                names |= {f"{base}.{a.name}" for a in node.names}
            elif node.module:
                names.add(node.module)
                names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def third_party(script: Path) -> set[str]:
    seen, todo, found = set(), [script], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in imports_of(path, everywhere=path == script):
            top = name.split(".")[0]
            if top == "paintflow":
                module = REPO.joinpath(*name.split("."))
                for candidate in (module.with_suffix(".py"), module / "__init__.py"):
                    if candidate.is_file():
                        todo.append(candidate)
            elif top not in sys.stdlib_module_names and top not in PROVIDED:
                found.add(top)
    return found


def rule_scripts():
    """(rule file, env file, script) for every rule with a conda env and a script."""
    for smk in sorted((REPO / "rules").glob("*.smk")):
        text = smk.read_text()
        for block in re.split(r"\n\s*rule\b", text)[1:]:
            env = re.search(r'conda:\s*"\.\./(envs/[\w.]+)"', block)
            script = re.search(r'script:\s*"\.\./(workflow_scripts/[\w.]+)"', block)
            if env and script:
                yield smk.name, env.group(1), script.group(1)


def listed(env: str) -> set[str]:
    spec = yaml.safe_load((REPO / env).read_text())
    names = set()
    for dep in spec["dependencies"]:
        for item in dep.get("pip", []) if isinstance(dep, dict) else [dep]:
            names.add(re.split(r"[=<>\[ ]", item)[0].lower())
    post = REPO / env.replace(".yaml", ".post-deploy.sh")
    if post.is_file():
        names |= {re.split(r"[=<>]", w)[0].lower() for w in post.read_text().split() if "==" in w}
    return names


@pytest.mark.parametrize("rule_file,env,script", sorted(set(rule_scripts())))
def test_env_lists_what_the_script_imports(rule_file, env, script):
    needed = {PIP_NAMES.get(m, m).replace("_", "-").lower() for m in third_party(REPO / script)}
    missing = needed - listed(env)
    assert not missing, f"{script} (rules/{rule_file}) imports {sorted(missing)}, not in {env}"


def test_no_path_mutation_at_parse_time():
    for smk in [REPO / "Snakefile", *sorted((REPO / "rules").glob("*.smk"))]:
        text = smk.read_text()
        assert "PYTHONPATH" not in text and "sys.path" not in text, smk.name
    assert (REPO / "workflow_scripts" / "paintflow").resolve() == (REPO / "paintflow").resolve()
