"""A county's own scenario: ``sim new`` skeletons and ``sim import`` from spreadsheets."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import sim_main

from sim.report.provenance import assumptions
from sim.run import run
from sim.scenario import parse_scenario
from sim.scenario.skeleton import HAZARDS, PLACEHOLDER, skeleton_text


# -- sim new -------------------------------------------------------------------------------------
@pytest.mark.parametrize("hazard", HAZARDS)
def test_skeleton_validates_and_runs_with_people_to_relieve(hazard: str) -> None:
    sc = parse_scenario(skeleton_text(hazard, "county"), "county.yaml")  # type: ignore[arg-type]
    assert sc.hazard.type == hazard
    r = run(sc, seed=1)
    assert {t.id for t in r.targets} == {"relief_within_10h", "shelter_area"}
    # The hazard reaches the made-up county: somebody needs relief and gets it.
    relief = next(t for t in r.targets if t.id == "relief_within_10h")
    assert relief.value is not None and 0 < relief.value <= 1
    texts = [a.text for a in assumptions(sc)]
    assert sum(PLACEHOLDER in t for t in texts) >= 10


def test_sim_new_writes_the_skeleton_and_lists_placeholders_first(tmp_path: Path) -> None:
    out = tmp_path / "my county.yaml"
    r = sim_main("new", out, "--hazard", "flood")
    assert r.returncode == 0, r.stderr
    sc = parse_scenario(out.read_text(encoding="utf-8"), str(out))
    assert sc.name == "my_county" and sc.hazard.type == "flood"
    listed = [ln for ln in r.stdout.splitlines() if ln.startswith("  ")]
    n_placeholder = sum(PLACEHOLDER in ln for ln in listed)
    assert n_placeholder >= 10
    assert all(PLACEHOLDER in ln for ln in listed[:n_placeholder])  # placeholders first
    assert any("hazard.water" in ln for ln in listed)  # the pack's assumptions too
    # comments explain the blocks and their units
    text = out.read_text(encoding="utf-8")
    assert "# Shelters (避灾点" in text and "usable area (m2)" in text


def test_sim_new_refuses_an_existing_file_a_bad_hazard_and_a_bad_name(tmp_path: Path) -> None:
    out = tmp_path / "x.yaml"
    out.write_text("keep me", encoding="utf-8")
    r = sim_main("new", out)
    assert r.returncode == 2 and "exists already" in r.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    r = sim_main("new", tmp_path / "y.yaml", "--hazard", "volcano")
    assert r.returncode == 2 and "typhoon, flood, earthquake" in r.stderr
    r = sim_main("new", tmp_path / "z.yaml", "--name", "a b")
    assert r.returncode == 2 and "--name" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "y.yaml").exists() and not (tmp_path / "z.yaml").exists()
