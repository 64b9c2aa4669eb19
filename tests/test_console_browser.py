"""The console end to end in a real headless Chromium (Debian's chromium and chromium-driver).

The browser comes from the distribution: when /usr/bin/chromium is missing and the tests run as
root, the session fixture installs it with apt-get; otherwise the test is skipped, or fails when
SIM_REQUIRE_BROWSER=1 (set by .ci/run). Selenium is given the driver's path, so Selenium Manager
never looks for a browser on the network.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import TypeAdapter

from sim.exercise.server import create_app
from sim.exercise.session import Exercise
from sim.interventions import Intervention
from tests.console_helpers import demo_exercise

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
REQUIRED = os.environ.get("SIM_REQUIRE_BROWSER") == "1"
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1400,2000")


def _unavailable(why: str) -> None:
    if REQUIRED:
        pytest.fail(f"SIM_REQUIRE_BROWSER=1 but {why}")
    pytest.skip(why)


@pytest.fixture(scope="session")
def browser_paths() -> tuple[str, str]:
    """Chromium and its driver, installed from Debian's packages when missing (as root)."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        if os.name != "posix" or os.geteuid() != 0 or shutil.which("apt-get") is None:
            _unavailable(f"{CHROMIUM} or {CHROMEDRIVER} is missing; install the Debian "
                         "packages chromium and chromium-driver (needs root and apt-get)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for cmd in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"]):
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
            if done.returncode != 0:
                _unavailable(f"{' '.join(cmd)} failed: {done.stderr.strip()[-300:]}")
        if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
            _unavailable(f"apt-get installed chromium but {CHROMIUM} or {CHROMEDRIVER} is missing")
    return CHROMIUM, CHROMEDRIVER


@pytest.fixture
def driver(browser_paths: tuple[str, str]) -> Iterator[Any]:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("the Python package selenium is not installed (pip install -e '.[dev]')")
    chromium, chromedriver = browser_paths
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in FLAGS:
        opts.add_argument(flag)
    with tempfile.TemporaryDirectory(prefix="sim-chromium-") as profile:
        opts.add_argument(f"--user-data-dir={profile}")
        drv = webdriver.Chrome(options=opts, service=Service(chromedriver))
        try:
            drv.set_page_load_timeout(30)
            yield drv
        finally:
            drv.quit()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served() -> Iterator[tuple[str, Exercise]]:
    """The console of a demo exercise on uvicorn, in a thread, on a free loopback port."""
    import uvicorn

    ex = demo_exercise()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(ex, workers=1), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        assert thread.is_alive() and time.time() < deadline, "the console did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", ex
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _wait(what: Callable[[], Any], timeout: float = 30, message: str = "") -> Any:
    deadline = time.time() + timeout
    while True:
        try:
            got = what()
        except Exception:  # the element is being redrawn
            got = None
        if got:
            return got
        assert time.time() < deadline, f"timed out waiting for {message}"
        time.sleep(0.1)


