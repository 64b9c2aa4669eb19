"""The Monte Carlo notebook runs from top to bottom (study, comparison, sensitivity, discovery,
capacity search, figures)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "monte_carlo_study.ipynb"


def test_monte_carlo_notebook_executes(tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 6  # P(holds), relief time, two fan charts, sensitivity, discovery box
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "P(holds)" in text and "var removed by CRN" in text and "increase" in text
    nbformat.write(nb, tmp_path / "executed.ipynb")
