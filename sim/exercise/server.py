"""The facilitator's console (指挥台): a local web page over one running exercise.

``sim exercise ... --serve`` calls :func:`serve`, which starts a Starlette app on uvicorn, bound
to the loopback interface unless told otherwise. The page at ``/`` is the facilitator's (clock
and controls, map, gauges, inject feed, decision and fork forms, the fan chart of the last fork);
``/players`` is the players' view of the same exercise, read-only, without the future injects,
the pending contingencies or the actions the injects expect. Every script and style comes from
this package (``sim/exercise/static/``): nothing is fetched from the internet.

The JSON API (one exercise per server; requests take a lock, since SimPy is not thread-safe):

``GET /api/status``, ``/api/log?since=N``, ``/api/record``, ``/api/schema``, ``/api/fork``
    The status, the log entries from index N, the whole record, the forms' schema, the state of
    the fork (idle, running with its elapsed seconds, or done with its report). ``/api/meta``:
    the scenario's and the MSEL's names, the page's language and words.
``GET /api/players/status``, ``/api/players/log``
    The same for the players: pending injects and expected actions left out.
``?lang=en|zh`` on the pages, ``/api/meta``, ``/api/schema`` and the logs
    The language of the page's words, the forms' labels and the log lines' ``text`` (default
    the console's ``lang``); another value gets 400.
``POST /api/step {hours}``, ``/api/to {t_h}``, ``/api/next``
    Advance the clock by some hours, to a time, to the next inject.
``POST /api/decide {decision, by, action, note}``
    Take a decision now (``decision`` an intervention mapping without ``at_h``, or null).
``POST /api/inject {event, by, note}``
    A controller's ad-hoc event now (an intervention of an event kind), not in the MSEL.
``POST /api/fork {futures, alternative}``
    Start a fork in the background; poll ``GET /api/fork``.
``POST /api/save``, ``/api/report``
    With an output directory: save the exercise (resume it with ``sim exercise --resume``), or
    run it to its end and write the after-action report there.

Bad input gets HTTP 400 and ``{"error": one line}``; a request while a fork runs gets 409.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, is_dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from sim import interventions as _iv
from sim.exercise.console_text import form_labels, scenario_names_zh, strings
from sim.i18n import LANGS, Lang

if TYPE_CHECKING:
    from sim.exercise.session import Exercise

__all__ = ["ConsoleError", "create_app", "serve"]

SAVE_NAME = "exercise-save.json"
"""The file the page's save button writes in the output directory."""
STATIC = Path(str(files("sim.exercise") / "static"))
"""The page's scripts and styles, installed with the package."""
MAX_STEP_H = 1000.0
"""The most hours one request may advance (a typo guard; a run lasts days)."""
MAX_FUTURES = 1000
"""The most futures one fork may ask for from the console."""
MAX_BODY = 100_000
"""The largest request body, bytes (a decision is a few hundred)."""
"""The most futures one fork may ask for from the console."""
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
"""Host names of the loopback interface: bound to one, the console answers only to these."""
HIDDEN_KINDS = frozenset({"branch"})
"""Intervention kinds the forms leave out (a branch is the fork's own machinery)."""
PLAYER_HIDDEN = ("injects_pending", "injects_skipped", "next_inject")
"""Status keys the players do not see: what the script holds in store or held back."""
PLAYER_KINDS = frozenset({"inject", "contingency", "decision", "effect", "fork"})
"""Log entry kinds the players see (not the controllers' notes)."""


class ConsoleError(ValueError):
    """Bad input to the console: answered with HTTP 400 and this one-line message."""


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _validation_line(exc: ValidationError, prefix: str) -> str:
    """One line for a pydantic error: ``decision.items.meal: Input should be ...``."""
    parts = []
    for err in exc.errors(include_url=False):
        loc = [str(x) for x in err["loc"]]
        if len(loc) > 1 and loc[0] in _kinds():  # a tagged union puts the tag first
            loc = loc[1:]
        where = ".".join([prefix, *loc]) if prefix else ".".join(loc)
        parts.append(f"{where}: {str(err['msg']).removeprefix('Value error, ')}")
    return _one_line("; ".join(parts))


def _kinds() -> list[str]:
    """The intervention kinds of :data:`sim.interventions.Intervention`, in schema order."""
    schema = _schema()
    mapping = schema.get("discriminator", {}).get("mapping", {})
    return list(mapping)


@cache
def _schema() -> dict[str, Any]:
    """The JSON schema of the intervention union (the forms are built from it)."""
    return TypeAdapter(_iv.Intervention).json_schema()


