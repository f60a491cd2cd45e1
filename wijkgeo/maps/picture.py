"""Static pictures for memos: one indicator per buurt as a PNG, like the HTML map.

:func:`png` draws the buurten with the classes, colours and legend labels of the HTML map:
they come from the same function (:func:`wijkgeo.maps.data.value_legend`), so a buurt that
is dark blue in the browser is dark blue in the memo, and the legend reads the same ranges
and counts. Optionally a point layer (voorzieningen, bewonersinitiatieven) goes on top, in
the colours of the map's layer. No basemap: the picture needs no network.

matplotlib is needed (the ``png`` extra: ``pip install "wijkgeo[png]"``); without it a
:class:`~wijkgeo._errors.ConfigError` says so in Dutch.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..atlas import Atlas
    from ..series import AtlasSeries

log = logging.getLogger(__name__)

__all__ = ["MapPicture", "png"]

_POINT_STYLES = {"voorzieningen": "voorzieningen", "bewonersinitiatieven": "bewonersinitiatieven"}


@dataclass(frozen=True)
class MapPicture:
    """What :func:`png` wrote.

    Attributes
    ----------
    path : Path
        The PNG file.
    legend : list of (color, text, count)
        The legend rows drawn, in order (the same as the HTML legend of the indicator).
    fills : list of str
        Fill colour per buurt, in the order of the buurten.
    codes : list of str
        Buurt codes, in the same order.
    pixels : list of (float, float)
        Per buurt the pixel (column, row from the top) of a point inside it in the PNG.
    """

    path: Path
    legend: list[tuple[str, str, int]]
    fills: list[str]
    codes: list[str]
    pixels: list[tuple[float, float]]


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:
        from .._errors import MissingExtraError

        raise MissingExtraError(
            "voor een PNG is matplotlib nodig; installeer het met "
            '`pip install "wijkgeo[png]"` (of `pip install matplotlib`) en probeer opnieuw'
        ) from None
    return plt


def _plain_text(func: Any) -> Any:
    """Draw with names as plain text: no mathtext (``$...$``) and no LaTeX, whatever the
    user's matplotlib settings; a name like ``$x^$`` or ``a\\b`` is printed as is."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        plt = _pyplot()
        with plt.rc_context({"text.parse_math": False, "text.usetex": False}):
            return func(*args, **kwargs)

    return wrapper


