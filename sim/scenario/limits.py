"""Limits on inputs that could otherwise exhaust the machine, each with its reason.

A number in a scenario file can ask for more than any computer has: ``end_h: 1e12`` sized the
hazard's quarter-hour time grid at 29 TiB, ``count: 100000000`` vehicles or a population of
``1e15`` kept a run busy for hours, ``record_every_h: 1e-7`` asked for a trillion records, and a
400-byte YAML file of nested aliases ("billion laughs") expands to a billion values. Each limit
below is far above what a real plan needs (the reason is written beside it) and low enough that
loading or running at the limit takes seconds, not hours. An input over a limit is a located
input error that names the limit and its reason (:meth:`Limit.words`).

The run times quoted were measured on the demo and Wenzhou scenarios (one process on a 2-core
machine shared with other work, December 2025).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DESKS",
    "FILE_BYTES",
    "HORIZON_H",
    "INTERVENTIONS",
    "Limit",
    "PLACES",
    "RECORDS",
    "STOCK_UNITS",
    "TEAMS",
    "TOTAL_POPULATION",
    "VEHICLES",
    "YAML_DEPTH",
    "YAML_NODES",
    "ZONE_POPULATION",
]


@dataclass(frozen=True)
class Limit:
    """The largest value an input may take, in what unit, and why.

    Attributes
    ----------
    value : float
        The limit (inclusive).
    unit : str
        What is counted (``people``, ``vehicles``, ``h``).
    reason : str
        Why the limit is where it is, in a few words (for error messages).
    """

    value: float
    unit: str
    reason: str

    def words(self) -> str:
        """``at most VALUE UNIT (the limit: REASON)``, for error messages."""
        v = self.value
        n = f"{v:,.0f}" if float(v).is_integer() and abs(v) < 1e15 else f"{v:g}"
        return f"at most {n} {self.unit} (the limit: {self.reason})"


FILE_BYTES = Limit(4 * 2**20, "bytes", "50 times the largest shipped scenario, 82 kB")
"""Largest input file read (4 MiB): 50 times the county-level Wenzhou scenario (82 kB) and about
15 times the town-level one being written for issue 13 (282 kB, 194 zones). PyYAML in Python
reads about a megabyte a second; the limit stops ``/dev/zero`` or a mistaken large file within
seconds."""

YAML_DEPTH = Limit(64, "levels", "the shipped scenarios nest at most 8")
"""Deepest nesting of YAML collections: the shipped scenarios nest at most 8 levels; 64 keeps
PyYAML's recursive composer (a few Python frames a level) far from Python's recursion limit,
which 3,000 nested brackets overflowed."""

YAML_NODES = Limit(200_000, "YAML values",
                   "the largest shipped scenario has 6,343; an alias counts each time it is used")
"""Most YAML values in a file, counting a value again each time an alias repeats it: the
county-level Wenzhou scenario has 6,343, the town-level one about 24,000, and a full 300 x 300
travel matrix would add 90,000. PyYAML composes about 25,000 values a second on this machine, so
the limit is met within about 8 s (a flat list of 200,000 numbers: 6.2 s); a 400-byte "billion
laughs" file asks for 10^9 and is refused in milliseconds."""

ZONE_POPULATION = Limit(50_000_000, "people",
                        "above Chongqing, China's most populous municipality, 32.05 million")
"""Most residents of one zone: above Chongqing, China's most populous municipality (32.05 million
in the 2020 census)."""

TOTAL_POPULATION = Limit(200_000_000, "people",
                         "above Guangdong, China's most populous province, 126 million")
"""Most residents of a whole scenario: above Guangdong, China's most populous province (126.0
million in the 2020 census); a demo run with 200 million people took 8 s."""

VEHICLES = Limit(100_000, "vehicles", "the shipped scenarios' largest fleet has 60; a run "
                 "with 100,000 takes about 3 s")
"""Most vehicles of a scenario, every fleet and every injected vehicle together: the shipped
scenarios' largest fleet has 60 and a city's plan counts its ambulances in hundreds (Wenzhou:
318); each vehicle is an object, and a demo run with 100,000 trucks took 3.3 s and 50 MB more
(100,000,000 asked for hours and 50 GB)."""

TEAMS = Limit(100_000, "teams", "the shipped scenarios have at most 30 of one kind; a run with "
              "100,000 takes about 3 s")
"""Most response teams of a scenario (the teams' ``count`` summed): the shipped scenarios have
at most 30 of one kind; each team is an object, and a demo run with 100,000 took 2.8 s."""

DESKS = Limit(10_000, "desks", "the shipped scenarios' largest shelter has 415")
"""Most registration desks of one shelter: the shipped scenarios' largest shelter has 415; the
desk queue keeps one entry per desk (10^30 desks overflowed it)."""

PLACES = Limit(TOTAL_POPULATION.value, "people", "no more than a scenario's population limit")
"""Most people one shelter or hospital takes (capacity, beds): no more than the population a
scenario may have."""

STOCK_UNITS = Limit(1e12, "units", "a million times the largest shipped stock; sums stay exact "
                    "to the unit")
"""Most units of one item at one place (a stock point, a shelter, a supplier, an injected
delivery): a million times the largest shipped stock (180,000), and small enough that sums of
many such stocks stay exact to the unit in floating point (exact integers end at 9.0e15)."""

HORIZON_H = Limit(8_760.0, "h", "one year")
"""Longest run, ``time.end_h - time.start_h``: one year. The plans' response phases last days to
weeks; the hazard models keep a quarter-hour grid over the whole run (35,040 steps a year),
which ``end_h: 1e12`` made 29 TiB."""

RECORDS = Limit(20_000, "records", "a year at half-hour steps is 17,520")
"""Most time-series records of a run, ``(end_h - start_h) / record_every_h``: a year at
half-hour steps is 17,520; a Wenzhou run of a year with 20,000 records took 1.8 s and 250 MB."""

INTERVENTIONS = Limit(10_000, "interventions", "an exercise injects tens to hundreds")
"""Most interventions in one file: an exercise injects tens to hundreds of events."""
