"""The wheel: its metadata, what it carries, and its demo run outside the repository.

Builds the wheel as a user's ``pip`` would (an isolated build that fetches setuptools from the
package index), installs it without dependencies into a fresh directory, and runs ``sim demo``
from another directory with that installation first on the path: the demo scenario and the
parameter packs must come from the wheel, not from the checkout. Slow (a build): run by
``make test-slow`` and CI.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w",
                           str(out), str(ROOT)], capture_output=True, text=True, timeout=600,
                          check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (whl,) = out.glob("*.whl")
    return whl, proc.stdout + proc.stderr


def test_metadata_has_its_own_name_version_and_licence(wheel: tuple[Path, str]) -> None:
    whl, log = wheel
    # Our own metadata raises no deprecation at build time (project.license as a table did).
    deprecations = [ln for ln in log.splitlines()
                    if re.search(r"SetuptoolsDeprecationWarning|is deprecated", ln)]
    assert not deprecations, deprecations
    with zipfile.ZipFile(whl) as z:
        meta = next(z.read(n).decode() for n in z.namelist() if n.endswith("/METADATA"))
        names = z.namelist()
    fields = dict(ln.split(": ", 1) for ln in meta.splitlines() if ": " in ln and
                  not ln.startswith(" "))
    assert fields["Name"] == "reliefplan-sim"  # "sim" is taken on the package index
    assert fields["Version"] == sim.__version__
    assert fields["License-Expression"] == "MIT"
    assert any(n.endswith("licenses/LICENSE") for n in names)
    packs = sorted(p.name for p in (ROOT / "scenarios" / "packs").glob("*.yaml"))
    assert sorted(Path(n).name for n in names if n.startswith("sim/bundled/packs/")) == packs
    assert "sim/bundled/demo_coastal_typhoon.yaml" in names
    # The links of the checkout became the files they point to.
    with zipfile.ZipFile(whl) as z:
        assert z.read("sim/bundled/demo_coastal_typhoon.yaml") == (
            ROOT / "scenarios" / "demo_coastal_typhoon.yaml").read_bytes()


def test_installed_wheel_runs_its_demo_outside_the_repository(
        wheel: tuple[Path, str], tmp_path: Path) -> None:
    whl, _ = wheel
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--target",
                    str(target), str(whl)], check=True, capture_output=True, timeout=300)
    work = tmp_path / "elsewhere"
    work.mkdir()
    # The installed copy comes first; the checkout's editable install and its scenarios/ are
    # not on the way (the dependencies come from this environment).
    env = dict(os.environ, PYTHONPATH=str(target), SIM_PACKS="")
    where = subprocess.run([sys.executable, "-c", "import sim; print(sim.__file__)"], cwd=work,
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(target), where
    proc = subprocess.run([sys.executable, "-m", "sim", "demo", "--runs", "12", "--workers",
                           "1", "--no-progress"], cwd=work, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "demo_coastal_typhoon.yaml" in out
    # Each of the demo's targets with P(holds) and its interval.
    demo = sim.load_scenario(ROOT / "scenarios" / "demo_coastal_typhoon.yaml")
    for t in demo.targets:
        assert re.search(rf"^{re.escape(t.id)}\s+\(?\d\.\d{{3}}\)?\s+\[\d\.\d{{3}}, \d\.\d{{3}}\]",
                         out, re.M), (t.id, out)
    copy = work / "mine.yaml"
    proc = subprocess.run([sys.executable, "-m", "sim", "demo-scenario", str(copy)], cwd=work,
                          env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and copy.is_file(), proc.stderr
    again = subprocess.run([sys.executable, "-m", "sim", "demo-scenario", str(copy)], cwd=work,
                           env=env, capture_output=True, text=True, check=False)
    assert again.returncode == 2 and len(again.stderr.strip().splitlines()) == 1
