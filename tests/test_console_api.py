"""The console's JSON API (sim.exercise.server) through Starlette's TestClient."""

from __future__ import annotations

import inspect
import time
from collections.abc import Iterator
from functools import cache

import pytest
from starlette.testclient import TestClient

from sim import load_scenario
from sim.exercise.msel import Msel, parse_msel_yaml
from sim.exercise.server import create_app, serve
from sim.exercise.session import Exercise
from sim.scenario.schema import Scenario
from tests.conftest import DEMO

# A small MSEL for the demo county: a forecast, a contingency if no one orders the evacuation,
# and a late inject that must stay hidden from the players until it is due.
MSEL = """
name: demo_console
scenario: ../demo_coastal_typhoon.yaml
objectives: [{id: warn, capability: Public Information and Warning}]
roles: [{id: county_hq, name: County HQ, name_zh: 县防指}]
injects:
  - number: "1"
    at_h: -30
    synopsis: Forecast
    message: {zh: 台风预报, en: Typhoon forecast}
    from: control
    to: county_hq
    expected_action: {id: order_evacuation, en: Order the evacuation}
    objective: warn
  - number: "2"
    at_h: -20
    synopsis: Evacuation still not ordered
    message: {zh: 仍未下达转移命令, en: No evacuation order yet}
    from: control
    to: county_hq
    objective: warn
    when_not: {action: order_evacuation, by_h: -21}
  - number: "3"
    at_h: 10
    synopsis: Secret bridge collapse
    message: {zh: 桥梁垮塌, en: The harbour bridge collapsed}
    from: control
    to: county_hq
    objective: warn
"""


@cache
def _scenario_and_msel() -> tuple[Scenario, Msel]:
    sc = load_scenario(DEMO)
    return sc, parse_msel_yaml(MSEL, "demo_console.yaml", sc)


@pytest.fixture
def ex() -> Exercise:
    sc, msel = _scenario_and_msel()
    return Exercise(sc, 1, msel)


@pytest.fixture
def client(ex: Exercise) -> Iterator[TestClient]:
    with TestClient(create_app(ex, workers=1)) as c:
        yield c


def test_step_advances_the_clock_and_delivers_injects(client: TestClient, ex: Exercise) -> None:
    t0 = client.get("/api/status").json()["time_h"]
    assert t0 == ex.start == -36
    r = client.post("/api/step", json={"hours": 1})
    assert r.status_code == 200
    assert r.json()["status"]["time_h"] == pytest.approx(-35)
    assert ex.now == pytest.approx(-35)
    r = client.post("/api/next")
    out = r.json()
    assert out["status"]["time_h"] == pytest.approx(-30)
    assert [e["ref"] for e in out["entries"] if e["kind"] == "inject"] == ["1"]
    r = client.post("/api/to", json={"t_h": -25.5})
    assert r.json()["status"]["time_h"] == pytest.approx(-25.5)
    log = client.get("/api/log").json()
    assert [e["index"] for e in log] == list(range(len(log)))
    assert client.get("/api/log", params={"since": len(log)}).json() == []


def test_decide_changes_the_status(client: TestClient) -> None:
    client.post("/api/to", json={"t_h": -30})
    before = client.get("/api/status").json()
    vehicles = {v["fleet"]: v["total"] for v in before["vehicles"]}
    r = client.post("/api/decide", json={
        "decision": {"kind": "add_vehicles", "fleet": "county_trucks", "count": 5},
        "by": "county_hq", "action": "order_evacuation", "note": "mutual aid"})
    assert r.status_code == 200, r.text
    entry = r.json()["entry"]
    assert entry["kind"] == "decision" and entry["role"] == "county_hq"
    assert entry["t_h"] == pytest.approx(-30)
    client.post("/api/step", json={"hours": 1})  # the vehicles join when the clock moves
    after = client.get("/api/status").json()
    assert {v["fleet"]: v["total"] for v in after["vehicles"]}["county_trucks"] \
        == vehicles["county_trucks"] + 5
    assert after["actions_taken"] == {"order_evacuation": -30}
    # The action was taken: the contingency "2" is no longer pending.
    assert "2" not in after["injects_pending"] and "3" in after["injects_pending"]


