from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import sim

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "demo_coastal_typhoon.yaml"

settings.register_profile(
    "default", max_examples=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# The slow suite (make test-slow): DEEP times the examples, every property test; "ci-deep" is
# derandomized like "ci". Tests that set their own max_examples get DEEP times theirs.
DEEP = 5
settings.register_profile("deep", max_examples=40 * DEEP, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("ci-deep", max_examples=40 * DEEP, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
settings.load_profile(PROFILE)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under a deep profile, scale the examples of tests with their own ``max_examples``."""
    if PROFILE not in ("deep", "ci-deep"):
        return
    done: set[int] = set()
    for item in items:
        fn = getattr(item, "obj", None)
        own = getattr(fn, "_hypothesis_internal_use_settings", None)
        if (own is None or id(fn) in done
                or not getattr(fn, "_hypothesis_internal_settings_applied", False)):
            continue
        done.add(id(fn))
        fn._hypothesis_internal_use_settings = settings(  # type: ignore[union-attr]
            own, max_examples=own.max_examples * DEEP)


@pytest.fixture(scope="session")
def demo() -> sim.Scenario:
    return sim.load_scenario(DEMO)