def _number(body: dict[str, Any], key: str, *, low: float = -math.inf,
            high: float = math.inf, integer: bool = False) -> float:
    """A finite number from a JSON body, within [low, high], or :class:`ConsoleError`."""
    v = body.get(key)
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise ConsoleError(f"{key}: give a number, got {json.dumps(v)[:40]}")
    if integer and v != int(v):
        raise ConsoleError(f"{key}: give a whole number, got {v:g}")
    if not low <= v <= high:
        raise ConsoleError(f"{key}: {v:g} is outside [{low:g}, {high:g}]")
    return float(v)


def _text(body: dict[str, Any], key: str) -> str | None:
    v = body.get(key)
    if v is None or v == "":
        return None
    if not isinstance(v, str):
        raise ConsoleError(f"{key}: give text, got {json.dumps(v)[:40]}")
    if len(v) > 2000:
        raise ConsoleError(f"{key}: at most 2000 characters")
    return v


def _jsonable(x: Any) -> Any:
    """Dataclasses, pydantic models, numpy scalars and non-finite floats as plain JSON."""
    if is_dataclass(x) and not isinstance(x, type):
        to_dict = getattr(x, "to_dict", None)
        return _jsonable(to_dict() if callable(to_dict) else asdict(x))
    if hasattr(x, "model_dump"):
        return _jsonable(x.model_dump(mode="json", by_alias=True))
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple | set | frozenset):
        return [_jsonable(v) for v in x]
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if hasattr(x, "item") and callable(x.item):  # numpy scalar
        return _jsonable(x.item())
    if x is None or isinstance(x, str | int | bool):
        return x
    return str(x)


