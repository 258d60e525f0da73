"""The researcher's day in JupyterLab: allowed parameter values, the Lab check, `research-kit new-study`.

Allowed values are declared in the notebook's parameters cell (``# ...; one of "zh", "en"``);
`research-kit run -p` and the Lab check (`rk.lab.check_parameters`, `%check_parameters`) reject a
value outside them with the same message, before any kernel starts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from research_kit import cli, lab
from research_kit.pipeline import ParameterError, validate_parameters
from research_kit.pipeline.scaffold import ScaffoldError, new_study
from research_kit.pipeline.study_config import declared_choices

ROOT = Path(__file__).resolve().parents[2]
DECLARED = {
    "lang": {"inferred_type_name": "str", "default": '"zh"', "help": 'paper language; one of "zh", "en"'},
    "county": {"inferred_type_name": "str", "default": '"all"',
               "help": 'county; one of "all", "义乌市", "永康市"'},
    "leads": {"inferred_type_name": "int", "default": "12", "help": "months before; one of 6, 12"},
    "seed": {"inferred_type_name": "int", "default": "1", "help": "random seed (one of many choices you may make)"},
}


def test_allowed_values_are_read_from_the_comment() -> None:
    assert declared_choices(DECLARED["lang"]) == ("zh", "en")
    assert declared_choices(DECLARED["county"]) == ("all", "义乌市", "永康市")
    assert declared_choices(DECLARED["leads"]) == (6, 12)
    assert declared_choices(DECLARED["seed"]) is None  # prose after "one of" is not a declaration


@pytest.mark.parametrize(("name", "value", "shown"), [
    ("lang", "fr", "'zh', 'en'"),
    ("county", "Atlantis", "'all', '义乌市', '永康市'"),
    ("leads", 7, "6, 12"),
])
def test_a_value_outside_the_declared_ones_is_rejected_naming_them(name: str, value: object, shown: str) -> None:
    with pytest.raises(ParameterError) as err:
        validate_parameters({name: value}, DECLARED, where="-p")
    assert str(err.value) == (f"-p: parameter {name!r} must be one of {shown} (as declared in the notebook's "
                              f"parameters cell); got {value!r}.")


def test_declared_values_pass() -> None:
    assert validate_parameters({"lang": "en", "county": "义乌市", "leads": 6, "seed": 3}, DECLARED) == {
        "lang": "en", "county": "义乌市", "leads": 6, "seed": 3}


@pytest.mark.parametrize("study", ["fx_loans", "digital_rmb", "hedging_rd", "financing_cost", "targets_2025", "power_fx"])
def test_every_paper_declares_its_languages(study: str) -> None:
    from research_kit.pipeline import study_parameters

    _, declared = study_parameters(study, ROOT)
    assert declared_choices(declared["lang"]) == ("zh", "en")


def test_cli_run_rejects_lang_fr_before_any_kernel_starts(capsys: pytest.CaptureFixture[str]) -> None:
    papers = ROOT / "reports" / "papers" / "fx_loans"
    before = sorted(papers.glob("*")) if papers.is_dir() else []
    rc = cli.main(["--root", str(ROOT), "run", "fx_loans", "-p", "lang=fr"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "parameter 'lang' must be one of 'zh', 'en'" in err and "got 'fr'" in err
    assert (sorted(papers.glob("*")) if papers.is_dir() else []) == before


def test_cli_run_rejects_an_unknown_county() -> None:
    proc = subprocess.run([sys.executable, "-m", "research_kit.cli", "--root", str(ROOT), "run", "fx_loans",
                           "-p", "county=Atlantis"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "parameter 'county' must be one of 'all', " in proc.stderr and "got 'Atlantis'" in proc.stderr


def test_lab_check_gives_the_run_message_and_passes_good_values() -> None:
    with pytest.raises(ParameterError, match=r"^fx_loans \(parameters cell\): parameter 'lang' must be one of "
                                             r"'zh', 'en' \(as declared in the notebook's parameters cell\); got 'fr'\.$"):
        lab.check_parameters("fx_loans", {"lang": "fr", "county": "all"}, root=ROOT, force=True)
    assert lab.check_parameters("fx_loans", {"lang": "en", "county": "义乌市"}, root=ROOT, force=True) == {
        "lang": "en", "county": "义乌市"}
    with pytest.raises(ParameterError, match="run the parameters cell first"):
        lab.check_parameters("fx_loans", {}, root=ROOT, force=True)
    with pytest.raises(ParameterError, match="unknown study 'nope'"):
        lab.check_parameters("nope", {"lang": "zh"}, root=ROOT, force=True)


def test_lab_check_is_skipped_inside_a_pipeline_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESEARCH_KIT_COMMIT", "")
    assert lab.check_parameters("fx_loans", {"lang": "fr"}, root=ROOT) == {}


def test_check_parameters_magic() -> None:
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        os.environ.pop("RESEARCH_KIT_COMMIT", None)
        lab.load_ipython_extension(shell)
        shell.user_ns.update(lang="fr", county="all")
        with pytest.raises(ParameterError, match="parameter 'lang' must be one of 'zh', 'en'"):
            shell.run_line_magic("check_parameters", "fx_loans")
    finally:
        InteractiveShell.clear_instance()


# --- research-kit new-study ---------------------------------------------------------------------------------


def _copy_project(dest: Path) -> Path:
    """A project copy with its own src/ (the new study package must be importable from it) and no studies."""
    for sub in ("data/raw", "data/targets"):
        shutil.copytree(ROOT / sub, dest / sub)
    shutil.copy(ROOT / "data" / "catalog.yaml", dest / "data" / "catalog.yaml")
    shutil.copytree(ROOT / "src", dest / "src", ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "jupytext.toml", dest / "notebooks" / "jupytext.toml")
    (dest / "tests" / "studies").mkdir(parents=True)
    (dest / "pyproject.toml").write_text("[project]\nname = 'copy'\n", encoding="utf-8")
    (dest / "studies.yaml").write_text("# studies\nstudies:\n", encoding="utf-8")
    for extra in ("reports",):
        if (ROOT / extra).is_dir():
            shutil.copytree(ROOT / extra, dest / extra, ignore=shutil.ignore_patterns(
                "_site", "papers", "logs", ".cache", "*.lock"))
    return dest


def test_new_study_refuses_bad_names_tasks_and_titles(tmp_path: Path) -> None:
    root = _copy_project(tmp_path)
    good = dict(task="7", title_zh="演示研究", title_en="Demo study", root=root)
    for name in ("Demo", "1demo", "demo-x", "class", "demo\nx"):
        with pytest.raises(ScaffoldError, match="lower-case letters"):
            new_study(name, **good)  # type: ignore[arg-type]
    with pytest.raises(ScaffoldError, match="tasks 1 to 24"):
        new_study("demo_x", **{**good, "task": "25"})  # type: ignore[arg-type]
    with pytest.raises(ScaffoldError, match="no Chinese characters"):
        new_study("demo_x", **{**good, "title_zh": "Demo"})  # type: ignore[arg-type]
    assert not list((root / "notebooks").glob("*.ipynb"))


def test_new_study_writes_everything_once_and_never_overwrites(tmp_path: Path) -> None:
    root = _copy_project(tmp_path)
    made = new_study("demo_x", task="7", title_zh="演示研究", title_en="Demo study", root=root)
    assert made.notebook == root / "notebooks" / "01_demo_x.ipynb"
    assert made.notebook.with_suffix(".py").is_file()  # the jupytext twin
    for f in ("__init__.py", "_data.py", "_estimate.py", "_paper.py"):
        assert (root / "src/research_kit/studies/demo_x" / f).is_file()
    assert (root / "tests/studies/test_demo_x.py").is_file()
    nb = json.loads(made.notebook.read_text(encoding="utf-8"))
    tags = [c["metadata"].get("tags", []) for c in nb["cells"]]
    assert tags[1] == ["parameters"] and ["lang-zh"] in tags and ["lang-en"] in tags
    yaml_text = (root / "studies.yaml").read_text(encoding="utf-8")
    assert "demo_x_zh: {lang: zh}" in yaml_text and "demo_x_en: {lang: en}" in yaml_text
    def files() -> dict[Path, bytes]:  # the parameters cache under reports/.cache is not the study's
        return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".cache" not in p.parts}

    snapshot = files()
    with pytest.raises(ScaffoldError, match="exists already"):
        new_study("demo_x", task="7", title_zh="演示研究", title_en="Demo study", root=root)
    assert files() == snapshot


@pytest.mark.slow
def test_new_study_builds_in_zh_and_en_and_its_generated_test_passes(tmp_path: Path) -> None:
    root = _copy_project(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "RESEARCH_KIT_ROOT": str(root)}
    env.pop("RESEARCH_KIT_COMMIT", None)
    cmd = [sys.executable, "-m", "research_kit.cli"]
    made = subprocess.run([*cmd, "new-study", "demo_x", "--task", "7", "--title-zh", "演示研究",
                           "--title-en", "Demo study"], env=env, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    build = subprocess.run([*cmd, "build", "--workers", "1"], env=env, capture_output=True, text=True, timeout=900)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    site = root / "reports" / "_site"
    pages = {p.name: p.read_text(encoding="utf-8") for p in site.rglob("demo_x_*.html")}
    assert set(pages) == {"demo_x_zh.html", "demo_x_en.html"}, sorted(pages)
    assert "演示研究" in pages["demo_x_zh.html"] and "Demo study" in pages["demo_x_en.html"]
    assert "模拟（合成）演示数据" in pages["demo_x_zh.html"] and "synthetic demo data" in pages["demo_x_en.html"]
    generated = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                str(root / "tests/studies/test_demo_x.py")], cwd=root, env=env,
                               capture_output=True, text=True, timeout=900)
    assert generated.returncode == 0, generated.stdout[-3000:]
    assert "3 passed" in generated.stdout, generated.stdout[-500:]


def test_a_rejected_value_loads_neither_kernels_nor_the_render_stack() -> None:
    """`research-kit run fx_loans -p lang=fr` stops before nbformat, papermill or matplotlib are imported."""
    code = ("import sys; from research_kit import cli; rc = cli.main(['--root', %r, 'run', 'fx_loans', '-p', 'lang=fr']); "
            "heavy = [m for m in ('nbformat', 'papermill', 'matplotlib', 'jupyter_client') if m in sys.modules]; "
            "print(rc, heavy)") % str(ROOT)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip() == "2 []", proc.stdout + proc.stderr
    assert "must be one of 'zh', 'en'" in proc.stderr
