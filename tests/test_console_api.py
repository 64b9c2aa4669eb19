"""The console's JSON API (sim.exercise.server) through Starlette's TestClient."""

from __future__ import annotations

import html
import inspect
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from sim.exercise.console_text import strings
from sim.exercise.server import STATIC, create_app, serve
from sim.exercise.session import Exercise
from tests.conftest import DEMO
from tests.console_helpers import MSEL, demo_exercise

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def ex() -> Exercise:
    return demo_exercise()


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
    r = client.post("/api/next", json={})
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


def test_a_controllers_event_is_an_inject_not_a_decision(client: TestClient,
                                                         ex: Exercise) -> None:
    client.post("/api/to", json={"t_h": -30})
    r = client.post("/api/inject", json={"event": {"kind": "close_roads", "zone": "hill_village",
                                                   "hours": 6}, "note": "landslide"})
    assert r.status_code == 200, r.text
    assert r.json()["entry"]["kind"] == "inject"
    assert ex.sim.interventions[-1].kind == "close_roads" and ex.sim.interventions[-1].at_h == -30
    assert not [e for e in ex.log if e.kind == "decision"]
    r = client.post("/api/inject", json={"event": None})
    assert r.status_code == 400 and r.json()["error"] == "event: give an intervention"


def test_stock_gauges_keep_the_most_seen(client: TestClient) -> None:
    first = client.get("/api/status").json()["stock"]
    assert all(p["full"] == p["items"] for p in first)
    client.post("/api/to", json={"t_h": 30})
    later = client.get("/api/status").json()["stock"]
    used = [(p["point"], k) for p in later for k, q in p["items"].items() if q < p["full"][k]]
    assert used  # relief was handed out: on hand is below the full mark
    for p0, p1 in zip(first, later, strict=True):
        assert all(p1["full"][k] >= p0["items"][k] for k in p0["items"])
    meta = client.get("/api/meta").json()
    assert meta["scenario"]["title"]["zh"] == "沿海县台风登陆"
    assert meta["msel"]["name"] == "demo_console"


def test_a_finished_exercise_refuses_changes_with_400(client: TestClient,
                                                      ex: Exercise) -> None:
    ex.finish()
    for path, body in (("/api/step", {"hours": 1}), ("/api/to", {"t_h": 80}),
                       ("/api/decide", {"decision": None}), ("/api/fork", {"futures": 2})):
        r = client.post(path, json=body)
        assert r.status_code == 400, (path, r.text)
        assert "finished" in r.json()["error"]
    assert client.get("/api/status").json()["finished"] is True


