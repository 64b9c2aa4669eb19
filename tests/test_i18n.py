"""Chinese and English output words (sim.i18n) and the CJK font of figures."""

from __future__ import annotations

import warnings

import pytest

from sim.i18n import clause_of, name_of, parse_lang, pick, say, tr
from sim.scenario.base import Text


def test_english_is_unchanged_and_chinese_comes_from_the_catalogue() -> None:
    assert tr("target") == "target"
    assert tr("target", "zh") == "目标"
    assert tr("a phrase nobody translated", "zh") == "a phrase nobody translated"
    assert say("en", "runs", "模拟次数") == "runs"
    assert say("zh", "runs", "模拟次数") == "模拟次数"


def test_pick_reads_pairs_and_falls_back_to_english() -> None:
    t = Text(en="basic needs met within 10 h", zh="10小时内基本生活得到救助")
    assert pick(t, "zh") == "10小时内基本生活得到救助"
    assert pick(t, "en") == "basic needs met within 10 h"
    assert pick({"en": "only English"}, "zh") == "only English"
    assert pick(("warning", "预警"), "zh") == "预警"
    assert pick(None, "zh", default="-") == "-"


def test_names_and_clauses_use_their_chinese_fields() -> None:
    class Zone:
        name = "harbour_town"
        name_zh = "港口镇"

    class Bare:
        name = "hill_village"

    class Result:
        id = "relief_within_10h"
        clause_en = "basic needs met within 10 h"
        clause_zh = None

    assert name_of(Zone(), "zh") == "港口镇"
    assert name_of(Zone()) == "harbour_town"
    assert name_of(Bare(), "zh") == "hill_village"
    assert name_of({"id": "city_hq", "name_zh": "市防指"}, "zh") == "市防指"
    assert clause_of(Result(), "zh") == "basic needs met within 10 h"
    Result.clause_en = None
    assert clause_of(Result(), "zh") == "relief_within_10h"
    # a target of a report's document (report.json): clause {en, zh} and id
    doc = {"id": "shelter_area", "clause": {"en": "more than 1.5 m2 per person",
                                            "zh": "人均居住面积应大于1.5平方米"}}
    assert clause_of(doc, "zh") == "人均居住面积应大于1.5平方米"
    assert clause_of(doc) == "more than 1.5 m2 per person"
    english_only = {"id": "x", "clause": {"en": "only English", "zh": None}}
    assert clause_of(english_only, "zh") == "only English"
    assert clause_of({"id": "x", "clause": None}, "zh") == "x"


@pytest.mark.parametrize("bad", ["fr", "", "zh-TW", None, 1])
def test_parse_lang_rejects_other_codes(bad: object) -> None:
    with pytest.raises(ValueError, match="is not one of: en, zh"):
        parse_lang(bad)
    assert parse_lang(" ZH ") == "zh"


def test_a_chinese_figure_draws_without_missing_glyphs() -> None:
    pytest.importorskip("matplotlib")
    from sim.report.cjk_font import font_rc, localized

    assert font_rc("en") == {}

    @localized
    def fig(*, lang: str = "en") -> object:
        from matplotlib.figure import Figure

        f = Figure()
        ax = f.add_subplot()
        ax.set_title("灾害发生后小时数 −5")
        ax.set_xlabel(tr("hours after onset", "zh"))
        return f

    import io

    f = fig(lang="zh")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f.savefig(io.BytesIO(), format="png")  # type: ignore[attr-defined]
    f = fig(lang="en")
    with pytest.warns(UserWarning, match="missing from font"):
        f.savefig(io.BytesIO(), format="png")  # type: ignore[attr-defined]
