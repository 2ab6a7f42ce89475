"""The tracker as a real package: an sdist, a wheel built from it, installed into a fresh
virtual environment, run from a directory that is not the checkout.

Offline: the build uses this environment's setuptools (no build isolation, no index), the
fresh venv borrows this environment's dependencies through a .pth line, and pip installs
the wheel alone (--no-deps --no-index).
"""

from __future__ import annotations

import email.parser
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

import tracker
from tracker.config import PROJECT_ROOT

#: What a build needs from the checkout (nothing else is copied: it would hide a gap).
BUILD_INPUTS = ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "build_hooks.py",
                "tracker", "dashboard", "calendars", "data")
CACHES = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", "*.egg-info")


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    run = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, f"{args}: {run.stdout}\n{run.stderr}"
    return run


def _backend(hook: str, source: Path, out: Path) -> Path:
    """Call the PEP 517 backend as a build frontend does, in ``source``."""
    code = ("import sys; from setuptools import build_meta as b; "
            f"print(b.{hook}(sys.argv[1]))")
    name = _run([sys.executable, "-c", code, out], cwd=source).stdout.strip().splitlines()[-1]
    return out / name


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdist from a copy of the checkout, then the wheel from the unpacked sdist."""
    root = tmp_path_factory.mktemp("build")
    source = root / "checkout"
    source.mkdir()
    for name in BUILD_INPUTS:
        path = PROJECT_ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=CACHES)
        else:
            shutil.copy2(path, source / name)
    dist = root / "dist"
    dist.mkdir()
    sdist = _backend("build_sdist", source, dist)
    with tarfile.open(sdist) as archive:
        archive.extractall(root / "unpacked", filter="data")
    (unpacked,) = (root / "unpacked").iterdir()
    return _backend("build_wheel", unpacked, dist)


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed by pip and this environment's dependencies."""
    target = tmp_path_factory.mktemp("venv") / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", target], cwd=target.parent)
    python = target / "bin" / "python"
    purelib = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()"
                                       "['purelib'])"], cwd=target).stdout.strip())
    # A plain path line: the dependencies become importable, but this environment's own
    # .pth files (the editable install of the checkout) are not processed.
    (purelib / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
          "--no-index", "--disable-pip-version-check", "-q", wheel], cwd=target.parent)
    return target


