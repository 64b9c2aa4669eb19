"""A Chinese font for figure labels (``lang="zh"``), registered with matplotlib at plot time.

The font is Noto Sans CJK (SIL Open Font License 1.1), carried by the ``noto-cjk-sans-otc``
package that the ``plot`` extra installs: nothing is downloaded at run time. :func:`font_rc` gives
the matplotlib settings of a language (none for English, so English figures are unchanged);
:func:`localized` applies them around a figure function that takes ``lang``, so that every text
the function creates can draw Chinese: Latin letters and digits stay in matplotlib's default
DejaVu Sans, Chinese characters fall back to Noto Sans CJK SC.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, cast

__all__ = ["CJK_PACKAGE", "cjk_family", "font_rc", "localized"]

CJK_PACKAGE = "noto-cjk-sans-otc"
"""The package carrying the font (Noto Sans CJK, OFL-1.1)."""

_PREFERRED = "Noto Sans CJK SC"

P = ParamSpec("P")
R = TypeVar("R")


class _NoBoldNotice(logging.Filter):
    """Drop matplotlib's notice that the CJK face has no bold weight."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "for Noto Sans CJK" not in record.getMessage()


@functools.cache
def cjk_family() -> str:
    """Register the CJK font with matplotlib (once) and return its family name.

    Returns
    -------
    str
        ``"Noto Sans CJK SC"`` (the simplified-Chinese face of the collection), or the first
        Noto Sans CJK face where this matplotlib reads only a collection's first face.

    Raises
    ------
    RuntimeError
        When the font package is not installed (one line saying how to install it).
    """
    try:
        import noto_cjk_sans_otc  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        raise RuntimeError(
            f"Chinese figure labels need the font package {CJK_PACKAGE}: "
            "pip install 'reliefplan-sim[plot]'") from None
    from matplotlib import font_manager

    path = str(noto_cjk_sans_otc.FONT_PATH)
    font_manager.fontManager.addfont(path)
    # The collection has one weight: bold text is drawn in the regular face (glyphs all there).
    logging.getLogger("matplotlib.font_manager").addFilter(_NoBoldNotice())
    names = [f.name for f in font_manager.fontManager.ttflist
             if f.name.startswith("Noto Sans CJK")]
    return _PREFERRED if _PREFERRED in names else names[0]


def font_rc(lang: str) -> dict[str, Any]:
    """The matplotlib settings that let a figure in ``lang`` draw its labels.

    Parameters
    ----------
    lang : {"en", "zh"}
        The language of the labels.

    Returns
    -------
    dict
        Empty for English; for Chinese, the family list DejaVu Sans then the CJK
        face (matplotlib falls back glyph by glyph along the list).
    """
    if lang == "en":
        return {}
    return {"font.family": ["DejaVu Sans", cjk_family()]}


def localized(fn: Callable[P, R]) -> Callable[P, R]:
    """Draw ``fn``'s figure with the fonts of its ``lang`` keyword argument (default English)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        rc = font_rc(str(kwargs.get("lang", "en")))
        if not rc:
            return fn(*args, **kwargs)
        import matplotlib

        with matplotlib.rc_context(cast(Any, rc)):
            return fn(*args, **kwargs)

    return wrapper