class Console:
    """One exercise behind a lock, with the fork that may be running in the background.

    Parameters
    ----------
    ex : Exercise
        The exercise (:class:`sim.exercise.session.Exercise`).
    workers : int
        Processes a fork runs its futures on.
    out_dir : Path, optional
        Where the page's save and report buttons write (none: the buttons are hidden).
    lang : {"en", "zh"}
        Language of the page (a request's ``?lang=`` overrides it) and of the after-action
        report's figure labels.
    """

    def __init__(self, ex: Exercise, workers: int = 1, out_dir: Path | None = None,
                 lang: Lang = "en") -> None:
        self.ex = ex
        self.workers = max(1, int(workers))
        self.out_dir = out_dir
        self.lang: Lang = lang
        self.lock = threading.Lock()
        self.fork_state: dict[str, Any] = {"state": "idle"}
        self.fork_thread: threading.Thread | None = None
        self._status: dict[str, Any] | None = None
        self.per_future: float | None = None
        self.stock_max: dict[str, dict[str, float]] = {}
        self.version = 0
        """Counts the changes through this console: the status is computed once per change."""
        self._status_version = -1

    # -- reading -------------------------------------------------------------------------------
    def busy(self) -> bool:
        """Whether a fork is running (the exercise's state is then left alone)."""
        return self.fork_state.get("state") == "running"

    def status(self, players: bool = False) -> dict[str, Any]:
        """The exercise's status (the last one seen while a fork runs), with the fork's state."""
        if self._status_version != self.version and not self.busy() \
                and self.lock.acquire(timeout=0.5):
            try:
                version = self.version
                st = _jsonable(self.ex.status())
                nxt = self.ex.next_inject()
                st["next_inject"] = None if nxt is None else {
                    "number": nxt.number, "at_h": nxt.at_h, "synopsis": nxt.synopsis,
                    "to": nxt.to, "contingency": nxt.when_not is not None,
                    "message_zh": getattr(nxt.message, "zh", None)}
                st["log_length"] = len(self.ex.log)
                self._stock_full(st)
                st.setdefault("finished", self.ex.now >= self.ex.end - 1e-9)
                self._status, self._status_version = st, version
            finally:
                self.lock.release()
        st = dict(self._status or {})
        st["busy"] = self.busy()
        st["fork_state"] = self.fork_state.get("state")
        if players:
            for key in PLAYER_HIDDEN:
                st.pop(key, None)
        return st

    def _stock_full(self, st: dict[str, Any]) -> None:
        """Give each stock point the gauges' full marks: the most of each item seen so far."""
        for p in st.get("stock", []):
            seen = self.stock_max.setdefault(p["point"], {})
            for k, q in p.get("items", {}).items():
                seen[k] = max(seen.get(k, 0.0), q or 0.0)
            p["full"] = dict(seen)

    def log(self, since: int = 0, players: bool = False,
            lang: Lang | None = None) -> list[dict[str, Any]]:
        """The log entries from index ``since`` (the players': what they may see).

        Each entry's ``text`` is its line in ``lang`` (default the console's): ``zh`` where
        the entry has Chinese, else ``en``.
        """
        entries = list(self.ex.log[since:])  # a list copy: appends happen under the lock
        lang = lang or self.lang
        out = []
        for i, e in enumerate(entries, start=since):
            d = _jsonable(e)
            d["index"] = i
            d["text"] = (d.get("zh") if lang == "zh" else None) or d.get("en") or ""
            if players:
                if d.get("kind") not in PLAYER_KINDS:
                    continue
                if d.get("kind") in ("inject", "contingency"):
                    d["action"] = None
                    d["objective"] = None
                d["data"] = {}
            out.append(d)
        return out

    # -- changing ------------------------------------------------------------------------------
    def _change(self, fn: Callable[[], Any]) -> Any:
        if self.busy():
            raise _Busy()
        with self.lock:
            if self.busy():
                raise _Busy()
            self.version += 1  # the status is read again after any change (or failed try)
            try:
                return fn()
            except ValueError as exc:  # the exercise refuses (finished, a time in the past)
                raise ConsoleError(_one_line(str(exc))) from None

    def step(self, hours: float) -> Any:
        """Advance by ``hours``."""
        return self._change(lambda: self.ex.step(hours))

    def advance_to(self, t_h: float) -> Any:
        """Advance to ``t_h`` (not back)."""
        def go() -> Any:
            if getattr(self.ex, "finished", False):
                raise ConsoleError("the exercise has finished")
            if t_h < self.ex.now - 1e-9:
                raise ConsoleError(f"t_h: {t_h:g} h is in the past (now is {self.ex.now:g} h)")
            if t_h > self.ex.end + 1e-9:
                raise ConsoleError(f"t_h: {t_h:g} h is after the end ({self.ex.end:g} h)")
            return self.ex.advance_to(t_h)
        return self._change(go)

    def to_next(self) -> Any:
        """Advance to the next inject."""
        return self._change(self.ex.to_next_inject)

    def parse(self, data: Any, field: str) -> Any:
        """An intervention from a form's mapping, at the exercise's current time."""
        if data is None:
            return None
        if not isinstance(data, dict):
            raise ConsoleError(f"{field}: give an intervention as a mapping, or null")
        if data.get("kind") in HIDDEN_KINDS:
            raise ConsoleError(f"{field}.kind: {data['kind']!r} is not for the console")
        data = {k: v for k, v in data.items() if v is not None}
        data.setdefault("at_h", self.ex.now)
        try:
            it = _iv.parse_intervention(data)
        except ValidationError as exc:
            raise ConsoleError(_validation_line(exc, field)) from None
        problems = _iv.check_interventions([it], self.ex.scenario)
        if problems:
            raise ConsoleError(_one_line("; ".join(f"{field}.{f}: {m}" for _, f, m in problems)))
        return it

    def decide(self, body: dict[str, Any]) -> Any:
        """Take a decision at the current time."""
        by, action, note = _text(body, "by"), _text(body, "action"), _text(body, "note")

        def go() -> Any:
            it = self.parse(body.get("decision"), "decision")
            try:
                return self.ex.decide(it, by=by, action=action, note=note)
            except (ValueError, KeyError) as exc:
                raise ConsoleError(_one_line(f"decision: {exc}")) from None
        return self._change(go)

    def inject(self, body: dict[str, Any]) -> Any:
        """A controller's ad-hoc event now (an intervention kind that is not a decision)."""
        by, note = _text(body, "by"), _text(body, "note")
        do = getattr(self.ex, "inject", None)
        if do is None:
            raise ConsoleError("this exercise takes no ad-hoc injects")

        def go() -> Any:
            it = self.parse(body.get("event"), "event")
            if it is None:
                raise ConsoleError("event: give an intervention")
            try:
                return do(it, by=by, note=note)
            except (ValueError, KeyError) as exc:
                raise ConsoleError(_one_line(f"event: {exc}")) from None
        return self._change(go)

    def start_fork(self, futures: int, alternative: Any) -> dict[str, Any]:
        """Start a fork in a background thread, which holds the lock until it is done."""
        if self.busy():
            raise _Busy()
        self.lock.acquire()
        try:
            if self.busy():
                raise _Busy()
            if getattr(self.ex, "finished", False):
                raise ConsoleError("the exercise has finished")
            alt = self.parse(alternative, "alternative")
            self.fork_state = {"state": "running", "futures": futures, "t_h": self.ex.now,
                               "started": time.time(), "workers": self.workers,
                               "estimate_s": None if self.per_future is None
                               else round(self.per_future * futures, 1)}
            self.fork_thread = threading.Thread(target=self._run_fork, args=(futures, alt),
                                                name="sim-console-fork", daemon=True)
            self.fork_thread.start()
        except BaseException:
            self.lock.release()
            raise
        return self.fork_view()

    def _run_fork(self, futures: int, alt: Any) -> None:
        # The lock was taken for this thread by start_fork (a Lock may be released by another
        # thread): nothing else touches the exercise until the fork is done.
        t0 = time.time()
        try:
            rep = self.ex.fork(futures, alt, workers=self.workers)
            self.per_future = (time.time() - t0) / futures
            self.fork_state = {"state": "done", "report": _jsonable(rep),
                               "seconds": round(time.time() - t0, 2)}
        except Exception as exc:  # shown on the page; the exercise itself is unchanged
            self.fork_state = {"state": "failed", "error": _one_line(f"{type(exc).__name__}: "
                                                                      f"{exc}")}
        finally:
            self.version += 1
            self.lock.release()

    def _out(self) -> Path:
        if self.out_dir is None:
            raise ConsoleError("start the console with --out DIR to save or write the report")
        return self.out_dir

    def save(self) -> dict[str, Any]:
        """Save the exercise to ``out_dir/SAVE_NAME`` (resume with ``--resume``)."""
        path = self._out() / SAVE_NAME

        def go() -> dict[str, Any]:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.ex.save(path)
            return {"saved": str(path), "time_h": self.ex.now}
        out: dict[str, Any] = self._change(go)
        return out

    def report(self) -> dict[str, Any]:
        """Run the exercise to its end and write the after-action report to ``out_dir``."""
        out = self._out()

        def go() -> dict[str, Any]:
            from sim.report.aar import write_aar

            paths = write_aar(self.ex, out, self.lang)
            return {"written": [str(p) for p in paths], "time_h": self.ex.now}
        done: dict[str, Any] = self._change(go)
        return done

    def fork_view(self) -> dict[str, Any]:
        """The fork's state for the page: idle, running (elapsed s), done (report), failed."""
        st = dict(self.fork_state)
        if st.get("state") == "running":
            st["elapsed_s"] = round(time.time() - st.pop("started"), 1)
        if st.get("state") in ("idle", "done") and self.ex.forks and "report" not in st:
            st = {"state": "done", "report": _jsonable(self.ex.forks[-1])}
        return st