def _clean_env() -> dict[str, str]:
    """No TRACKER_* settings and no PYTHONPATH: the installed defaults alone."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("TRACKER_", "PYTHON")) and k != "VIRTUAL_ENV"}


def test_the_wheel_carries_the_version_licence_calendars_data_and_dashboard(
        wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = f"charter_sla_tracker-{tracker.__version__}.dist-info"
        metadata = email.parser.Parser().parsestr(archive.read(f"{info}/METADATA").decode())
    assert metadata["Version"] == tracker.__version__
    assert metadata["License-Expression"] == "MIT"
    assert f"{info}/licenses/LICENSE" in names
    for path in sorted(PROJECT_ROOT.glob("calendars/*.toml")):
        assert f"tracker/_bundled/calendars/{path.name}" in names
    for path in (PROJECT_ROOT / "data").rglob("*"):
        if path.is_file():
            assert f"tracker/_bundled/{path.relative_to(PROJECT_ROOT).as_posix()}" in names
    assert {"dashboard/app.py", "dashboard/data.py", "dashboard/app_pages/overview.py",
            "tracker/store/migrations/script.py.mako",
            "tracker/store/migrations/versions/0001_initial_schema.py",
            "tracker/py.typed"} <= names
    assert not any(name.startswith(("tests/", "calendars/", "data/")) for name in names)


def test_the_installed_command_computes_a_due_date_outside_the_checkout(
        venv: Path, tmp_path: Path) -> None:
    run = _run([venv / "bin" / "tracker", "calendar", "due", "--received", "2025-03-27T10:15",
                "--working-days", "3"], cwd=tmp_path, env=_clean_env())
    assert run.stdout == "2025-04-08\n"
    module = _run([venv / "bin" / "python", "-m", "tracker", "calendar", "due", "--received",
                   "2025-03-27T10:15", "--working-days", "3"], cwd=tmp_path, env=_clean_env())
    assert module.stdout == "2025-04-08\n"
    # A district's regional closures come from the bundled geography.
    district = _run([venv / "bin" / "tracker", "calendar", "is-working-day", "2025-01-01",
                     "--district", "Rangamati"], cwd=tmp_path, env=_clean_env())
    assert district.stdout.startswith(("yes", "no"))


PROBE = """
import json, sys
from importlib.metadata import version
import tracker
from tracker.config import get_settings
from tracker.cli.dashboard import APP
from tracker.domain.charter.catalog import load_all
from tracker.domain.geo import load_geography
s = get_settings()
office = load_geography().office("jashore.keshabpur")
print(json.dumps({
    "package": tracker.__file__, "version": version("charter-sla-tracker"),
    "calendars": str(s.calendars_dir), "data": str(s.data_dir),
    "database_url": s.database_url, "outbox": str(s.outbox_dir),
    "dashboard": str(APP), "dashboard_exists": APP.is_file(),
    "office": office.district.name_en, "catalogs": sorted(load_all()),
}))
"""


def test_installed_defaults_point_at_the_package_and_the_current_directory(
        venv: Path, tmp_path: Path) -> None:
    run = _run([venv / "bin" / "python", "-c", PROBE], cwd=tmp_path, env=_clean_env())
    found = json.loads(run.stdout)
    site = Path(found["package"]).parent.parent
    assert site.is_relative_to(venv), "imported the checkout, not the installed package"
    assert found["version"] == tracker.__version__
    assert Path(found["calendars"]) == site / "tracker" / "_bundled" / "calendars"
    assert Path(found["data"]) == site / "tracker" / "_bundled" / "data"
    assert Path(found["dashboard"]) == site / "dashboard" / "app.py"
    assert found["dashboard_exists"]
    # Writable state goes to var/ in the current directory, never into site-packages.
    here = tmp_path.resolve()
    assert found["database_url"] == f"sqlite:///{here / 'var' / 'tracker.db'}"
    assert Path(found["outbox"]) == here / "var" / "outbox"
    assert found["office"] == "Jashore"
    # the five upazila ICT offices, the AC Land office of Madhabpur and Doail UP
    assert "jashore.keshabpur" in found["catalogs"] and len(found["catalogs"]) == 7
    assert {"habiganj.madhabpur@land", "jamalpur.sarishabari@doail-up"} <= set(
        found["catalogs"])


def test_settings_still_override_the_bundled_folders(venv: Path, tmp_path: Path) -> None:
    env = _clean_env()
    env["TRACKER_CALENDARS_DIR"] = str(tmp_path / "nowhere")
    run = subprocess.run([str(venv / "bin" / "tracker"), "calendar", "due", "--received",
                          "2025-03-27T10:15", "--working-days", "3"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr.startswith("error: ") and "nowhere" in run.stderr


DASHBOARD = """
from streamlit.testing.v1 import AppTest
from tracker.cli.dashboard import APP
page = AppTest.from_file(str(APP), default_timeout=60).run()
print(APP)
print([e.value for e in page.exception])
print(len(page.text_input))
"""


def test_the_installed_dashboard_runs_its_login_page(venv: Path, tmp_path: Path) -> None:
    env = _clean_env()
    env["TRACKER_DATABASE_URL"] = f"sqlite:///{tmp_path / 'dashboard.db'}"
    app, exceptions, inputs = _run([venv / "bin" / "python", "-c", DASHBOARD], cwd=tmp_path,
                                   env=env).stdout.splitlines()[-3:]
    assert Path(app).is_relative_to(venv)
    assert exceptions == "[]"
    assert inputs == "2"  # user name and password