def test_console_step_decide_fork(driver: Any, served: tuple[str, Exercise]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    url, ex = served
    driver.get(url + "/")
    find = driver.find_element
    clock = lambda: find(By.ID, "clock").text  # noqa: E731
    _wait(lambda: clock() == "T−36 h", message="the clock at the start")
    assert "沿海县台风登陆" in find(By.ID, "title").text
    assert len(driver.find_elements(By.CSS_SELECTOR, "#map g.zone")) == len(ex.scenario.zones)
    assert driver.find_elements(By.CSS_SELECTOR, "#map g.teams")

    # Every intervention kind gets its form from the schema, with an input for each field.
    schema = TypeAdapter(Intervention).json_schema()
    kinds = Select(find(By.ID, "decide-kind"))
    offered = [o.get_attribute("value") for o in kinds.options if o.get_attribute("value")]
    assert sorted(offered) == sorted(set(schema["discriminator"]["mapping"]) - {"branch"})
    for kind in offered:
        kinds.select_by_value(kind)
        ref = schema["discriminator"]["mapping"][kind].split("/")[-1]
        for field in schema["$defs"][ref]["properties"]:
            if field not in ("kind", "at_h", "note"):  # the form has its own note
                assert driver.find_elements(By.ID, f"decide-{field}"), (kind, field)
    kinds.select_by_value("")

    # Step one hour, then to the next inject: the clock moves and the feed gets the inject.
    find(By.ID, "btn-step").click()
    _wait(lambda: clock() == "T−35 h", message="the clock after a step")
    assert ex.now == -35
    find(By.ID, "btn-next").click()
    _wait(lambda: clock() == "T−30 h", message="the clock at the next inject")
    _wait(lambda: driver.find_elements(By.CSS_SELECTOR, "#feed li[data-kind=inject]"),
          message="the inject in the feed")
    assert "Typhoon forecast" in find(By.ID, "feed").text

    # A bad decision: the form shows the one-line error, nothing changes.
    Select(find(By.ID, "decide-kind")).select_by_value("open_shelter")
    _wait(lambda: find(By.ID, "decide-zone"), message="the fields of open_shelter")
    find(By.ID, "decide-name").send_keys("hill_school")
    find(By.ID, "decide-zone").send_keys("hill_village")
    find(By.ID, "decide-capacity").send_keys("0")
    find(By.ID, "btn-decide").click()
    _wait(lambda: "error" in find(By.ID, "message").get_attribute("class"),
          message="the error of a bad decision")
    assert "capacity" in find(By.ID, "message").text
    assert not [e for e in ex.log if e.kind == "decision"]

    # A decision, by a role, fulfilling the expected action.
    capacity = find(By.ID, "decide-capacity")
    capacity.clear()
    capacity.send_keys("800")
    Select(find(By.ID, "decide-by")).select_by_value("county_hq")
    Select(find(By.ID, "decide-action")).select_by_value("order_evacuation")
    find(By.ID, "decide-note").send_keys("the hill school opens")
    find(By.ID, "btn-decide").click()
    _wait(lambda: driver.find_elements(By.CSS_SELECTOR, "#feed li[data-kind=decision]"),
          message="the decision in the feed")
    decisions = [e for e in ex.log if e.kind == "decision"]
    assert len(decisions) == 1 and decisions[0].role == "county_hq"
    assert decisions[0].data["decision"]["capacity"] == 800
    assert ex.actions_taken == {"order_evacuation": -30}
    assert "the hill school opens" in find(By.ID, "feed").text
    assert "hill_school" not in find(By.ID, "shelters").text
    find(By.ID, "btn-step").click()  # the decision acts when the clock moves on
    _wait(lambda: clock() == "T−29 h", message="the clock after the decision")
    _wait(lambda: "hill_school" in find(By.ID, "shelters").text, message="the new shelter")

    # A small fork with an alternative: the fan chart and the table of targets appear.
    assert not driver.find_elements(By.CSS_SELECTOR, "#fan polygon")
    futures = find(By.ID, "fork-futures")
    futures.clear()
    futures.send_keys("3")
    Select(find(By.ID, "fork-kind")).select_by_value("add_stock")
    _wait(lambda: find(By.ID, "fork-point"), message="the fields of add_stock")
    find(By.ID, "fork-point").send_keys("county_depot")
    find(By.CSS_SELECTOR, "#fork-items .kv-key").send_keys("meal")
    find(By.CSS_SELECTOR, "#fork-items .kv-value").send_keys("40000")
    find(By.ID, "btn-fork").click()
    _wait(lambda: driver.find_elements(By.CSS_SELECTOR, "#fan polygon.band90"), timeout=120,
          message="the fan chart of the fork")
    assert driver.find_elements(By.CSS_SELECTOR, "#fan polyline.median.alt")
    assert "F1" in find(By.ID, "fork-title").text
    rows = driver.find_elements(By.CSS_SELECTOR, "#fork-targets tr[data-target]")
    assert len(rows) == len(ex.scenario.targets) > 0
    assert len(ex.forks) == 1 and ex.forks[0].futures == 3
    _wait(lambda: driver.find_elements(By.CSS_SELECTOR, "#feed li[data-kind=fork]"),
          message="the fork in the feed")
    _wait(lambda: find(By.ID, "btn-step").is_enabled(), message="the controls after the fork")

    # The players' view: the same clock and feed, no controls, nothing of what is to come.
    driver.get(url + "/players")
    _wait(lambda: clock() == "T−29 h", message="the players' clock")
    _wait(lambda: "Typhoon forecast" in find(By.ID, "feed").text, message="the players' feed")
    assert not find(By.ID, "controls").is_displayed()
    assert not find(By.ID, "decide-form").is_displayed()
    page = driver.page_source
    assert "Secret bridge" not in page and "No evacuation order yet" not in page
    assert "order_evacuation" in page  # the decision the players took is theirs to see
    _wait(lambda: driver.find_elements(By.CSS_SELECTOR, "#fan polygon.band90"),
          message="the fan chart in the players' view")


@pytest.mark.slow
def test_console_in_chinese(driver: Any, served: tuple[str, Exercise]) -> None:
    """?lang=zh: the buttons, headings, tables, forms and feed in Chinese; English by default."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    url, ex = served
    driver.get(url + "/?lang=zh")
    find = driver.find_element
    _wait(lambda: find(By.ID, "btn-step").text == "推进1小时", message="the Chinese buttons")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    assert driver.title == "演练指挥台"
    assert find(By.ID, "btn-next").text == "下一条注入"
    assert find(By.ID, "btn-decide").text == "立即决策"
    assert find(By.ID, "btn-fork").text == "分叉推演"
    _wait(lambda: find(By.CSS_SELECTOR, "#targets th").text == "目标",
          message="the targets' header in Chinese")
    heads = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "#teams th")]
    assert heads == ["队伍", "区域", "任务"]
    headings = [h.text for h in driver.find_elements(By.TAG_NAME, "h2") if h.is_displayed()]
    assert headings and not [h for h in headings if re.search("[A-Za-z]{2,}", h)], headings
    assert "在家" in find(By.ID, "legend").text and "at_home" not in find(By.ID, "legend").text
    assert "港口镇" in find(By.ID, "map").get_attribute("textContent")
    kinds = Select(find(By.ID, "decide-kind"))
    assert "下达转移命令" in [o.text for o in kinds.options]
    kinds.select_by_value("open_shelter")
    capacity = lambda: find(By.CSS_SELECTOR, "label[for=decide-capacity]").text  # noqa: E731
    _wait(lambda: capacity().startswith("容量（人）"),
          message="the form's Chinese field labels")
    find(By.ID, "btn-next").click()
    _wait(lambda: "台风预报" in find(By.ID, "feed").text, message="the inject in Chinese")
    assert "Typhoon forecast" not in find(By.ID, "feed").text
    assert find(By.CSS_SELECTOR, "#feed .badge").text == "注入"
    driver.get(url + "/players?lang=zh")
    _wait(lambda: "参演人员视图" in find(By.ID, "view-name").text,
          message="the players' view in Chinese")
    assert "台风预报" in find(By.ID, "feed").text
    driver.get(url + "/")  # the default stays English
    _wait(lambda: find(By.ID, "btn-step").text == "Step 1 h · 推进1小时",
          message="the English buttons")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
