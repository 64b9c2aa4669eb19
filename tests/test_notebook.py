"""The notebooks run from top to bottom and show what they say they show.

The notebooks are stored without outputs (myst-nb executes them when the documentation is built);
each test executes one with a Jupyter kernel from the repository root's ``notebooks`` folder.
The Monte Carlo study, the quick start, the exercise replay and the authoring notebook take
12-90 s each with the kernel's start on the shared machine, so they are in the slow suite; the
plan reports notebook (it only reads results/) stays in the fast one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NOTEBOOK = NOTEBOOKS / "monte_carlo_study.ipynb"
PLANS = ["wenzhou_typhoon", "jinjiang_typhoon", "fuzhou_flood", "shicheng_flash_flood",
         "jincheng_earthquake"]


def execute(path: Path) -> tuple[Any, list[dict[str, Any]], str, int]:
    """Execute a notebook; return it, its outputs, their text and the number of images."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs)
    images = sum("image/png" in o.get("data", {}) for o in outputs)
    return nb, outputs, text, images


def test_every_notebook_is_tested_and_stored_without_outputs() -> None:
    names = {p.stem for p in NOTEBOOKS.glob("*.ipynb")}
    assert names == {"monte_carlo_study", "quick_start", "plan_reports", "exercise_replay",
                     "authoring_county"}
    for p in NOTEBOOKS.glob("*.ipynb"):
        nb = nbformat.read(p, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code and not any(c.get("outputs") or c.get("execution_count") for c in code), p
    listed = (ROOT / "docs" / "examples.md").read_text(encoding="utf-8")
    assert all(f"notebooks/{n}\n" in listed for n in names)


@pytest.mark.slow
def test_monte_carlo_notebook_executes(tmp_path: Path) -> None:
    nb, outputs, text, images = execute(NOTEBOOK)
    assert images >= 6  # P(holds), relief time, two fan charts, sensitivity, discovery box
    streams = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "P(holds)" in streams and "var removed by CRN" in streams and "increase" in streams
    nbformat.write(nb, tmp_path / "executed.ipynb")


@pytest.mark.slow
def test_quick_start_notebook() -> None:
    _, _, text, images = execute(NOTEBOOKS / "quick_start.ipynb")
    assert images == 5  # people by state, shelters, stock, relief times, footprint
    assert "relief_within_10h" in text and "FAILS" in text and "169,300 people" in text
    assert "sheltered" in text and "shelter_open" in text


def test_plan_reports_notebook() -> None:
    """It reads the committed reports: its relief table is the reports' own numbers."""
    _, _, text, images = execute(NOTEBOOKS / "plan_reports.ipynb")
    assert images == 3  # the intervals side by side, a live search's front, the P(holds) charts
    for plan in PLANS:
        report = json.loads((ROOT / "results" / plan / "report.json").read_text("utf-8"))
        relief = next(t for t in report["study"]["targets"] if t["id"] == "relief_within_10h")
        assert plan in text and report["scenario"]["title"]["zh"] in text
        assert f"{relief['p_holds']:.3f}" in text
    assert "simulated" in text and "by_construction" in text
    # what would make it hold: each relief target and the whole plan, live for Shicheng
    assert "the whole plan" in text and "relief_within_10h: now" in text


@pytest.mark.slow
def test_exercise_replay_notebook() -> None:
    _, _, text, images = execute(NOTEBOOKS / "exercise_replay.ipynb")
    assert images == 2
    assert "Fork F1 at T+3 h: 3 futures" in text
    assert "Response raised to level II" in text and "rescue_base_central" in text
    assert "Roads of qinshui closed for 6 h" in text and "MISSED" in text


@pytest.mark.slow
def test_authoring_county_notebook() -> None:
    _, _, text, _ = execute(NOTEBOOKS / "authoring_county.ipynb")
    assert "broken.yaml:34: zones[0].population" in text and "exit status 2" in text
    assert "stock_points[0].tier" in text and "salt_flats_school" in text
    assert "with it, stocked for 500 people" in text and "assumptions" in text
