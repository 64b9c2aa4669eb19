"""Shared building blocks of the scenario models: frozen config, names, provenance."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Frozen", "Name", "Provenance", "Sourced", "Text", "provenance_kind"]

Name = Annotated[
    str,
    Field(
        strict=True,
        min_length=1,
        max_length=80,
        pattern=r"^[^\W\d][\w\-]*$",
        description="An identifier: letters, digits, '_' or '-', starting with a letter or '_'.",
    ),
]


class Frozen(BaseModel):
    """Base of every scenario model: immutable and strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Text(Frozen):
    """A text in English with an optional Chinese original."""

    en: str
    zh: str | None = None


class Sourced(Frozen):
    """A model whose numbers carry provenance.

    ``source`` covers every number of the entity; ``sources`` names a source per field where the
    numbers come from different places (``{population: "census 2020", lon: "OSM"}``). A
    distribution may also carry its own ``source``. Provenance is a seed plan line
    (``004_wenzhou_plan.txt#L433``), a public reference, or ``assumption: <reason>``.
    """

    source: str | None = Field(default=None, description="Provenance of this entity's numbers.")
    sources: dict[str, str] | None = Field(
        default=None, description="Provenance per field, where it differs from `source`."
    )

    @model_validator(mode="after")
    def _sources_name_fields(self) -> Sourced:
        if self.sources:
            unknown = sorted(set(self.sources) - set(type(self).model_fields))
            if unknown:
                raise ValueError(
                    f"sources names unknown field(s) {unknown}; expected some of "
                    f"{sorted(set(type(self).model_fields) - {'source', 'sources'})}"
                )
        return self

    def source_of(self, field: str) -> str | None:
        """Return the provenance of ``field``: its own entry in ``sources``, else ``source``."""
        if self.sources and field in self.sources:
            return self.sources[field]
        return self.source


Provenance = Literal["cited", "partly_assumed", "assumed", "unsourced"]


def provenance_kind(source: str | None) -> Provenance:
    """Classify a provenance string.

    Parameters
    ----------
    source : str or None
        A ``source`` as the scenario gives it.

    Returns
    -------
    {'cited', 'partly_assumed', 'assumed', 'unsourced'}
        ``assumed`` when it starts with "assumption", ``partly_assumed`` when it cites something
        and also contains "assumption", ``unsourced`` when absent, else ``cited``.
    """
    if source is None or not source.strip():
        return "unsourced"
    text = source.strip().lower()
    if text.startswith("assumption"):
        return "assumed"
    if "assumption" in text or "assumed" in text:
        return "partly_assumed"
    return "cited"
