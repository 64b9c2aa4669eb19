"""Pages generated from the code at build time: the scenario schema and the command line.

``docs/_generated/schema.md`` is rendered from ``sim schema``'s JSON Schema
(:func:`sim.scenario.schema.json_schema`) and ``docs/_generated/cli.md`` from the help text
typer gives for every ``sim`` command, so the reference cannot drift from the code. The pages
``docs/ref/schema.md`` and ``docs/ref/cli.md`` include them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

GENERATED = Path(__file__).resolve().parents[1] / "_generated"
DISTRIBUTIONS = {"Fixed", "Uniform", "Triangular", "Normal", "Lognormal", "Beta", "Poisson",
                 "Choice"}


def _label(name: str) -> str:
    return "schema-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _ref(name: str) -> str:
    return f"{{ref}}`{name} <{_label(name)}>`"


def _type(s: dict[str, Any]) -> str:
    """A short Markdown description of a JSON Schema type."""
    if "$ref" in s:
        name = s["$ref"].rsplit("/", 1)[-1]
        return "distribution" if name in DISTRIBUTIONS else _ref(name)
    for key in ("oneOf", "anyOf"):
        if key in s:
            parts = [p for p in s[key] if p.get("type") != "null"]
            optional = len(parts) < len(s[key])
            refs = [p.get("$ref", "").rsplit("/", 1)[-1] for p in parts]
            if refs and all(r in DISTRIBUTIONS for r in refs):
                text = "distribution"
            else:
                text = " or ".join(dict.fromkeys(_type(p) for p in parts))
            return f"{text}, or null" if optional else text
    if "const" in s:
        return f"`{s['const']!r}`"
    if "enum" in s:
        return "one of " + ", ".join(f"`{v!r}`" for v in s["enum"])
    t = s.get("type")
    if t == "array":
        return f"list of {_type(s.get('items', {}))}" if s.get("items") else "list"
    if t == "object":
        extra = s.get("additionalProperties")
        return f"mapping to {_type(extra)}" if isinstance(extra, dict) and extra else "mapping"
    return str(t) if t else "any"


def _cell(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _prose(text: str) -> str:
    """Markdown emphasis characters escaped outside code spans (``'_'`` is not italics)."""
    parts = re.split(r"(`+[^`]*`+)", text)
    return "".join(p if p.startswith("`") else re.sub(r"([_*<>])", r"\\\1", p) for p in parts)


def _default(p: dict[str, Any]) -> str:
    """A field's default as JSON, for numbers, strings, booleans and null only."""
    if "default" not in p:
        return ""
    d = p["default"]
    if isinstance(d, dict | list):
        return "(its fields' defaults)" if isinstance(d, dict) and d else f"`{json.dumps(d)}`"
    return f"`{json.dumps(d, ensure_ascii=False)}`"


def _fields(defn: dict[str, Any]) -> list[str]:
    props = defn.get("properties", {})
    if not props:
        return []
    required = set(defn.get("required", []))
    lines = ["| field | type | required | default | description |",
             "| --- | --- | --- | --- | --- |"]
    for name, p in props.items():
        default = _default(p) if name not in required else ""
        lines.append(f"| `{name}` | {_cell(_type(p))} | {'yes' if name in required else ''} | "
                     f"{_cell(default)} | {_cell(_prose(p.get('description', '')))} |")
    return lines


def _description(defn: dict[str, Any]) -> list[str]:
    text = defn.get("description", "").strip()
    return [_prose(text.replace(":func:", "").replace(":class:", "")), ""] if text else []


def schema_markdown(schema: dict[str, Any]) -> str:
    """The scenario schema as Markdown: the top level, then every definition by name.

    Parameters
    ----------
    schema : dict
        The JSON Schema of scenario files.

    Returns
    -------
    str
        MyST Markdown with one section (and label ``schema-<name>``) per definition.
    """
    defs = schema.get("$defs", {})
    out = [f"({_label('scenario')})=", "## Scenario (the top level of a file)", ""]
    out += _description(schema) + _fields(schema) + [""]
    for name in sorted(defs):
        d = defs[name]
        out += [f"({_label(name)})=", f"## {name}", ""]
        out += _description(d)
        if "oneOf" in d or "anyOf" in d:
            out += [f"One of: {_type(d)}", ""]
        out += _fields(d) + [""]
    return "\n".join(out)


def cli_markdown() -> str:
    """The help of ``sim`` and of every command, as typer prints it, in literal blocks.

    Returns
    -------
    str
        MyST Markdown with one section per command.
    """
    import typer

    from sim.cli import app

    group = typer.main.get_command(app)
    out: list[str] = []

    def section(cmd: Any, path: str, level: int) -> None:
        ctx = cmd.context_class(cmd, info_name=path, terminal_width=100, max_content_width=100)
        out.extend([f"{'#' * level} `{path}`", "", "```text", cmd.get_help(ctx), "```", ""])
        if hasattr(cmd, "list_commands"):  # a group (typer's own click or click's)
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    section(sub, f"{path} {name}", level + 1 if level < 3 else level)

    section(group, "sim", 2)
    return "\n".join(out)


def _write(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")  # unchanged files keep Sphinx's cache


def generate(app: Any) -> None:
    """Write the generated pages (Sphinx ``builder-inited``)."""
    from sim.scenario.schema import json_schema

    GENERATED.mkdir(exist_ok=True)
    _write(GENERATED / "schema.md", schema_markdown(json_schema()))
    _write(GENERATED / "cli.md", cli_markdown())


def setup(app: Any) -> dict[str, Any]:
    """Register the generator with Sphinx."""
    app.connect("builder-inited", generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
