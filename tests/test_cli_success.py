"""The success path of the commands no other test runs: params, footprint, results, Sobol'
sensitivity and a study on a Dask LocalCluster.

Each command is run in this process (tests.cli_helpers) and its output parsed; the numbers are
checked against the scenario file read here with the YAML loader, against closed forms, or against
the same computation made here from the runs (never only "it printed something").
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import sim
from tests.cli_helpers import sim_main
from tests.conftest import DEMO
from tests.study_helpers import numbers, tiny_scenario, wilson_interval, write_scenario


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scenario(tiny_scenario(), tmp_path_factory.mktemp("sc") / "tiny.yaml")


def _cells(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


# -- sim params --------------------------------------------------------------------------------
def _dist_text(raw: Any) -> dict[str, float] | float:
    """A raw YAML number or distribution as the numbers it states (``dist`` and ``source``
    left out)."""
    if isinstance(raw, dict):
        return {k: float(v) for k, v in raw.items() if k not in ("dist", "source")}
    return float(raw)


def _parsed_value(text: str) -> dict[str, float] | float:
    """``triangular(low=33, mode=42, high=55)`` -> {low: 33, ...}; ``120.68`` -> 120.68."""
    m = re.fullmatch(r"\w+\((.*)\)", text)
    if m is None:
        return float(text)
    out = {}
    for part in m.group(1).split(", "):
        k, _, v = part.partition("=")
        out[k] = float(v)
    return out


def test_params_lists_the_scenario_coefficients_with_sources() -> None:
    text = sim_main("params", DEMO)
    js = sim_main("params", DEMO, "--json")
    assert text.returncode == 0 and js.returncode == 0, (text.stderr, js.stderr)
    rows = json.loads(js.stdout)
    head, header, rule, *body = text.stdout.splitlines()
    n = int(re.fullmatch(rf"{re.escape(str(DEMO))}: typhoon hazard, (\d+) coefficients",
                         head)[1])  # type: ignore[index]
    assert n == len(rows) == len(body) > 30
    assert _cells(header) == ["coefficient", "value", "source"] and set(rule) <= {"-", " "}
    # The text table and the JSON list are the same rows.
    for line, r in zip(body, rows, strict=True):
        assert _cells(line)[:2] == [r["coefficient"], r["value"]]
    by_path = {r["coefficient"]: r for r in rows}
    # Every number the hazard block states itself is listed with its value and its source,
    # read here from the YAML file.
    raw = yaml.safe_load(DEMO.read_text(encoding="utf-8"))["hazard"]
    checked = 0
    for key, v in raw.items():
        if key in ("type", "pack", "source") or isinstance(v, bool | str | list):
            continue
        if isinstance(v, dict) and "dist" not in v:  # a block: its numeric leaves
            for k2, v2 in v.items():
                if k2 == "source" or not isinstance(v2, int | float | dict):
                    continue
                if isinstance(v2, dict) and "dist" not in v2:
                    continue
                row = by_path[f"hazard.{key}.{k2}"]
                assert _parsed_value(row["value"]) == _dist_text(v2), (key, k2, row)
                src = v2.get("source") if isinstance(v2, dict) else None
                assert row["source"] == (src or v.get("source") or row["source"])
                checked += 1
            continue
        row = by_path[f"hazard.{key}"]
        assert _parsed_value(row["value"]) == _dist_text(v), (key, row)
        if isinstance(v, dict) and v.get("source"):
            assert row["source"] == v["source"], key
        checked += 1
    assert checked >= 10
    # A fixed published constant: knots to m/s is 1852 m / 3600 s.
    assert float(by_path["constants.ms_per_kt"]["value"]) == pytest.approx(1852 / 3600,
                                                                           abs=1e-6)
    assert all(r["source"] != "MISSING" for r in rows), [r for r in rows
                                                          if r["source"] == "MISSING"]


# -- sim footprint -----------------------------------------------------------------------------
def test_footprint_table_is_the_realised_impact(tmp_path: Path) -> None:
    from sim.hazards import compute_impact
    from sim.scenario.sampling import sample_scenario
    from sim.streams import Streams

    png = tmp_path / "fp.png"
    p = sim_main("footprint", DEMO, "--seed", "3", "--out", png)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    sc = sim.load_scenario(DEMO)
    zones = [z.name for z in sc.zones]
    rows = {c[0]: c for c in map(_cells, lines) if c and c[0] in zones}
    assert list(rows) == zones
    header = _cells(lines[1])
    assert header[:8] == ["zone", "onset_h", "intensity", "depth_m", "displaced", "killed",
                          "injured", "trapped"]
    assert header[8:] in ([], ["strikes"])
    # The same realisation, made here from the same seed.
    streams = Streams(3)
    realised, _ = sample_scenario(sc, streams)
    imp = compute_impact(realised, streams)
    assert lines[0].startswith(f"{imp.hazard}: intensity in {imp.intensity_unit}; components "
                               f"{', '.join(imp.components)};")
    for z, zi in zip(sc.zones, imp.zones, strict=True):
        vals = [float(x) for x in rows[z.name][1:8]]
        if header[8:]:  # each harmful mechanism with the hour it strikes the zone
            want_strikes = [f"{s.cause} {s.time_h:+.2f} h" for s in zi.timeline() if s.harmful]
            assert rows[z.name][8] == ("; ".join(want_strikes) or "-"), z.name
        want = [zi.onset_h, zi.intensity, zi.depth_m, zi.home_loss * z.population,
                zi.killed * z.population, sum(zi.injured) * z.population,
                zi.trapped * z.population]
        # Printed to 0.01 (hours, intensity, depth), 1 (displaced) and 0.1 (the others).
        for v, w, half in zip(vals, want, (0.005, 0.005, 0.005, 0.5, 0.05, 0.05, 0.05),
                              strict=True):
            assert abs(v - w) <= half + 1e-9, (z.name, vals, want)
        # Expected counts are counts of the zone's people.
        assert all(0 <= v <= z.population for v in vals[3:]), z.name
    # The wind field reaches every zone of the demo in this realisation (onset before landfall).
    assert all(float(rows[z][2]) > 0 for z in zones)
    assert lines[-1] == f"wrote {png}"
    import matplotlib.image as mpimg

    img = mpimg.imread(png)
    assert img.ndim == 3 and img.shape[0] > 100 and img.shape[1] > 100
    assert float(img[..., :3].std()) > 0  # not a blank canvas
    # Another seed, another realisation.
    q = sim_main("footprint", DEMO, "--seed", "4")
    assert q.returncode == 0 and q.stdout != "\n".join(lines[:-1]) + "\n"


# -- sim results --------------------------------------------------------------------------------
def test_results_on_a_tiny_scenario_set(tiny_file: Path, tmp_path: Path) -> None:
    """``sim results --quick`` on a scenario set holding only the example (the tiny scenario):
    the README's line is the Wilson interval of the relief target over the study's runs, made
    again here; the five plans are listed as missing; ``--check`` finds the results fresh."""
    scen = tmp_path / "scenarios"
    scen.mkdir()
    (scen / "demo_coastal_typhoon.yaml").write_text(tiny_file.read_text(encoding="utf-8"),
                                                    encoding="utf-8")
    out = tmp_path / "results"
    p = sim_main("results", "--quick", "--workers", "1", "--out", out, "--scenarios", scen,
                 "--no-progress")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == str(out / "README.md")
    doc = json.loads((out / "demo_coastal_typhoon" / "report.json").read_text(encoding="utf-8"))
    runs = doc["study"]["runs"]
    readme = (out / "README.md").read_text(encoding="utf-8")
    m = re.search(r"P\(relief within 10 h\) = ([\d.]+) \[([\d.]+), ([\d.]+)\] over ([\d,]+) runs",
                  readme)
    assert m is not None, readme
    assert int(m[4].replace(",", "")) == runs
    from sim.report.plan_report import QUICK

    assert QUICK.first_round <= runs <= QUICK.max_runs
    st = sim.study.run_study(tiny_scenario(), runs, 0, workers=1, progress=False)
    v = st.table["value.relief_within_10h"].to_numpy(dtype=float)
    ok = np.isfinite(v)
    share = next(t for t in tiny_scenario().targets if t.id == "relief_within_10h").share
    k = int((v[ok] >= share - 1e-9).sum())  # the verdict from the value and the share
    est, lo, hi = wilson_interval(k, int(ok.sum()))
    assert [float(m[1]), float(m[2]), float(m[3])] == pytest.approx([est, lo, hi], abs=5e-4)
    missing = re.search(r"No scenario file \(or no report\) yet for: (.*)\.", readme)
    assert missing is not None
    assert re.findall(r"`scenarios/(\w+)\.yaml`", missing[1]) == list(
        sim.report.comparison.PLAN_SCENARIOS)
    # ``sim results`` writes every report in English and Chinese: report.json lists each
    # language's figures, the first language's also under ``figures``.
    assert list(doc["figures_by_lang"]) == ["en", "zh"]
    assert doc["figures"] == doc["figures_by_lang"]["en"]
    assert all(f.endswith(".zh.png") for f in doc["figures_by_lang"]["zh"].values())
    listed = [f for figs in doc["figures_by_lang"].values() for f in figs.values()]
    assert sorted(listed) == sorted(x.name for x in (out / "demo_coastal_typhoon").glob("*.png"))
    assert (out / "demo_coastal_typhoon" / "report.zh.md").is_file()
    # The fingerprint the report stored is reproduced by the current code.
    c = sim_main("results", "--check", "--out", out, "--scenarios", scen)
    assert c.returncode == 0, c.stdout + c.stderr
    assert c.stdout.splitlines() == ["demo_coastal_typhoon: fresh (the fingerprint's runs are "
                                     "reproduced exactly)"]
    assert doc["fingerprint"]["k"] == 5 and doc["fingerprint"]["seed"] == 0


# -- sim sensitivity (Sobol') -------------------------------------------------------------------
def test_sobol_sensitivity_finds_the_only_input_that_matters(tiny_file: Path) -> None:
    """In the tiny scenario the value of ``stock_covers_county`` is the drawn county quilt stock
    alone, so every other input's Sobol' indices are exactly zero and the quilt stock's total
    index is large; the run count is n (D + 2) for D factors."""
    args = ("sensitivity", tiny_file, "--method", "sobol", "--n", "8", "--workers", "1",
            "--target", "stock_covers_county", "--no-noise", "--no-progress")
    p = sim_main(*args, "--json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    idx = doc["indices"]
    quilt = "stock_points[county_depot].items.quilt"
    inputs = [x["input"] for x in idx]
    assert inputs.count(quilt) == 1 and "(run-to-run randomness)" not in inputs
    assert doc["runs"] == 8 * (len(idx) + 2)
    for x in idx:
        assert x["target"] == "stock_covers_county"
        if x["input"] == quilt:
            assert x["ST"] > 0.5 and x["S1"] > 0.3, x
        else:
            assert (x["S1"], x["ST"]) == (0.0, 0.0), x
    # The text table is the same result, ranked by total index.
    t = sim_main(*args, "--top", "3")
    assert t.returncode == 0, t.stderr
    lines = t.stdout.splitlines()
    assert lines[0] == f"sensitivity (sobol, {doc['runs']} runs, seed 0):"
    i = lines.index("stock_covers_county:")
    assert _cells(lines[i + 1]) == ["input", "total index ST", "first-order S1"]
    first = _cells(lines[i + 3])
    assert first[0] == quilt
    q = next(x for x in idx if x["input"] == quilt)
    # The estimates are the same; the bootstrap half-widths are resampled on each call.
    st, st_conf = numbers(first[1])
    s1, s1_conf = numbers(first[2])
    assert (st, s1) == pytest.approx((q["ST"], q["S1"]), abs=5e-4)
    assert st_conf > 0 and s1_conf > 0


# -- sim study --dask-local ----------------------------------------------------------------------
@pytest.mark.slow
def test_study_on_a_dask_local_cluster_is_the_serial_study(tiny_file: Path) -> None:
    """A study on a Dask LocalCluster of 2 processes gives, run for run, the serial study: each
    P(holds) and interval is the closed-form Wilson interval of the serial runs' verdicts."""
    pytest.importorskip("distributed")
    p = sim_main("study", tiny_file, "--runs", "16", "--seed", "5", "--dask-local",
                 "--workers", "2", "--json", "--no-progress")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["runs"] == 16 and doc["seed"] == 5
    assert "dask" in json.dumps(doc.get("executor", "")).lower()
    st = sim.study.run_study(tiny_file, 16, 5, workers=1, progress=False)
    for t in doc["targets"]:
        applies = np.isfinite(st.table[f"value.{t['id']}"].to_numpy(dtype=float))
        met = st.table[f"met.{t['id']}"].to_numpy(dtype=bool)[applies]
        assert t["applicable_runs"] == int(applies.sum()), t["id"]
        if not len(met):
            assert t["p_holds"] is None
            continue
        est, lo, hi = wilson_interval(int(met.sum()), len(met))
        assert [t["p_holds"], t["ci_low"], t["ci_high"]] == pytest.approx([est, lo, hi],
                                                                         abs=1e-12), t["id"]
        assert not math.isnan(t["p_holds"])
