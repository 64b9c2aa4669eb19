"""Study runner: run i is the same run in any batch, on any executor and any number of workers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

import sim
import sim.study
from sim.study import Study, run_seed, run_study
from tests.study_helpers import tiny_scenario


@pytest.fixture(scope="module")
def tiny() -> sim.Scenario:
    return tiny_scenario()


@pytest.fixture(scope="module")
def serial(tiny: sim.Scenario) -> Study:
    return run_study(tiny, 40, 11, workers=1, progress=False)


def test_run_seed_is_the_spawned_child() -> None:
    kids = np.random.SeedSequence(123).spawn(7)
    for i, kid in enumerate(kids):
        mine = run_seed(123, i)
        assert mine.spawn_key == kid.spawn_key
        assert (mine.generate_state(8) == kid.generate_state(8)).all()


def test_table_has_one_typed_row_per_run(serial: Study, tiny: sim.Scenario) -> None:
    t = serial.table
    assert list(t["run"]) == list(range(40))
    assert (t["seed"] == 11).all() and (t["key"] == t["run"]).all()
    for target in tiny.targets:
        assert t[f"met.{target.id}"].dtype == bool
        assert t[f"value.{target.id}"].dtype == np.float64
    draws = [c for c in t.columns if c.startswith("draw.")]
    assert {c.removeprefix("draw.") for c in draws} == set(sim.scenario.uncertain_inputs(tiny))
    assert any(c.startswith("metric.") for c in t.columns)


def test_rows_equal_direct_runs(serial: Study, tiny: sim.Scenario) -> None:
    for i in (0, 17, 39):
        r = sim.run(tiny, run_seed(11, i))
        row = serial.table.iloc[i]
        for tr in r.targets:
            assert row[f"met.{tr.id}"] == tr.met
            if tr.value is None:  # a target that does not apply in this run
                assert np.isnan(row[f"value.{tr.id}"])
            else:
                assert row[f"value.{tr.id}"] == tr.value
        for path, x in r.draws.items():
            assert row[f"draw.{path}"] == x


def test_run_i_is_the_same_in_any_batch_and_study_size(serial: Study, tiny: sim.Scenario
                                                       ) -> None:
    small = run_study(tiny, 25, 11, workers=1, batch_size=3, progress=False)
    pdt.assert_frame_equal(small.table, serial.table.iloc[:25].reset_index(drop=True))
    other = run_study(tiny, 25, 12, workers=1, progress=False)
    assert not other.table["draw.stock_points[county_depot].items.quilt"].equals(
        small.table["draw.stock_points[county_depot].items.quilt"])


def test_two_workers_and_dask_give_identical_tables(serial: Study, tiny: sim.Scenario) -> None:
    two = run_study(tiny, 40, 11, workers=2, batch_size=7, progress=False)
    pdt.assert_frame_equal(two.table, serial.table)
    # One small LocalCluster of two worker processes, through Client.get_executor().
    dask = run_study(tiny, 40, 11, workers=2, dask_local=True, batch_size=5, progress=False)
    pdt.assert_frame_equal(dask.table, serial.table)
    assert "Dask" in (dask.executor or "")


def test_any_concurrent_futures_executor(serial: Study, tiny: sim.Scenario) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as ex:
        st = run_study(tiny, 40, 11, executor=ex, batch_size=6, progress=False)
    pdt.assert_frame_equal(st.table, serial.table)


def test_module_is_callable_and_summary(serial: Study, tiny: sim.Scenario) -> None:
    st = sim.study(tiny, 40, 11, workers=1, progress=False)
    pdt.assert_frame_equal(st.table, serial.table)
    s = st.summary()
    for t in s.targets:
        applies = st.table[f"value.{t.id}"].notna()
        met = st.table.loc[applies, f"met.{t.id}"]
        assert t.runs == 40 and t.applicable == int(applies.sum())
        assert t.holds == int(met.sum())
        if t.applicable:  # P(holds | applies)
            assert t.p_holds.low <= t.p_holds.estimate <= t.p_holds.high
        doc = t.to_dict()
        assert {"id", "p_holds", "ci_low", "ci_high", "runs"} <= set(doc)
    assert st.summary() is s  # cached
    again = st.summary(n_resamples=2000, confidence=0.95)
    assert again.to_dict() == s.to_dict()


def test_run_result_rebuilds_a_row(serial: Study) -> None:
    r = serial.run_result(5)
    for tr in r.targets:
        assert serial.table.loc[5, f"met.{tr.id}"] == tr.met


def test_pinned_inputs_apply_to_every_run(tiny: sim.Scenario) -> None:
    path = "stock_points[county_depot].items.quilt"
    st = run_study(tiny, 10, 3, workers=1, inputs={path: 7000.0}, progress=False)
    assert (st.table[f"draw.{path}"] == 7000.0).all()
    assert st.table["met.stock_covers_county"].all()
    with pytest.raises(ValueError, match="not uncertain inputs"):
        run_study(tiny, 10, 3, workers=1, inputs={"hazard.nope": 1.0})


@pytest.mark.parametrize("kwargs", [dict(runs=0), dict(seed=-1), dict(until_ci=0.7),
                                    dict(workers=0), dict(until_ci=0.1, max_runs=5)])
def test_bad_arguments(tiny: sim.Scenario, kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"runs": 10, "seed": 0, "progress": False}
    args.update(kwargs)
    with pytest.raises(ValueError):
        run_study(tiny, **args)  # type: ignore[arg-type]


def test_demo_study_has_every_target() -> None:
    from tests.conftest import DEMO

    st = run_study(DEMO, 6, 7, workers=1, progress=False)
    assert isinstance(st.table, pd.DataFrame) and len(st.table) == 6
    sc = sim.load_scenario(DEMO)
    assert [t.id for t in st.summary().targets] == [t.id for t in sc.targets]
    assert st.manifest["scenario"]["file_sha256"] is not None
