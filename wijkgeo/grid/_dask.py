"""The dask path of :func:`wijkgeo.grid.area_interpolate`: our kernel per partition.

dask-geopandas has no ``overlay`` and only an inner ``sjoin``, so nothing of it is used but
its partitions. A dask **source** (e.g. buurten partitioned by gemeente) is interpolated per
partition to the in-memory target; the per-target partial sums (numerators, valid counts,
missing measure) are added over the partitions and finished once, so a cell on a gemeente
border gets exactly the contributions it gets in one piece. A dask **target** is done per
partition against the in-memory source; every target row lives in one partition.

Results equal the in-memory path up to the order of floating-point additions (about 1e-15
relative). The same code runs on a local scheduler or a ``distributed`` cluster.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._errors import DataValidationError
from .codes import check_metric_crs

__all__ = ["dask_interpolate"]


def _partition_partials(part, target, extensive, intensive, weights) -> dict[str, Any]:
    """Sparse partial sums of one source partition: touched target rows and their sums."""
    from .interpolate import _partials, _values, interpolation_weights

    if not len(part):
        return {"rows": np.zeros(0, np.int64)}
    w = interpolation_weights(part, target, weights=weights)
    ext = _values(part, extensive, "extensive")
    itv = _values(part, intensive, "intensive")
    p = _partials(w, ext, itv)
    rows = np.flatnonzero(p["contributors"] > 0)
    out: dict[str, Any] = {"rows": rows, "kind": w.kind, "method": w.method}
    out["measure"] = p["measure"][rows]
    out["contributors"] = p["contributors"][rows]
    for name, k in (("ext", len(extensive)), ("int", len(intensive))):
        num = p[f"{name}_num"][rows]
        n = np.repeat((p["contributors"] if name == "ext" else p["int_den"])[rows, None], k, 1)
        miss = np.zeros((len(rows), k))
        cols = p[f"{name}_nan"]
        if len(cols):
            n[:, cols] = p[f"{name}_n"][rows]
            miss[:, cols] = p[f"{name}_miss"][rows]
        out[f"{name}_num"], out[f"{name}_n"], out[f"{name}_miss"] = num, n, miss
    return out


def _combine(parts: list[dict[str, Any]], nt: int, ke: int, ki: int) -> dict[str, Any]:
    total: dict[str, Any] = {
        "measure": np.zeros(nt),
        "contributors": np.zeros(nt),
        "ext_num": np.zeros((nt, ke)),
        "ext_n": np.zeros((nt, ke)),
        "ext_miss": np.zeros((nt, ke)),
        "int_num": np.zeros((nt, ki)),
        "int_n": np.zeros((nt, ki)),
        "int_miss": np.zeros((nt, ki)),
    }
    for p in parts:
        rows = p["rows"]
        if not len(rows):
            continue
        for key, arr in total.items():
            np.add.at(arr, rows, p[key])
    # every column is finished through its own valid counts (n), as the NaN columns are
    total["ext_nan"], total["int_nan"] = np.arange(ke), np.arange(ki)
    total["int_den"] = np.ones(nt)
    return total


def dask_interpolate(source, target, extensive, intensive, weights):
    """Interpolate with a dask-geopandas source or target; returns an in-memory frame.

    Called by :func:`wijkgeo.grid.area_interpolate` when either frame is a dask one.

    Examples
    --------
    >>> import dask_geopandas, geopandas as gpd, shapely
    >>> from wijkgeo.grid import area_interpolate, cells
    >>> b = gpd.GeoDataFrame({"inw": [100.0, 50.0]}, crs=28992,
    ...     geometry=[shapely.box(0, 0, 500, 500), shapely.box(500, 0, 750, 500)])
    >>> parts = dask_geopandas.from_geopandas(b, npartitions=2)
    >>> area_interpolate(parts, cells(b, 500), extensive=["inw"])["inw"].tolist()
    [100.0, 50.0]
    """
    import dask

    from .interpolate import _finish, _is_dask, _result, interpolate_frames

    if _is_dask(source) and _is_dask(target):
        raise DataValidationError(
            "Bron en doel zijn allebei dask-frames: maak er één in het geheugen (.compute()); "
            "meestal het raster of de buurten van één jaar."
        )
    check_metric_crs(source, "de bron (source)")
    check_metric_crs(target, "het doel (target)")
    if _is_dask(target):
        import pandas as pd

        src = dask.delayed(source)
        pieces = [
            dask.delayed(interpolate_frames)(src, part, extensive, intensive, weights)
            for part in target.to_delayed()
        ]
        done = dask.compute(*pieces)
        out = pd.concat(done)
        out.attrs = dict(done[0].attrs) if done else {}
        return out
    import shapely

    tgt = dask.delayed(target)
    wts = dask.delayed(weights) if weights is not None else None
    tasks = [
        dask.delayed(_partition_partials)(part, tgt, list(extensive), list(intensive), wts)
        for part in source.to_delayed()
    ]
    parts = list(dask.compute(*tasks))
    known = [p for p in parts if "kind" in p]
    kind = known[0]["kind"] if known else "polygon"
    method = known[0]["method"] if known else "grid"
    p = _combine(parts, len(target), len(extensive), len(intensive))
    cols, report = _finish(
        p, extensive, intensive, kind, shapely.area(np.asarray(target.geometry.values))
    )
    return _result(target, cols, extensive, intensive, report, method)