class _Busy(Exception):
    """A change asked for while a fork runs."""


async def _body(request: Request) -> dict[str, Any]:
    # JSON only: a cross-site page cannot send application/json without the browser asking
    # first (CORS preflight), which this server never allows.
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise ConsoleError(f"send the request body as application/json, not {ctype or 'nothing'}")
    raw = await request.body()
    if not raw.strip():
        return {}
    if len(raw) > MAX_BODY:
        raise ConsoleError(f"the request body is larger than {MAX_BODY // 1000} kB")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConsoleError(f"the request body is not JSON: {exc.msg}") from None
    except UnicodeDecodeError:
        raise ConsoleError("the request body is not UTF-8 text") from None
    if not isinstance(data, dict):
        raise ConsoleError("the request body must be a JSON object")
    return data


def _entries(entries: Any) -> list[Any]:
    if entries is None:
        return []
    return [_jsonable(e) for e in (entries if isinstance(entries, list) else [entries])]


def _meta(ex: Exercise, lang: Lang = "en") -> dict[str, Any]:
    """The exercise's names for the page's title (the players' view too), and its words.

    ``lang`` and ``strings`` are the page's language and words
    (:func:`sim.exercise.console_text.strings`); ``names_zh`` the scenario's Chinese names.
    """
    sc = ex.scenario
    msel = getattr(ex, "msel", None)
    return {"scenario": {"name": sc.name, "title": _jsonable(getattr(sc, "title", None))},
            "msel": None if msel is None else {"name": msel.name, "name_zh": msel.name_zh},
            "seed": getattr(ex, "seed", None),
            "lang": lang, "strings": strings(lang),
            "names_zh": scenario_names_zh(sc, getattr(msel, "roles", ()))}