def test_save_and_report_go_to_the_output_directory(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    msel = tmp_path / "demo_console.yaml"
    msel.write_text(MSEL, encoding="utf-8")
    ex = Exercise.open(DEMO, msel, seed=2)
    out = tmp_path / "out"
    with TestClient(create_app(ex, workers=1, out_dir=out)) as c:
        assert c.get("/api/schema").json()["out_dir"] == str(out)
        c.post("/api/to", json={"t_h": -30})
        c.post("/api/decide", json={"decision": None, "by": "county_hq",
                                    "action": "order_evacuation"})
        c.post("/api/step", json={"hours": 2})
        r = c.post("/api/save", json={})
        assert r.status_code == 200, r.text
        saved = Path(r.json()["saved"])
        assert saved == out / "exercise-save.json"
        again = Exercise.resume(saved)
        assert again.now == ex.now == -28
        assert [e.kind for e in again.log] == [e.kind for e in ex.log]

        written: list[Path] = []

        def fake_aar(e: Exercise, d: Path, lang: str) -> list[Path]:  # the real one: test_aar
            e.finish()
            assert lang == "en"  # the console's default language
            written.append(d / "aar.md")
            return written

        monkeypatch.setattr("sim.report.aar.write_aar", fake_aar)
        r = c.post("/api/report", json={})
        assert r.status_code == 200, r.text
        assert r.json()["written"] == [str(out / "aar.md")]
        assert r.json()["status"]["finished"] is True and ex.now == ex.end
    # Without an output directory the page has no buttons and the API says how to get them.
    with TestClient(create_app(demo_exercise(), workers=1)) as c:
        assert c.get("/api/schema").json()["out_dir"] is None
        for path in ("/api/save", "/api/report"):
            r = c.post(path, json={})
            assert r.status_code == 400 and "--out DIR" in r.json()["error"]


def test_a_body_that_is_not_json_is_400(client: TestClient) -> None:
    r = client.post("/api/decide", content=b"{kind: add_stock", headers=JSON)
    assert r.status_code == 400 and "not JSON" in r.json()["error"]
    r = client.post("/api/step", content=b"[1]", headers=JSON)
    assert r.status_code == 400 and "JSON object" in r.json()["error"]
    r = client.post("/api/decide", content=b'{"note": "' + b"x" * 200_000 + b'"}', headers=JSON)
    assert r.status_code == 400 and r.json()["error"] == "the request body is larger than 100 kB"
    r = client.post("/api/step", content=b'{"hours": NaN}', headers=JSON)
    assert r.status_code == 400 and r.json()["error"].startswith("hours: give a number")
    r = client.post("/api/step", content=b'{"hours": 1e999}', headers=JSON)
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


def test_fork_runs_in_the_background_and_reports(client: TestClient, ex: Exercise,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    client.post("/api/to", json={"t_h": 0})
    go = threading.Event()
    real_fork = ex.fork

    def held_fork(*args: Any, **kw: Any) -> Any:  # a fork that waits for the test
        assert go.wait(60)
        return real_fork(*args, **kw)

    monkeypatch.setattr(ex, "fork", held_fork)
    r = client.post("/api/fork", json={"futures": 2, "alternative": {
        "kind": "add_stock", "point": "county_depot", "items": {"meal": 50000}}})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "running" and r.json()["futures"] == 2
    # While it runs the page stays live: reads answer, changes are refused with 409.
    st = client.get("/api/status").json()
    assert st["busy"] is True and st["time_h"] == 0
    assert client.get("/api/players/status").json()["busy"] is True
    for path, body in (("/api/step", {"hours": 1}), ("/api/decide", {"decision": None}),
                       ("/api/fork", {"futures": 2})):
        r = client.post(path, json=body)
        assert r.status_code == 409 and "fork is running" in r.json()["error"]
    assert client.get("/api/record").status_code == 409
    assert client.get("/api/fork").json()["elapsed_s"] >= 0
    go.set()
    deadline = time.time() + 120
    while (f := client.get("/api/fork").json())["state"] == "running":
        assert time.time() < deadline
        time.sleep(0.02)
    assert f["state"] == "done", f
    rep = f["report"]
    assert rep["id"] == "F1" and rep["futures"] == 2 and rep["t_h"] == pytest.approx(0)
    assert rep["fan"]["q50"] and rep["fan_alt"] is not None
    assert {t["id"] for t in rep["targets"]} == {t.id for t in ex.scenario.targets}
    assert client.get("/api/status").json()["busy"] is False
    assert [e["kind"] for e in client.get("/api/log").json()][-1] == "fork"
    assert len(ex.forks) == 1 and ex.now == 0
    assert client.post("/api/step", json={"hours": 1}).status_code == 200
    # The next fork is announced with an estimate from this one.
    go.set()
    r = client.post("/api/fork", json={"futures": 4})
    assert r.json()["estimate_s"] is not None
    while client.get("/api/fork").json()["state"] == "running":
        time.sleep(0.02)


def test_a_failing_fork_is_reported_and_frees_the_exercise(client: TestClient, ex: Exercise,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_fork(*args: Any, **kw: Any) -> Any:
        raise RuntimeError("worker died\nwith a second line")

    monkeypatch.setattr(ex, "fork", broken_fork)
    client.post("/api/fork", json={"futures": 2})
    deadline = time.time() + 30
    while (f := client.get("/api/fork").json())["state"] == "running":
        assert time.time() < deadline
        time.sleep(0.02)
    assert f == {"state": "failed", "error": "RuntimeError: worker died with a second line"}
    assert client.post("/api/step", json={"hours": 1}).status_code == 200


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


def test_a_cross_site_form_cannot_drive_the_exercise(client: TestClient, ex: Exercise) -> None:
    # A page elsewhere can post a form or text/plain without asking; it cannot post JSON.
    r = client.post("/api/step", content=b'{"hours": 5}', headers={"Content-Type": "text/plain"})
    assert r.status_code == 400 and "application/json" in r.json()["error"]
    r = client.post("/api/step", data={"hours": "5"})
    assert r.status_code == 400
    assert ex.now == ex.start


def test_server_binds_loopback_by_default(ex: Exercise, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    seen: dict[str, object] = {}

    def fake_run(app: object, **kw: object) -> None:
        seen.update(kw, app=app)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    serve(ex)
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8765
    # On the loopback, only requests naming a loopback host are answered (DNS rebinding).
    app: Any = seen["app"]
    with TestClient(app, base_url="http://127.0.0.1:8765") as c:
        assert c.get("/api/meta").status_code == 200
    with TestClient(app, base_url="http://evil.example:8765") as c:
        assert c.get("/api/meta").status_code == 400
    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"
    serve(ex, host="0.0.0.0", port=9000)
    assert seen["host"] == "0.0.0.0" and seen["port"] == 9000


# -- the console's languages (--lang zh, ?lang=en|zh) ----------------------------------------
CJK = re.compile(r"[\u4e00-\u9fff]")


def _english_words(text: str) -> list[str]:
    """Runs of two or more Latin letters, template fields and the players' path left out."""
    text = re.sub(r"\{\w+\}", "", text).replace("/players", "")
    return re.findall(r"[A-Za-z]{2,}", text)


def test_the_strings_tables_have_the_same_keys_and_no_english_in_chinese() -> None:
    en, zh = strings("en"), strings("zh")
    assert en.keys() == zh.keys() and len(en) > 90
    english = {k: _english_words(v) for k, v in zh.items() if _english_words(v)}
    assert english == {}
    assert all(CJK.search(v) for k, v in zh.items() if k != "error"), \
        [k for k, v in zh.items() if not CJK.search(v)]
    # the fields of a template are the same in both languages
    fields = {k: sorted(re.findall(r"\{\w+\}", v)) for k, v in en.items()}
    assert fields == {k: sorted(re.findall(r"\{\w+\}", v)) for k, v in zh.items()}


def test_every_form_kind_and_field_has_a_chinese_label(client: TestClient) -> None:
    view = client.get("/api/schema", params={"lang": "zh"}).json()
    schema = view["schema"]
    fields = {p for d in schema["$defs"].values() for p in d.get("properties", {})}
    assert set(view["kinds"]) <= set(view["labels"]["kinds"])
    assert fields <= set(view["labels"]["fields"])
    labels = [*view["labels"]["kinds"].values(), *view["labels"]["fields"].values()]
    assert all(CJK.search(w) and not _english_words(w) for w in labels)
    assert view["labels"]["kinds"]["order_evacuation"] == "下达转移命令"
    assert client.get("/api/schema").json()["labels"] == {"kinds": {}, "fields": {}}


def test_the_pages_fixed_words_are_the_english_table() -> None:
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    en = strings("en")
    found = re.findall(r'data-t="([^"]+)"[^>]*>([^<]*)<', page)
    assert len(found) >= 25
    for key, text in found:
        assert " ".join(html.unescape(text).split()) == en[key], key
    labels = re.findall(r'aria-label="([^"]+)"\s+data-t-label="([^"]+)"', page)
    assert labels and all(en[key] == text for text, key in labels)
    script = (STATIC / "console.js").read_text(encoding="utf-8")
    code = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("//"))
    assert not CJK.search(code)  # every Chinese word of the page comes from the server
    assert len(re.findall(r"\bT\b\s*=", code)) == 0  # nothing hides the words' function T
    used = set(re.findall(r'\bT\("([\w.]+)"\s*[,)]', script))
    assert len(used) > 40 and used <= en.keys(), used - en.keys()
    prefixes = set(re.findall(r'\bT\("(\w+\.)"\s*\+', script))  # T("state." + s)
    assert prefixes == {"log.", "state.", "task.", "vkind."}
    assert all(any(k.startswith(p) for k in en) for p in prefixes)


@pytest.mark.parametrize("path", ["/", "/players"])
def test_the_page_in_chinese_and_in_english(ex: Exercise, path: str) -> None:
    with TestClient(create_app(ex, workers=1, lang="zh")) as zh:
        page = zh.get(path).text
        assert '<html lang="zh-CN">' in page and 'data-lang="zh"' in page
        assert "<title>演练指挥台</title>" in page
        english = zh.get(path, params={"lang": "en"}).text
    assert '<html lang="en">' in english and 'data-lang="en"' in english
    assert "<title>Exercise console · 演练指挥台</title>" in english
    with TestClient(create_app(ex, workers=1)) as en:
        assert en.get(path).text == english  # the default is the English page as it was
        assert '<html lang="zh-CN">' in en.get(path, params={"lang": "zh"}).text


def test_chinese_bootstrap_and_feed(ex: Exercise) -> None:
    with TestClient(create_app(ex, workers=1, lang="zh")) as c:
        meta = c.get("/api/meta").json()
        assert meta["lang"] == "zh"
        assert meta["strings"]["btn.step"] == "推进1小时"
        assert meta["strings"]["th.target"] == "目标"
        assert meta["names_zh"]["harbour_town"] == "港口镇"
        assert meta["names_zh"]["county_depot"] == "县级救灾物资储备库"
        assert meta["names_zh"]["county_hq"] == "县防指"
        st = c.get("/api/status").json()  # every state, vehicle kind and task has its words
        words = meta["strings"]
        assert all(CJK.search(words[f"state.{s}"]) for s in st["people"])
        assert all(CJK.search(words[f"vkind.{v['kind']}"]) for v in st["vehicles"])
        assert all(CJK.search(words[f"task.{t['task']}"]) for t in st["teams"])
        assert c.get("/api/meta", params={"lang": "en"}).json()["strings"]["btn.step"] \
            == "Step 1 h · 推进1小时"
        c.post("/api/next", json={})
        r = c.post("/api/decide", json={
            "decision": {"kind": "add_vehicles", "fleet": "county_trucks", "count": 5},
            "by": "county_hq"})
        assert r.status_code == 200, r.text
        for path in ("/api/log", "/api/players/log"):
            log = c.get(path).json()
            kinds = {e["kind"]: e["text"] for e in log}
            assert kinds["inject"] == "台风预报"
            assert CJK.search(kinds["decision"]) and "vehicles" not in kinds["decision"]
            english = {e["kind"]: e["text"] for e in c.get(path, params={"lang": "en"}).json()}
            assert english["inject"] == "Typhoon forecast"
            assert english["decision"] == "5 more vehicles join fleet county_trucks"


@pytest.mark.parametrize("path", ["/api/meta", "/api/schema", "/api/log", "/api/players/log",
                                  "/", "/players"])
def test_a_bad_lang_is_400_with_one_line(client: TestClient, path: str) -> None:
    r = client.get(path, params={"lang": "fr"})
    assert r.status_code == 400
    line = r.json()["error"] if path.startswith("/api") else r.text.strip()
    assert line == "lang: give one of en, zh, got 'fr'"