@pytest.mark.parametrize(("path", "body", "says"), [
    ("/api/decide", {"decision": {"kind": "add_stock", "point": "county_depot",
                                  "items": {"meal": -5}}}, "decision.items.meal"),
    ("/api/decide", {"decision": {"kind": "add_stock", "point": "no_such_depot",
                                  "items": {"meal": 5}}}, "no_such_depot"),
    ("/api/decide", {"decision": {"kind": "teleport"}}, "teleport"),
    ("/api/decide", {"decision": {"kind": "branch", "branch": 1}}, "branch"),
    ("/api/decide", {"decision": None, "by": "mayor"}, "mayor"),
    ("/api/decide", {"decision": "open everything"}, "decision"),
    ("/api/step", {"hours": "one"}, "hours"),
    ("/api/step", {"hours": -1}, "hours"),
    ("/api/to", {"t_h": -99}, "t_h"),
    ("/api/to", {}, "t_h"),
    ("/api/fork", {"futures": 0}, "futures"),
    ("/api/fork", {"futures": 2.5}, "futures"),
    ("/api/fork", {"futures": 2, "alternative": {"kind": "add_vehicles", "fleet": "x",
                                                  "count": 1}}, "fleet"),
])
def test_bad_input_is_400_with_one_line(client: TestClient, path: str, body: object,
                                        says: str) -> None:
    before = client.get("/api/status").json()["time_h"]
    r = client.post(path, json=body)
    assert r.status_code == 400, r.text
    msg = r.json()["error"]
    assert says in msg and "\n" not in msg and "Traceback" not in msg
    assert client.get("/api/status").json()["time_h"] == before
    assert client.get("/api/fork").json()["state"] == "idle"


def test_a_body_that_is_not_json_is_400(client: TestClient) -> None:
    r = client.post("/api/decide", content=b"{kind: add_stock",
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "not JSON" in r.json()["error"]
    r = client.post("/api/step", content=b"[1]")
    assert r.status_code == 400 and "JSON object" in r.json()["error"]
    r = client.post("/api/step", content=b'{"hours": NaN}')
    assert r.status_code == 400 and r.json()["error"].startswith("hours: give a number")
    r = client.post("/api/step", content=b'{"hours": 1e999}')
    assert r.status_code == 400 and r.json()["error"].startswith("hours: give a number")


def test_players_do_not_see_pending_injects_or_expected_actions(client: TestClient) -> None:
    client.post("/api/to", json={"t_h": -30})
    fac = client.get("/api/status").json()
    assert fac["injects_pending"] == ["2", "3"] and fac["next_inject"]["number"] == "2"
    pl = client.get("/api/players/status").json()
    assert pl["time_h"] == fac["time_h"] and pl["injects_delivered"] == ["1"]
    for key in ("injects_pending", "injects_skipped", "next_inject"):
        assert key not in pl
    text = client.get("/api/players/status").text + client.get("/api/players/log").text
    assert "Secret bridge" not in text and "order_evacuation" not in text
    log = client.get("/api/players/log").json()
    assert [e["ref"] for e in log] == ["1"] and log[0]["en"] == "Typhoon forecast"
    assert "order_evacuation" in client.get("/api/log").text  # the facilitator sees it
    page = client.get("/players")
    assert page.status_code == 200 and 'data-view="players"' in page.text
    assert 'data-view="facilitator"' in client.get("/").text


def test_fork_runs_in_the_background_and_reports(client: TestClient, ex: Exercise) -> None:
    client.post("/api/to", json={"t_h": 0})
    r = client.post("/api/fork", json={"futures": 2, "alternative": {
        "kind": "add_stock", "point": "county_depot", "items": {"meal": 50000}}})
    assert r.status_code == 200, r.text
    assert r.json()["state"] in ("running", "done")
    deadline = time.time() + 120
    while (f := client.get("/api/fork").json())["state"] == "running":
        # The page stays live: status answers (from the last status seen), changes wait.
        assert client.get("/api/status").json()["busy"] is True
        assert client.post("/api/step", json={"hours": 1}).status_code in (409, 200)
        assert time.time() < deadline
        time.sleep(0.05)
    assert f["state"] == "done", f
    rep = f["report"]
    assert rep["id"] == "F1" and rep["futures"] == 2 and rep["t_h"] == pytest.approx(0)
    assert rep["fan"]["q50"] and rep["fan_alt"] is not None
    assert client.get("/api/status").json()["busy"] is False
    assert [e["kind"] for e in client.get("/api/log").json()][-1] == "fork"
    assert len(ex.forks) == 1


def test_static_files_come_from_the_package(client: TestClient) -> None:
    page = client.get("/").text
    assert "/static/console.js" in page and "/static/console.css" in page
    assert "http://" not in page.replace('"http://www.w3.org', "") and "https://" not in page
    for name in ("console.js", "console.css"):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and len(r.text) > 1000
        assert "https://" not in r.text
    assert client.get("/static/../server.py").status_code == 404
    schema = client.get("/api/schema").json()
    assert {"add_stock", "add_vehicles"} <= set(schema["kinds"]) and "branch" not in schema["kinds"]
    assert schema["names"]["point"] == ["county_depot", "harbour_store"]
    assert schema["roles"][0]["id"] == "county_hq"


def test_server_binds_loopback_by_default(ex: Exercise, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    seen: dict[str, object] = {}

    def fake_run(app: object, **kw: object) -> None:
        seen.update(kw, app=app)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    serve(ex)
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8765
    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"
    serve(ex, host="0.0.0.0", port=9000)
    assert seen["host"] == "0.0.0.0" and seen["port"] == 9000