def _lang(request: Request, default: Lang) -> Lang:
    """The language a request asks for (``?lang=en|zh``), else the console's."""
    raw = request.query_params.get("lang")
    if raw is None or raw == "":
        return default
    if raw not in LANGS:
        raise ConsoleError(f"lang: give one of {', '.join(LANGS)}, got {raw[:20]!r}")
    return raw


def _schema_view(ex: Exercise, out_dir: Path | None = None,
                 lang: Lang = "en") -> dict[str, Any]:
    """What the forms need: the intervention schema, which kinds are decisions, names to pick.

    ``labels`` holds the kinds' and fields' words in ``lang`` (none for English).
    """
    sc = ex.scenario
    decision_kinds = getattr(_iv, "DECISION_KINDS", None)
    teams = [t.name for t in getattr(sc, "teams", [])]
    names: dict[str, list[str]] = {
        "zone": [z.name for z in sc.zones],
        "point": [p.name for p in sc.stock_points],
        "fleet": [v.name for v in sc.vehicles] + teams,
        "shelter": [s.name for s in sc.shelters],
        "item": list(sc.items),
        "team": teams,
        "hospital": [h.name for h in getattr(sc, "hospitals", [])],
        "supply": [a.name for a in getattr(sc, "supplies", [])],
    }
    msel = getattr(ex, "msel", None)
    roles: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    if msel is not None:
        roles = [{"id": r.id, "name": r.name, "name_zh": r.name_zh} for r in msel.roles]
        seen: set[str] = set()
        for inj in msel.injects:
            a = inj.expected_action
            if a is not None and a.id not in seen:
                seen.add(a.id)
                actions.append({"id": a.id, "en": a.en, "zh": a.zh, "to": inj.to})
    return {
        **_meta(ex, lang),
        "labels": form_labels(lang),
        "schema": _schema(),
        "kinds": [k for k in _kinds() if k not in HIDDEN_KINDS],
        "decision_kinds": sorted(decision_kinds) if decision_kinds is not None else None,
        "names": names,
        "roles": roles,
        "actions": actions,
        "out_dir": None if out_dir is None else str(out_dir),
    }


