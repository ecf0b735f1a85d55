"""Keep the project's files honest: dependencies, clean notebooks, the test command."""

import json
import re
from pathlib import Path

import pytest
import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_and_pyproject_name_the_same_packages():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_side = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_side = set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            conda_side |= {_name(r) for r in dep["pip"]}
        else:
            conda_side.add(_name(dep))
    conda_side -= {"python", "pip"}
    assert conda_side == pip_side, (f"only in environment.yml: {sorted(conda_side - pip_side)}; "
                                    f"only in pyproject.toml: {sorted(pip_side - conda_side)}")


def test_the_notebooks_are_all_there():
    names = [p.name for p in NOTEBOOKS]
    assert names and names[0] == "00_welcome.ipynb"
    assert [n[:2] for n in names] == [f"{i:02d}" for i in range(len(names))], names


def test_committed_notebooks_have_no_outputs():
    dirty = []
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count")):
                dirty.append(f"{path.name} cell {i}")
    assert not dirty, f"run `nbstripout notebooks/*.ipynb`; outputs found in {dirty}"


ID_STYLE = re.compile(r"\d+|[a-z][a-z0-9_]*(-[a-z0-9_]+)*")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_notebook_cells_follow_the_house_conventions(path):
    """Sources as lists of lines; ids a number or a kebab-case name (checks `check-...`, exercises `ex-...`);
    every assert in its own cell whose first line is `# checked`."""
    for cell in json.loads(path.read_text())["cells"]:
        assert isinstance(cell["source"], list), f"{path.name} {cell['id']}: store the source as a list of lines"
        cid = cell["id"]
        assert ID_STYLE.fullmatch(cid), f"{path.name}: cell id {cid!r} is neither a number nor kebab-case"
        assert not re.match(r"\d\d-|checked-|.*-checked$", cid), f"{path.name}: {cid!r}: name checks check-..."
        text = "".join(cell["source"])
        if cell["cell_type"] == "code" and re.search(r"^\s*assert\b", text, re.M):
            assert text.startswith("# checked"), f"{path.name} {cid}: an assert outside a '# checked' cell"


def test_every_notebook_has_goals_and_a_summary():
    for path in NOTEBOOKS:
        text = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                         if c["cell_type"] == "markdown")
        assert re.search(r"learning goals|what you will", text, re.I), f"{path.name}: no learning goals"
        assert re.search(r"^#+ .*summary", text, re.I | re.M), f"{path.name}: no summary section"


def test_the_package_ships_its_data_files(tmp_path):
    """A wheel (not only the editable install) holds every data file the package reads."""
    import subprocess
    import sys
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True, timeout=300)
    names = zipfile.ZipFile(next(tmp_path.glob("*.whl"))).namelist()
    data_files = [p.relative_to(ROOT).as_posix() for p in (ROOT / "ae_helpers").rglob("*")
                  if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    assert data_files, "the package has no data files? (quiz_questions.json expected)"
    missing = [f for f in data_files if f not in names]
    assert not missing, f"not in the wheel (pyproject [tool.setuptools.package-data]): {missing}"


def test_make_clean_keeps_models_and_data_and_distclean_removes_them(tmp_path):
    """Run the real targets on a throw-away folder laid out like a used checkout."""
    import shutil
    import subprocess

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    made = ["checkpoints/ae.safetensors", "data/FashionMNIST/raw/t10k", "slides/build/index.html", "book/_build/html/x",
            "test-artifacts/browser/shot.png", ".venv/bin/python", "notebooks/01.ipynb"]
    for name in made:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")

    def make(target):
        subprocess.run(["make", "-s", "-f", str(ROOT / "Makefile"), "-C", str(tmp_path), target], check=True,
                       capture_output=True, timeout=60)
        return {name for name in made if (tmp_path / name).exists()}

    assert make("clean") == {"checkpoints/ae.safetensors", "data/FashionMNIST/raw/t10k", ".venv/bin/python",
                             "notebooks/01.ipynb"}
    assert make("distclean") == {"notebooks/01.ipynb"}
