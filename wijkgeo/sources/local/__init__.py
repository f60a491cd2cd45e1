"""Local layers a gemeente maintains itself: voorzieningen, initiatieven, plans, tables.

A layer folder (such as ``data_sources/demo/``) holds the files and a ``lagen.json`` that
describes each layer (see ``data_sources/README.md``). The package is split by concept:

:mod:`.spec`
    the ``lagen.json`` model and its checks (unknown keys get the closest valid key);
:mod:`.readers`
    CSV (``,`` ``;`` tab; UTF-8 with/without BOM or cp1252, detected), ``.xlsx`` (a named
    sheet), GeoJSON, GeoPackage (a named layer), zipped Shapefile;
:mod:`.validate`
    the row-by-row checks against the gemeente (codes, place, geometry, dates, ...);
:mod:`.personal`
    personal columns dropped, unmarked ones warned about.

:func:`read_local_layers` is strict by default: any error raises a
:class:`~wijkgeo.DataValidationError` listing (up to 20) problems with file, row, column
and what to do. With ``strict=False`` it drops the bad rows and returns the same report on
the result (``layers.report``). :func:`check_local_layers` only reports.

Examples
--------
>>> layers = read_local_layers("data_sources/demo", gemeente="GM9999")
>>> sorted(layers)
['bewonersinitiatieven', 'energietransitie', 'projecten', 'verhalen', 'voorzieningen']
>>> layers.report.ok, layers["projecten"].crs.to_epsg()
(True, 28992)
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..._report import WARNING, ValidationReport
from ...codes import normalize_code
from .personal import drop_personal, warn_unmarked
from .readers import checked_input, read_layer
from .spec import CONFIG_NAME, FolderSpec, LayerSpec, load_spec
from .validate import RD_BOUNDS, WGS84_BOUNDS, Areas, read_postcode_table, validate_layer

if TYPE_CHECKING:  # pragma: no cover
    from ...atlas import Atlas

__all__ = [
    "CONFIG_NAME",
    "RD_BOUNDS",
    "WGS84_BOUNDS",
    "Areas",
    "FolderSpec",
    "LayerSpec",
    "LocalLayers",
    "check_local_layers",
    "load_spec",
    "read_local_layers",
]

log = logging.getLogger(__name__)


class LocalLayers(dict):
    """Layer name -> frame, as a plain dict, plus the :class:`ValidationReport` of the read."""

    report: ValidationReport

    def __init__(self, *args: Any, report: ValidationReport | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.report = report if report is not None else ValidationReport()


def _areas(atlas: Atlas | None, gemeente: str | None) -> Areas:
    if atlas is not None:
        areas = Areas.from_atlas(atlas)
        if gemeente is not None and normalize_code(gemeente, "gemeente") != areas.gemeente:
            from ..._errors import ConfigError

            raise ConfigError(
                f"gemeente={gemeente} past niet bij de Atlas van {areas.gemeente}; geef er één."
            )
        return areas
    return Areas(gemeente=normalize_code(gemeente, "gemeente") if gemeente else None)


def check_local_layers(
    folder: str | Path,
    *,
    atlas: Atlas | None = None,
    gemeente: str | None = None,
    keep_personal: bool = False,
    report: ValidationReport | None = None,
) -> tuple[LocalLayers, ValidationReport]:
    """Read every layer of ``folder`` leniently: bad rows out, every problem in the report.

    Parameters
    ----------
    folder : str or Path
        Folder with ``lagen.json``.
    atlas : Atlas, optional
        The gemeente to check against: points inside its outline, codes that exist in it.
        Without it only the Netherlands' bounds and (with ``gemeente``) code prefixes are
        checked.
    gemeente : str, optional
        Gemeente code (when no Atlas is given); ``lagen.json`` may also name it.
    keep_personal : bool, default False
        Keep the columns marked ``persoonsgegevens``.
    report : ValidationReport, optional
        Add to this report instead of a new one.

    Returns
    -------
    layers : LocalLayers
        The usable rows of every usable layer.
    report : ValidationReport

    Examples
    --------
    >>> layers, report = check_local_layers("data_sources/demo")
    >>> report.summary()
    'geen problemen'
    """
    rep = report if report is not None else ValidationReport()
    spec = load_spec(folder, rep)
    out = LocalLayers(report=rep)
    if spec is None:
        return out, rep
    if gemeente is None and atlas is None and spec.gemeente:
        gemeente = spec.gemeente
    if atlas is not None and spec.gemeente and spec.gemeente != atlas.code:
        rep.add(
            spec.path,
            None,
            "gemeente",
            f"lagen.json noemt gemeente {spec.gemeente}, maar er is gecontroleerd tegen "
            f"{atlas.code}",
            hint="pas 'gemeente' in lagen.json aan of controleer tegen de juiste gemeente.",
            severity=WARNING,
            category="no_gemeente",
        )
    areas = _areas(atlas, gemeente)
    for layer in spec.layers:
        frame = _read_one(spec, layer, rep, areas, keep_personal)
        if frame is not None:
            out[layer.name] = frame
    return out, rep


def _read_one(
    spec: FolderSpec, layer: LayerSpec, rep: ValidationReport, areas: Areas, keep: bool
) -> Any:
    raw = read_layer(spec.folder, layer, rep)
    if raw is None:
        return None
    warn_unmarked(raw.frame, layer.personal, rep, raw.file, layer.name)
    postcodes = None
    if layer.postcode and layer.postcode_table:
        table = checked_input(spec.folder, layer.postcode_table, rep, "postcodetabel")
        if table is None:
            return None
        postcodes = read_postcode_table(table, rep, areas)
        if postcodes is None:
            return None
    n_errors = len(rep.errors)
    frame = validate_layer(raw, layer, rep, areas, postcodes=postcodes)
    if frame is None:
        rep.add(
            raw.file,
            None,
            None,
            f"laag {layer.name!r} is niet ingelezen",
            hint="los de fout(en) hierboven op.",
            severity=WARNING,
            category="layer_skipped",
            unit=raw.unit,
        )
        return None
    frame = drop_personal(frame, layer.personal, keep)
    dropped = len(raw.frame) - len(frame)
    if dropped:
        log.info(
            "%s: %d van %d rijen weggelaten (%d fouten)",
            raw.file,
            dropped,
            len(raw.frame),
            len(rep.errors) - n_errors,
        )
    log.debug("lokale laag %s: %d rijen uit %s", layer.name, len(frame), raw.file)
    return frame


def read_local_layers(
    folder: str | Path,
    *,
    gemeente: str | None = None,
    atlas: Atlas | None = None,
    strict: bool = True,
    keep_personal: bool = False,
) -> LocalLayers:
    """Read and validate the local layers of a ``data_sources`` folder.

    Parameters
    ----------
    folder : str or Path
        Folder with ``lagen.json`` and the files it names.
    gemeente : str, optional
        When given, every wijk/buurt code must belong to this gemeente.
    atlas : Atlas, optional
        Check against this gemeente: points must lie in it (up to 2 km outside is a
        warning), codes must exist in it (the closest existing codes are suggested).
    strict : bool, default True
        Raise on any error. ``False``: leave out the bad rows (and unusable layers) and
        carry on; the problems are in ``result.report``.
    keep_personal : bool, default False
        Keep the columns ``lagen.json`` lists under ``persoonsgegevens`` (contact names,
        phone numbers); by default they are dropped on reading.

    Returns
    -------
    LocalLayers
        A dict of layer name (as in ``lagen.json``, e.g. ``"voorzieningen"``) to a
        GeoDataFrame in EPSG:28992 (points, lines, polygons) or a DataFrame (tables), with
        ``.report`` holding the :class:`~wijkgeo._report.ValidationReport`. Text columns
        stay text; date columns become ``datetime64`` (empty = NaT), year columns ``int64``,
        code columns normalised; a table by postcode gets a ``buurtcode`` column.

    Raises
    ------
    DataValidationError
        In strict mode, when anything is wrong; the message lists the first 20 problems,
        each with the file, the row (as a spreadsheet shows it, header = row 1) or feature,
        the column, and what to do; ``exc.report`` holds them all.

    Examples
    --------
    >>> from wijkgeo.sources.local import read_local_layers
    >>> layers = read_local_layers("data_sources/demo", gemeente="GM9999")
    >>> layers["voorzieningen"].crs.to_epsg()
    28992
    >>> "telefoon" in layers["projecten"].columns
    False
    """
    layers, report = check_local_layers(
        folder, atlas=atlas, gemeente=gemeente, keep_personal=keep_personal
    )
    if strict:
        report.raise_if_errors()
    for problem in report.warnings:
        log.warning("%s", problem.to_text())
    return layers