def create_app(ex: Exercise, *, workers: int | None = None,
               allowed_hosts: list[str] | None = None,
               out_dir: str | Path | None = None, lang: Lang = "en") -> Starlette:
    """The console as a Starlette app over one exercise.

    Parameters
    ----------
    ex : Exercise
        The exercise (:meth:`sim.exercise.session.Exercise.open` or ``resume``).
    workers : int, optional
        Processes a fork runs on; default the machine's cores, at most 4.
    allowed_hosts : list of str, optional
        Host names the requests may carry (a guard against DNS rebinding); default any.
    out_dir : str or Path, optional
        Where the page may save the exercise (``exercise-save.json``) and write the
        after-action report; without it the page has neither button.
    lang : {"en", "zh"}
        Language of the page (``?lang=en|zh`` overrides it per page) and of the after-action
        report's figure labels.

    Returns
    -------
    starlette.applications.Starlette
        The app; ``app.state.console`` is its :class:`Console`.
    """
    if workers is None:
        workers = min(4, os.cpu_count() or 1)
    out_dir = None if out_dir is None else Path(out_dir)
    con = Console(ex, workers, out_dir, lang)
    page = (STATIC / "index.html").read_text(encoding="utf-8")

    def html(view: str) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                lang = _lang(request, con.lang)
            except ConsoleError as exc:
                return Response(f"{exc}\n", status_code=400, media_type="text/plain")
            text = page.replace("{{VIEW}}", view).replace("{{LANG}}", lang).replace(
                '<html lang="en">', f'<html lang="{"zh-CN" if lang == "zh" else "en"}">')
            if lang != "en":
                text = text.replace(strings("en")["title"], strings(lang)["title"])
            return Response(text, media_type="text/html; charset=utf-8",
                            headers={"Cache-Control": "no-store"})
        return endpoint

    def get(fn: Callable[[Request], Any]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            from starlette.concurrency import run_in_threadpool
            try:
                return _json(await run_in_threadpool(fn, request))
            except ConsoleError as exc:
                return _json({"error": _one_line(str(exc))}, 400)
        return endpoint

    def req_lang(request: Request) -> Lang:
        return _lang(request, con.lang)

    def post(fn: Callable[[dict[str, Any]], Any]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            from starlette.concurrency import run_in_threadpool
            try:
                body = await _body(request)
                return _json(await run_in_threadpool(fn, body))
            except ConsoleError as exc:
                return _json({"error": _one_line(str(exc))}, 400)
            except _Busy:
                return _json({"error": "a fork is running; wait for it to finish"}, 409)
        return endpoint

    def since(request: Request) -> int:
        raw = request.query_params.get("since", "0")
        return int(raw) if raw.isdigit() else 0

    def after_change(new: Any) -> dict[str, Any]:
        return {"entries": _entries(new), "status": con.status()}

    def do_step(b: dict[str, Any]) -> Any:
        hours = _number(b, "hours", low=1e-6, high=MAX_STEP_H) if "hours" in b else 1.0
        return after_change(con.step(hours))

    def do_to(b: dict[str, Any]) -> Any:
        return after_change(con.advance_to(_number(b, "t_h")))

    def do_decide(b: dict[str, Any]) -> Any:
        entry = con.decide(b)
        return {"entry": _jsonable(entry), "status": con.status()}

    def do_inject(b: dict[str, Any]) -> Any:
        entry = con.inject(b)
        return {"entry": _jsonable(entry), "status": con.status()}

    def do_report(b: dict[str, Any]) -> Any:
        return {**con.report(), "status": con.status()}

    def do_fork(b: dict[str, Any]) -> Any:
        futures = int(_number(b, "futures", low=1, high=MAX_FUTURES, integer=True))
        return con.start_fork(futures, b.get("alternative"))

    routes = [
        Route("/", html("facilitator")),
        Route("/players", html("players")),
        Route("/api/status", get(lambda r: con.status())),
        Route("/api/log", get(lambda r: con.log(since(r), lang=req_lang(r)))),
        Route("/api/players/status", get(lambda r: con.status(players=True))),
        Route("/api/players/log", get(lambda r: con.log(since(r), players=True,
                                                         lang=req_lang(r)))),
        Route("/api/record", get(lambda r: con._change(lambda: _jsonable(ex.record())))),
        Route("/api/schema", get(lambda r: _schema_view(ex, out_dir, req_lang(r)))),
        Route("/api/meta", get(lambda r: _meta(ex, req_lang(r)))),
        Route("/api/fork", get(lambda r: con.fork_view()), methods=["GET"]),
        Route("/api/step", post(do_step), methods=["POST"]),
        Route("/api/to", post(do_to), methods=["POST"]),
        Route("/api/next", post(lambda b: after_change(con.to_next())), methods=["POST"]),
        Route("/api/decide", post(do_decide), methods=["POST"]),
        Route("/api/inject", post(do_inject), methods=["POST"]),
        Route("/api/fork", post(do_fork), methods=["POST"]),
        Route("/api/save", post(lambda b: con.save()), methods=["POST"]),
        Route("/api/report", post(do_report), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]

    async def http_error(request: Request, exc: Exception) -> Response:
        code = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else f"{type(exc).__name__}: {exc}"
        return _json({"error": _one_line(str(detail))}, code)

    async def busy(request: Request, exc: Exception) -> Response:
        return _json({"error": "a fork is running; wait for it to finish"}, 409)

    middleware = [] if allowed_hosts is None else [
        Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={
        HTTPException: http_error, _Busy: busy, Exception: http_error})
    app.state.console = con
    return app


def _json(data: Any, status: int = 200) -> Response:
    return JSONResponse(_jsonable(data), status_code=status, headers={"Cache-Control": "no-store"})


def serve(ex: Exercise, host: str = "127.0.0.1", port: int = 8765, *,
          workers: int | None = None, out_dir: str | Path | None = None,
          lang: Lang = "en") -> None:
    """Serve the console until interrupted (Ctrl-C).

    Parameters
    ----------
    ex : Exercise
        The exercise.
    host : str
        The interface to bind: the loopback by default; ``0.0.0.0`` to let the room's machines
        connect (anyone on the network can then drive the exercise).
    port : int
        The TCP port.
    workers : int, optional
        Processes a fork runs on.
    out_dir : str or Path, optional
        Where the page saves the exercise and writes the after-action report.
    lang : {"en", "zh"}
        Language of the page and of the after-action report's figure labels.
    """
    import uvicorn

    loopback = host in LOOPBACK
    print(f"players' view: http://{host}:{port}/players", flush=True)
    if not loopback:
        print(f"warning: the console listens on {host}: anyone who can reach this machine can "
              "drive the exercise", flush=True)
    hosts = sorted(LOOPBACK) if loopback else None
    uvicorn.run(create_app(ex, workers=workers, allowed_hosts=hosts, out_dir=out_dir,
                           lang=lang),
                host=host, port=port, log_level="warning")
