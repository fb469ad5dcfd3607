"""The layout keeps its promises: layers point down (import-linter's contracts in pyproject.toml),
no module outgrows 400 lines, every package ships, and README's Layout names every package."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 400


def packages() -> list[str]:
    found = []
    for top in ("api", "schema"):
        for init in sorted((ROOT / top).rglob("__init__.py")):
            found.append(".".join(init.parent.relative_to(ROOT).parts))
    return found


def test_layers_point_down_and_nothing_imports_in_a_circle() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(  # the project's contracts, no cached graph
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for top in ("api", "schema")
        for path in (ROOT / top).rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"split these by concern: {long}"


def test_every_package_ships_in_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    assert set(packages()) <= listed, set(packages()) - listed


def layout_tree(readme: str) -> set[str]:
    """The folders README's Layout block names: `api/`, and `access/` indented under it, ..."""
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    block = layout.split("```", 2)[1]
    named: set[str] = set()
    top = ""
    for line in block.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            top = line.split()[0].rstrip("/")
            named.add(top)
        elif (match := re.match(r"^  (\S.*?)(?:\s{2,}|$)", line)) is not None:
            named.update(f"{top}/{name.rstrip('/')}" for name in re.findall(r"(\w+)/", match[1]))
    return named


def test_the_readme_layout_names_every_package() -> None:
    named = layout_tree((ROOT / "README.md").read_text())
    missing = {package.replace(".", "/") for package in packages()} - named
    assert not missing, f"README's Layout section does not mention {sorted(missing)}"