@_plain_text
def png(
    atlas: Atlas | AtlasSeries,
    key: str,
    points: str | None = None,
    path: str | Path | None = None,
    *,
    title: str | None = None,
    dpi: int = 150,
    size: tuple[float, float] = (8.0, 7.0),
) -> MapPicture:
    """Write indicator ``key`` per buurt as a PNG with the HTML map's classes and legend.

    Parameters
    ----------
    atlas : Atlas or AtlasSeries
        One gemeente and year (a series: its latest year).
    key : str
        Registry key of the indicator.
    points : str, optional
        A point layer of ``atlas.local`` to draw on top (``"voorzieningen"`` or
        ``"bewonersinitiatieven"``), coloured and labelled like the map's layer.
    path : str or Path, optional
        Output file; default ``maps/<code>_<year>_<key>.png``.
    title : str, optional
        Title; default "<indicator> per buurt – <gemeente> <year>".
    dpi : int
        Resolution.
    size : (float, float)
        Figure size in inches.

    Returns
    -------
    MapPicture

    Raises
    ------
    ConfigError
        Without matplotlib, for an unknown indicator or point layer.

    Examples
    --------
    >>> import wijkgeo
    >>> from wijkgeo.maps import png
    >>> pic = png(wijkgeo.make_demo(), "aandeel_65_plus", path="maps/demo_65.png")  # doctest: +SKIP
    >>> pic.legend[0][1]                                                          # doctest: +SKIP
    '9 – 14'
    """
    import numpy as np

    plt = _pyplot()  # first: without matplotlib a Dutch message, not an ImportError
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from .._errors import ConfigError
    from ..facts.model import build_facts
    from ..indicators import get_indicator
    from ..series import AtlasSeries
    from .data import text, value_legend
    from .geometry import in_rd
    from .layers import layer_style

    atlas = AtlasSeries.of(atlas).latest
    ind = get_indicator(key)
    buurten = in_rd(atlas.buurten, "buurten").reset_index(drop=True)
    # the facts' values and reasons (wijkgeo.facts), the same numbers as the map and profile
    facts = build_facts(atlas, [ind.key], koppelkansen=False, levels=("buurt",)).levels["buurt"]
    vl = value_legend(
        ind.key, facts.table[ind.key].to_numpy(), facts.reasons[ind.key].to_numpy()
    )
    fills = [vl.fill(i) for i in range(len(buurten))]

    # a fixed layout (no bbox_inches="tight"): a buurt's pixel is known, the test checks it.
    # The figure is as tall as the gemeente's shape needs beside its legend (``size`` gives
    # the width and the largest height), so the picture holds no empty band of white.
    minx, miny, maxx, maxy = buurten.total_bounds
    aspect = (maxy - miny) / (maxx - minx) if maxx > minx else 1.0
    rows = len(vl.rows) + (len(_POINT_STYLES) * 4 if points else 0)
    legend_in = 0.9 + 0.19 * rows
    height_in = min(size[1], max(size[0] * 0.62 * aspect / 0.86, legend_in / 0.86, 2.5))
    fig = plt.figure(figsize=(size[0], height_in), dpi=dpi)
    ax = fig.add_axes((0.01, 0.05, 0.62, 0.86))
    buurten.plot(ax=ax, color=fills, edgecolor="#555555", linewidth=0.4)
    wijken = getattr(atlas, "wijken", None)
    if wijken is not None and len(wijken):
        in_rd(wijken, "wijken").boundary.plot(ax=ax, color="#222222", linewidth=1.2)
    handles = [
        Patch(facecolor=r.color, edgecolor="#777777", label=f"{r.text} ({r.count})")
        for r in vl.rows
    ]
    if points is not None:
        if points not in _POINT_STYLES:
            raise ConfigError(
                f"onbekende puntenlaag {points!r} voor de PNG; kies uit {sorted(_POINT_STYLES)}"
            )
        layer = (atlas.local or {}).get(points)
        if layer is None:
            raise ConfigError(f"de atlas heeft geen laag {points!r}; zie `wijkgeo check`")
        style = layer_style(_POINT_STYLES[points])
        pts = in_rd(layer, points)
        col = pts.get(style["column"])
        values = (
            col.astype("string").str.strip().str.lower().fillna("")
            if col is not None
            else np.full(len(pts), "")
        )
        cats = style["categories"]
        for value, spec in [*cats.items(), ("", style["other"])]:
            mask = np.asarray(values == value) if value else ~np.isin(values, list(cats))
            if not mask.any():
                continue
            xy = pts[mask].geometry
            ax.scatter(
                xy.x, xy.y, s=28, c=spec["color"], edgecolors="white", linewidths=0.8, zorder=5
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    markerfacecolor=spec["color"],
                    markeredgecolor="white",
                    markersize=7,
                    label=f"{spec['label']} ({int(mask.sum())})",
                )
            )
    ax.set_axis_off()
    ax.set_aspect("equal")
    t = text()
    name = getattr(atlas, "name", None) or atlas.meta.get("gemeente", "")
    year = atlas.meta.get("year", "")
    fig.suptitle(
        title or f"{ind.label} per buurt – {name} {year}".strip(), fontsize=12, x=0.02, ha="left"
    )
    unit = " · ".join(s for s in (ind.unit, t["direction"].get(ind.direction, "")) if s)
    fig.legend(
        handles=handles,
        title=f"{ind.label}\n{unit}",
        loc="upper left",
        bbox_to_anchor=(0.64, 0.91),
        alignment="left",
        fontsize=8,
        title_fontsize=9,
        frameon=False,
    )
    source = atlas.meta.get("source") or ind.source_in(atlas.year) or ""
    fig.text(0.01, 0.01, f"{t['source']}: {source}", fontsize=7, color="#555555")
    if path:
        target = Path(path)
    else:  # wijkgeo's own default place: made when missing
        from .._write import default_target

        target = default_target(Path("maps") / f"{atlas.code}_{year}_{ind.key}.png", "PNG")
    fig.canvas.draw()
    inside = buurten.geometry.representative_point()
    xy = ax.transData.transform(np.column_stack([inside.x, inside.y]))
    height = fig.get_size_inches()[1] * dpi
    pixels = [(float(x), float(height - y)) for x, y in xy]
    from .._write import write_output

    try:
        write_output(target, lambda tmp: fig.savefig(tmp, dpi=dpi, format="png"), what="PNG")
    finally:
        plt.close(fig)
    log.info("PNG geschreven: %s", target)
    return MapPicture(
        target,
        [(r.color, r.text, r.count) for r in vl.rows],
        fills,
        buurten["buurtcode"].astype(str).tolist(),
        pixels,
    )
