"""The local store: one GeoPackage and one manifest per gemeente and year.

Layout
------
::

    <store>/
      .wijkgeo.lock                  filelock; one writer per store at a time
      GM0772/
        2024/
          wijkgeo.gpkg               layers gemeente, wijken, buurten, vierkanten_500m,
                                     [vierkanten_100m], [nederland], [lokaal_<naam>] ...
          manifest.json              sources, validators, per-layer sha256 and row count, ...
          laatste_controle.json      when the last refresh checked, and its outcome
      NL00/
        2020/
          referentie.gpkg            the national reference: one attribute table kerncijfers
                                     with every gemeente, wijk and buurt of the country
          referentie.json            its manifest (rows per level, source, when)
        signalen.json                published counts of `wijkgeo signalen` (all periods)

The GeoPackage is the single source of truth and opens as is in QGIS and GDAL. Tables
without geometry (``nederland``, non-spatial local layers) are GeoPackage *attribute*
tables. The manifest is also embedded in the GeoPackage (attribute table ``wijkgeo_manifest``,
one row), together with each layer's column order and dtypes, so a round trip
gives back the same frames (codes as strings, NaN as NaN, datetimes, nullable ints,
categories, column order, EPSG:28992).

Atomicity
---------
:meth:`Store.write_atlas` writes the GeoPackage to a temporary file in the same folder,
fsyncs it and renames it over ``wijkgeo.gpkg`` with :func:`os.replace` (the commit point);
``manifest.json`` is then replaced the same way. Until the commit point the previous
version is untouched, byte for byte. Should the process die between the two renames,
``manifest.json`` is rebuilt from the copy embedded in the GeoPackage on the next
:meth:`Store.manifest` call. Leftover temporary files are removed on the next write.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import settings
from ._errors import DataValidationError, NotInStoreError, StoreError
from ._write import TMP_PREFIX as _TMP_PREFIX
from ._write import commit
from ._write import fsync_dir as _fsync_dir
from ._write import fsync_file as _fsync_file
from ._write import write_text_atomic as _write_text_atomic
from .atlas import CRS, Atlas
from .codes import normalize_code

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .series import AtlasSeries

log = logging.getLogger(__name__)

__all__ = [
    "GPKG_NAME",
    "MANIFEST_NAME",
    "Store",
    "check_manifest",
    "default_store_path",
    "layer_sha256",
    "load",
]

GPKG_NAME = "wijkgeo.gpkg"
MANIFEST_NAME = "manifest.json"
#: Outcome of the last refresh check (not part of the data version).
CHECK_NAME = "laatste_controle.json"
#: Published signalen counts of a gemeente (``wijkgeo signalen``), beside its year folders.
SIGNALS_NAME = "signalen.json"
#: The local table :meth:`Store.read_atlas` makes of it (never written into a GeoPackage).
SIGNALS_LAYER = "signalen"
LOCK_NAME = ".wijkgeo.lock"
#: The national reference (every buurt and wijk of the country) per year.
REFERENCE_FOLDER = "NL00"
REFERENCE_NAME = "referentie.gpkg"
REFERENCE_MANIFEST = "referentie.json"
REFERENCE_LAYER = "kerncijfers"
#: Version of the store layout; bump when the layout changes incompatibly.
FORMAT_VERSION = 1
#: Attribute table in the GeoPackage holding the manifest (one row, key "manifest").
_META_TABLE = "wijkgeo_manifest"
#: Manifest keys write_atlas builds itself; every other top-level key is the caller's.
_BUILT_KEYS = frozenset(
    {"format", "gemeente", "year", "name", "version_id", "written_at", "wijkgeo_version",
     "crs", "layers", "local", "meta", "file"}
)  # fmt: skip
#: Folder beside the GeoPackage with the lagen.json/koppelkansen.toml of stored local layers.
LAGEN_DIR = "lagen"
_LAYER_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def default_store_path() -> Path:
    """The store folder: ``$WIJKGEO_STORE`` or the platform's user data folder.

    Examples
    --------
    >>> from wijkgeo.store import default_store_path
    >>> default_store_path()                        # doctest: +SKIP
    PosixPath('/home/ans/.local/share/wijkgeo')
    """
    return settings.store_path()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    return str(value)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False, default=_json_default)


def layer_sha256(frame: pd.DataFrame) -> str:
    """A content hash of a (Geo)DataFrame: column names, dtypes, values and geometry WKB.

    The same data gives the same hash, independent of where it is stored; the manifest
    records it per layer so a refresh can tell whether a download changed anything.

    Examples
    --------
    >>> import pandas as pd
    >>> from wijkgeo.store import layer_sha256
    >>> layer_sha256(pd.DataFrame({"a": [1.0]})) == layer_sha256(pd.DataFrame({"a": [1.0]}))
    True
    """
    import pandas as pd
    import shapely

    h = hashlib.sha256()
    h.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    h.update(str(len(frame)).encode())
    for col in frame.columns:
        series = frame[col]
        if str(series.dtype) == "geometry":
            wkb = shapely.to_wkb(series.values, hex=False)
            # one update of the joined bytes hashes the same as one update per geometry
            h.update(b"".join(b"\x00" if item is None else item for item in wkb))
        else:
            try:
                hashed = pd.util.hash_pandas_object(series, index=False).values.tobytes()
            except TypeError:  # unhashable cells (lists, dicts): hash their text
                hashed = "\x1f".join(map(repr, series.tolist())).encode()
            h.update(hashed)
    return h.hexdigest()


def _commit(tmp: Path, target: Path) -> None:
    """The commit point of a store write: the finished file replaces the current one.

    One named function, so that crash tests can stop a writer exactly here from outside
    (``tests/_pause.py`` wraps it in a subprocess); the library has no test hooks.
    """
    commit(tmp, target)


# ---------------------------------------------------------------------------- validation
_REQUIRED_LAYERS = ("gemeente", "wijken", "buurten")


def check_manifest(manifest: Any, where: str | Path) -> dict[str, Any]:
    """Check the shape of a manifest read from disk; return it or raise :class:`StoreError`.

    Every key wijkgeo relies on is checked with its type (``layers.buurten.rows`` must be
    an integer, ...), so that a damaged or hand-edited manifest is reported in Dutch
    instead of failing somewhere later.

    Examples
    --------
    >>> check_manifest([], "manifest.json")
    Traceback (most recent call last):
    ...
    wijkgeo._errors.StoreError: manifest.json is beschadigd: het manifest is geen object ...
    """

    def bad(key: str, expected: str) -> StoreError:
        return StoreError(
            f"{where} is beschadigd: {key} is geen {expected}. Haal de gegevens opnieuw op met "
            "`wijkgeo refresh` of `wijkgeo import`."
        )

    if not isinstance(manifest, dict):
        raise StoreError(
            f"{where} is beschadigd: het manifest is geen object (JSON {{...}}). Haal de "
            "gegevens opnieuw op met `wijkgeo refresh` of `wijkgeo import`."
        )
    if not isinstance(manifest.get("gemeente"), str):
        raise bad("'gemeente'", "tekst")
    year = manifest.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise bad("'year'", "geheel getal")
    if not isinstance(manifest.get("version_id"), str):
        raise bad("'version_id'", "tekst")
    for key in ("meta", "local", "sources"):
        if manifest.get(key) is not None and not isinstance(manifest[key], dict):
            raise bad(f"'{key}'", "object")
    layers = manifest.get("layers")
    if not isinstance(layers, dict):
        raise bad("'layers'", "object")
    for name in _REQUIRED_LAYERS:
        if name not in layers:
            raise bad(f"'layers.{name}'", "laag (ontbreekt)")
    for name, entry in layers.items():
        path = f"'layers.{name}"
        if not isinstance(name, str) or (not _LAYER_NAME.match(name) and name != _META_TABLE):
            raise bad(f"laagnaam {name!r}", "geldige naam")
        if not isinstance(entry, dict):
            raise bad(path + "'", "object")
        if entry.get("kind") not in ("features", "attributes"):
            raise bad(path + ".kind'", "'features' of 'attributes'")
        rows = entry.get("rows")
        if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
            raise bad(path + ".rows'", "aantal")
        cols = entry.get("columns")
        if not isinstance(cols, list) or not all(
            isinstance(c, dict)
            and isinstance(c.get("name"), str)
            and isinstance(c.get("dtype"), str)
            for c in cols
        ):
            raise bad(path + ".columns'", "lijst van kolommen")
        index = entry.get("index")
        if index is not None and not (
            isinstance(index, list) and all(isinstance(i, str) for i in index)
        ):
            raise bad(path + ".index'", "lijst van kolomnamen")
        for key in ("sha256", "index_sha256"):
            digest = entry.get(key)
            if (digest is not None or key == "sha256") and not (
                isinstance(digest, str) and _SHA256.match(digest)
            ):
                raise bad(f"{path}.{key}'", "controlesom (64 hexadecimale tekens)")
        if entry.get("geometry_column") is not None and not isinstance(
            entry["geometry_column"], str
        ):
            raise bad(path + ".geometry_column'", "tekst")
    for key, entry in (manifest.get("local") or {}).items():
        if not isinstance(entry, dict) or (
            "layer" in entry and entry["layer"] not in layers
        ):
            raise bad(f"'local.{key}'", "verwijzing naar een laag in het manifest")
    return manifest


def _check_record(record: Any) -> dict[str, Any] | None:
    """A ``laatste_controle.json`` of the right shape, or None."""
    if not isinstance(record, dict):
        return None
    for key in ("checked_at", "status", "message"):
        if record.get(key) is not None and not isinstance(record[key], str):
            return None
    return record


# ---------------------------------------------------------------------------- schema
def _schema_of(frame: pd.DataFrame) -> dict[str, Any]:
    """Column order and dtypes, enough to restore the frame after a GeoPackage round trip."""
    import pandas as pd

    cols: list[dict[str, Any]] = []
    for name, dtype in frame.dtypes.items():
        entry: dict[str, Any] = {"name": str(name), "dtype": str(dtype)}
        if isinstance(dtype, pd.CategoricalDtype):
            entry["categories"] = [
                _json_default(c) if not isinstance(c, str) else c for c in dtype.categories
            ]
            entry["ordered"] = bool(dtype.ordered)
        cols.append(entry)
    return {"columns": cols}


def _restore(frame: pd.DataFrame, schema: dict[str, Any], layer: str, path: Path) -> pd.DataFrame:
    import pandas as pd

    names = [c["name"] for c in schema["columns"]]
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise StoreError(
            f"Laag {layer!r} in {path} mist kolommen {missing}; de store is beschadigd. "
            "Haal de gegevens opnieuw op met `wijkgeo refresh`."
        )
    frame = frame[names]
    for col in schema["columns"]:
        name, dtype = col["name"], col["dtype"]
        if dtype == "geometry" or str(frame[name].dtype) == dtype:
            continue
        try:
            if dtype == "category":
                target: Any = pd.CategoricalDtype(col.get("categories"), col.get("ordered", False))
            else:
                target = pd.api.types.pandas_dtype(dtype)
            frame[name] = frame[name].astype(target)
        except (TypeError, ValueError) as exc:  # pragma: no cover - defensive
            log.warning("kolom %s.%s: type %s niet hersteld (%s)", layer, name, dtype, exc)
    return frame


# ---------------------------------------------------------------------------- Store
class Store:
    """A folder with one GeoPackage and manifest per gemeente and year.

    Parameters
    ----------
    path : str or Path, optional
        Store folder; default ``$WIJKGEO_STORE`` or the platform's user data folder
        (``platformdirs.user_data_dir("wijkgeo")``). Created on first write.

    Examples
    --------
    >>> from wijkgeo.store import Store
    >>> store = Store("/tmp/wijkgeo-store")                  # doctest: +SKIP
    >>> store.write_atlas(atlas)                             # doctest: +SKIP
    PosixPath('/tmp/wijkgeo-store/GM0772/2024/wijkgeo.gpkg')
    >>> store.read_atlas("GM0772", 2024)                     # doctest: +SKIP
    <Atlas GM0772 2024 'Eindhoven': 20 wijken, 116 buurten, ...>
    """

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path).expanduser() if path is not None else default_store_path()
        self._lock: Any = None

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # ------------------------------------------------------------------ paths
    def folder(self, gemeente: str, year: int) -> Path:
        """The folder of one gemeente and year (it may not exist yet)."""
        return self.path / normalize_code(gemeente, "gemeente") / str(int(year))

    def gpkg_path(self, gemeente: str, year: int) -> Path:
        """Path of the GeoPackage of one gemeente and year."""
        return self.folder(gemeente, year) / GPKG_NAME

    def manifest_path(self, gemeente: str, year: int) -> Path:
        """Path of the manifest of one gemeente and year."""
        return self.folder(gemeente, year) / MANIFEST_NAME

    # ------------------------------------------------------------------ lock
    def lock(self, timeout: float = 0) -> contextlib.AbstractContextManager[Store]:
        """Hold the store's write lock (re-entrant within this Store object).

        Parameters
        ----------
        timeout : float
            Seconds to wait for another process to release the lock; ``0`` tries once,
            a negative value waits forever.

        Raises
        ------
        StoreError
            When the lock is still held by another process after ``timeout`` seconds.

        Examples
        --------
        >>> with Store().lock(timeout=60):                       # doctest: +SKIP
        ...     ...
        """
        return self._locked(timeout)

    @contextlib.contextmanager
    def _locked(self, timeout: float) -> Iterator[Store]:
        from filelock import FileLock, Timeout

        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"De store-map {self.path} kan niet worden aangemaakt ({exc}); kies een andere "
                "map met --store of WIJKGEO_STORE."
            ) from exc
        if self._lock is None:
            self._lock = FileLock(str(self.path / LOCK_NAME))
        if timeout != timeout or timeout in (float("inf"), float("-inf")):
            from ._errors import ConfigError

            raise ConfigError(
                f"--lock-timeout {timeout} is geen eindig aantal seconden; geef bv. 300."
            )
        try:
            self._lock.acquire(timeout=timeout)
        except Timeout:
            raise StoreError(
                f"De store {self.path} is vergrendeld door een ander wijkgeo-proces (lock "
                f"{self.path / LOCK_NAME}); na {timeout:g} s gestopt. Wacht tot dat proces "
                "klaar is of geef een langere --lock-timeout."
            ) from None
        except OSError as exc:
            raise StoreError(
                f"De store {self.path} is niet beschrijfbaar: het slot {self.path / LOCK_NAME} "
                f"kan niet worden aangemaakt ({exc.strerror or type(exc).__name__}). Is de map "
                "alleen-lezen? Kies een andere store met --store of WIJKGEO_STORE."
            ) from None
        try:
            yield self
        finally:
            self._lock.release()

    # ------------------------------------------------------------------ write
    def write_atlas(
        self,
        atlas: Atlas,
        *,
        manifest_extra: dict[str, Any] | None = None,
        lock_timeout: float = 60,
    ) -> Path:
        """Write an Atlas atomically; the previous version stays intact on any failure.

        Parameters
        ----------
        atlas : Atlas
            The Atlas to store; all layers must be in EPSG:28992.
        manifest_extra : dict, optional
            Extra manifest entries, merged at the top level (``sources``, ``retrieved_at``,
            HTTP validators, ...). Must be JSON-serialisable.
        lock_timeout : float
            Seconds to wait for the store lock (see :meth:`lock`).

        Returns
        -------
        Path
            The written GeoPackage.

        Raises
        ------
        DataValidationError
            When a layer is not in EPSG:28992 or has an invalid name or column.
        StoreError
            When the store is locked or the file can't be written.

        Examples
        --------
        >>> Store().write_atlas(atlas, manifest_extra={"retrieved_at": "2025-01-01T00:00:00+00:00"})
        ...                                                     # doctest: +SKIP
        PosixPath('.../GM0772/2024/wijkgeo.gpkg')
        """
        if SIGNALS_LAYER in (atlas.local or {}):  # kept beside the gemeente, not per year
            from dataclasses import replace

            local = {k: v for k, v in atlas.local.items() if k != SIGNALS_LAYER}
            atlas = replace(atlas, local=local)
        code = normalize_code(atlas.code, "gemeente")
        year = atlas.year
        layers = self._layers_of(atlas)
        folder = self.folder(code, year)
        with self.lock(timeout=lock_timeout):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"De map {folder} kan niet worden aangemaakt "
                    f"({exc.strerror or type(exc).__name__}); is de store alleen-lezen?"
                ) from None
            self._cleanup_tmp(folder)
            manifest = self._build_manifest(atlas, code, year, layers, manifest_extra)
            target = folder / GPKG_NAME
            tmp = folder / f"{_TMP_PREFIX}{uuid.uuid4().hex}-{GPKG_NAME}"
            try:
                self._write_gpkg(tmp, layers, manifest)
                _fsync_file(tmp)  # the new file is on disk before it becomes the current one
                try:
                    _commit(tmp, target)
                except OSError as exc:
                    raise StoreError(
                        f"{target} kon niet worden vervangen ({exc}); is het bestand geopend in "
                        "een ander programma (QGIS op Windows) of is de map alleen-lezen? De "
                        "vorige versie is bewaard."
                    ) from exc
                _fsync_dir(folder)
            except BaseException:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                raise
            try:
                self._write_manifest_json(target, manifest)
            except OSError as exc:  # the GeoPackage holds the manifest: rebuilt on reading
                log.warning("manifest.json naast %s niet geschreven (%s)", target, exc)
        log.debug("opgeslagen: %s", target)
        return target

    def _layers_of(self, atlas: Atlas) -> dict[str, tuple[str, pd.DataFrame]]:
        """Layer name -> (kind, frame) with kind 'features' or 'attributes'."""
        import geopandas as gpd
        import pandas as pd

        out: dict[str, tuple[str, pd.DataFrame]] = {}

        def add(name: str, frame: Any, what: str) -> None:
            if not _LAYER_NAME.match(name):
                raise DataValidationError(
                    f"Ongeldige laagnaam {name!r} ({what}): gebruik kleine letters, cijfers en _."
                )
            if isinstance(frame, gpd.GeoDataFrame):
                if frame.crs is None or not frame.crs.equals(CRS):
                    raise DataValidationError(
                        f"Laag {name!r} ({what}) heeft CRS {frame.crs}, maar de store eist "
                        f"{CRS}; projecteer eerst met .to_crs({CRS!r})."
                    )
                out[name] = ("features", frame)
            elif isinstance(frame, pd.DataFrame):
                out[name] = ("attributes", frame)
            else:
                raise DataValidationError(
                    f"Laag {name!r} ({what}) is geen (Geo)DataFrame maar {type(frame).__name__}."
                )

        for name, frame in atlas.layers().items():
            add(name, frame, "atlas")
        if atlas.nederland is not None:
            add("nederland", atlas.nederland, "Nederland-rij")
        for key, value in atlas.local.items():
            if isinstance(value, pd.DataFrame):
                add(f"lokaal_{key}", value, f"lokale laag {key}")
        return out

    def _build_manifest(
        self,
        atlas: Atlas,
        code: str,
        year: int,
        layers: dict[str, tuple[str, pd.DataFrame]],
        extra: dict[str, Any] | None,
    ) -> dict[str, Any]:
        import pandas as pd

        from ._version import __version__

        local_json = {k: v for k, v in atlas.local.items() if not isinstance(v, pd.DataFrame)}
        manifest: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "gemeente": code,
            "year": year,
            "name": _safe_name(atlas),
            "version_id": uuid.uuid4().hex,
            "written_at": _now(),
            "wijkgeo_version": __version__,
            "crs": CRS,
            "layers": {},
            "local": {},
            "meta": json.loads(_dumps(atlas.meta)),
        }
        for name, (kind, frame) in layers.items():
            entry: dict[str, Any] = {
                "kind": kind,
                "rows": len(frame),
                "sha256": layer_sha256(frame),
                "index": _index_names(frame),
            }
            if entry["index"]:  # layer_sha256 leaves the index out: it gets a hash of its own
                entry["index_sha256"] = layer_sha256(frame.index.to_frame(index=False))
            if kind == "features":
                entry["geometry_column"] = frame.geometry.name
            entry.update(_schema_of(_with_index(frame)))
            manifest["layers"][name] = entry
        for key, value in atlas.local.items():
            if isinstance(value, pd.DataFrame):
                manifest["local"][key] = {"layer": f"lokaal_{key}"}
            else:
                manifest["local"][key] = {"json": json.loads(_dumps(value))}
        if local_json:
            log.debug("lokale niet-tabel-lagen in het manifest: %s", sorted(local_json))
        for key, value in (extra or {}).items():
            manifest[key] = json.loads(_dumps(value))
        return manifest

    def _write_gpkg(
        self, tmp: Path, layers: dict[str, tuple[str, pd.DataFrame]], manifest: dict[str, Any]
    ) -> None:
        import pandas as pd
        import pyogrio

        table = pd.DataFrame({"key": ["manifest"], "value": [json.dumps(manifest, default=str)]})
        todo = [(_META_TABLE, ("attributes", table)), *layers.items()]
        for name, (kind, frame) in todo:
            data = _utc(_with_index(frame))
            kwargs: dict[str, Any] = {"layer": name, "driver": "GPKG"}
            if name == _META_TABLE:  # the first layer creates the file
                # GeoPackage 1.2: read without warnings by older GDAL/QGIS (3.6 warns on 1.4)
                kwargs["dataset_options"] = {"VERSION": "1.2"}
            if kind == "features":
                geom_types = set(data.geometry.geom_type.dropna().unique())
                if not geom_types:
                    kwargs["geometry_type"] = "Unknown"
                kwargs["promote_to_multi"] = False
            try:
                pyogrio.write_dataframe(data, tmp, **kwargs)
            except Exception as exc:
                raise StoreError(
                    f"Laag {name!r} kon niet in {tmp.parent / GPKG_NAME} worden geschreven "
                    f"({type(exc).__name__}: {exc}); de vorige versie is bewaard."
                ) from exc

    def _write_manifest_json(self, gpkg: Path, manifest: dict[str, Any]) -> dict[str, Any]:
        full = dict(manifest)
        full["file"] = {
            "name": GPKG_NAME,
            "bytes": gpkg.stat().st_size,
            "sha256": _file_sha256(gpkg),
        }
        _write_text_atomic(gpkg.with_name(MANIFEST_NAME), _dumps(full) + "\n")
        return full

    @staticmethod
    def _cleanup_tmp(folder: Path) -> None:
        for leftover in folder.glob(f"{_TMP_PREFIX}*"):
            log.info("achtergebleven tijdelijk bestand verwijderd: %s", leftover)
            with contextlib.suppress(OSError):
                if leftover.is_dir():
                    shutil.rmtree(leftover)
                else:
                    leftover.unlink()

    # ------------------------------------------------------------------ read
    def _embedded_manifest(self, gpkg: Path) -> dict[str, Any]:
        import pyogrio

        try:
            table = pyogrio.read_dataframe(gpkg, layer=_META_TABLE, read_geometry=False)
            text = table.loc[table["key"] == "manifest", "value"].iloc[0]
            manifest = json.loads(text)
        except Exception as exc:
            raise StoreError(
                f"{gpkg} is geen leesbare wijkgeo-GeoPackage ({type(exc).__name__}: {exc}). "
                "Haal de gegevens opnieuw op met `wijkgeo refresh`."
            ) from exc
        checked = check_manifest(manifest, f"het manifest in {gpkg}")
        # the manifest must speak of the gemeente and year whose folder holds it: anything else
        # (a hand-edited or swapped file) is damage, not a gemeente to read signals or names for
        code, year = gpkg.parent.parent.name, gpkg.parent.name
        if checked["gemeente"] != code or str(checked["year"]) != year:
            raise StoreError(
                f"Het manifest in {gpkg} is beschadigd: het noemt {checked['gemeente']!r} "
                f"{checked['year']}, maar het bestand hoort bij {code} {year}. Haal de gegevens "
                f"opnieuw op met `wijkgeo refresh {code} --jaar {year}` of `wijkgeo import`."
            )
        return checked

    def _require(self, gemeente: str, year: int) -> Path:
        code = normalize_code(gemeente, "gemeente")
        gpkg = self.gpkg_path(code, year)
        if not gpkg.is_file():
            raise NotInStoreError(
                f"{code} {int(year)} staat niet in de store {self.path}. Haal de gegevens op met "
                f"`wijkgeo refresh {code} --jaar {int(year)}`, zonder netwerk met `wijkgeo "
                f"import WijkBuurtkaart_{int(year)}_v1.gpkg --gemeente {code} --jaar {int(year)}` "
                "(of `wijkgeo demo` voor Demodam)."
            )
        return gpkg

    def read_atlas(self, gemeente: str, year: int) -> Atlas:
        """Read one gemeente and year from the store.

        Parameters
        ----------
        gemeente : str
            Gemeente code (``"GM0772"``, ``"0772"`` or ``772``).
        year : int
            Statistics year.

        Returns
        -------
        Atlas
            Frames with the same columns, order and dtypes as written.

        Raises
        ------
        NotInStoreError
            When the gemeente and year were never stored.
        StoreError
            When the GeoPackage is damaged.

        Examples
        --------
        >>> Store().read_atlas("GM9999", 2024)                  # doctest: +SKIP
        <Atlas GM9999 2024 'Demodam': ...>
        """
        import pyogrio

        gpkg = self._require(gemeente, year)
        manifest = self._embedded_manifest(gpkg)
        # byte for byte the file wijkgeo wrote or last checked: its layers need no hashing
        checked = _recorded_unchanged(gpkg, manifest)
        frames: dict[str, Any] = {}
        for name, entry in manifest["layers"].items():
            try:
                if entry["kind"] == "features":
                    frame = pyogrio.read_dataframe(gpkg, layer=name)
                else:
                    frame = pyogrio.read_dataframe(gpkg, layer=name, read_geometry=False)
            except Exception as exc:
                raise StoreError(
                    f"Laag {name!r} in {gpkg} is niet leesbaar ({type(exc).__name__}: {exc}); "
                    f"haal de gegevens opnieuw op met `wijkgeo refresh {manifest['gemeente']} "
                    f"--jaar {manifest['year']}`."
                ) from exc
            if len(frame) != entry["rows"]:
                raise StoreError(
                    f"Laag {name!r} in {gpkg} heeft {len(frame)} rijen, het manifest noemt er "
                    f"{entry['rows']}: het bestand is buiten wijkgeo gewijzigd. Haal de gegevens "
                    f"opnieuw op met `wijkgeo refresh {manifest['gemeente']} --jaar "
                    f"{manifest['year']}` (of `wijkgeo import`)."
                )
            geom_col = entry.get("geometry_column")
            if geom_col and geom_col != "geometry" and "geometry" in frame.columns:
                frame = frame.rename_geometry(geom_col)
            frame = _restore(frame, entry, name, gpkg)
            if entry.get("index"):
                frame = frame.set_index(entry["index"])
            if not checked:
                _verify_layer(frame, entry, name, gpkg, manifest)
            frames[name] = frame
        vierkanten = {
            name.removeprefix("vierkanten_"): frame
            for name, frame in frames.items()
            if name.startswith("vierkanten_")
        }
        local: dict[str, Any] = {}
        for key, entry in (manifest.get("local") or {}).items():  # None: no own layers
            local[key] = frames[entry["layer"]] if "layer" in entry else entry.get("json")
        signals = self.read_signals(manifest["gemeente"])
        if signals is not None:
            local[SIGNALS_LAYER] = signals_table(signals, int(manifest["year"]))
        meta = dict(manifest.get("meta") or {})
        meta.setdefault("gemeente", manifest["gemeente"])
        meta.setdefault("year", manifest["year"])
        stored_config = gpkg.parent / LAGEN_DIR
        if local and (stored_config / "lagen.json").is_file():
            # the gemeente's own koppelkansen.toml (stored by `wijkgeo lagen`) is found here
            meta["lokale_lagen"] = str(stored_config)
        return Atlas(
            gemeente=frames["gemeente"],
            wijken=frames["wijken"],
            buurten=frames["buurten"],
            vierkanten=vierkanten,
            local=local,
            nederland=frames.get("nederland"),
            meta=meta,
        )

    def manifest(self, gemeente: str, year: int) -> dict[str, Any] | None:
        """The manifest of one gemeente and year, or ``None`` when it is not stored.

        When ``manifest.json`` is missing or belongs to another version than the GeoPackage
        (a write was interrupted between the two renames), it is rebuilt from the copy
        embedded in the GeoPackage.

        Examples
        --------
        >>> Store().manifest("GM9999", 2024)["layers"]["buurten"]["rows"]   # doctest: +SKIP
        40
        """
        gpkg = self.gpkg_path(gemeente, year)
        if not gpkg.is_file():
            return None
        path = gpkg.with_name(MANIFEST_NAME)
        try:
            on_disk = check_manifest(json.loads(path.read_text(encoding="utf-8")), path)
        except (OSError, ValueError, RecursionError, StoreError):
            on_disk = None  # rebuilt from the copy in the GeoPackage below
        embedded = self._embedded_manifest(gpkg)
        if on_disk and on_disk.get("version_id") == embedded.get("version_id"):
            return on_disk
        # the file record in manifest.json is what `status` trusts without reading the
        # layers: it is written only for a GeoPackage whose layers match their checksums
        self.read_atlas(gemeente, year)
        log.warning("manifest %s hoort niet bij %s; opnieuw opgebouwd", path, gpkg)
        try:
            return self._write_manifest_json(gpkg, embedded)
        except OSError:  # read-only store: still answer
            return embedded

    def verify(self, gemeente: str, year: int) -> None:
        """Check that the GeoPackage of one gemeente and year is what wijkgeo wrote.

        Cheap when the file is byte for byte the one recorded in ``manifest.json`` (its
        sha256); otherwise every layer is read and compared with its checksum in the
        embedded manifest (as :meth:`read_atlas` always does), and when they all match (a
        program rewrote the file without changing the data) the new file is recorded.

        Raises
        ------
        StoreError
            When a layer was changed outside wijkgeo, or the file is damaged.

        Examples
        --------
        >>> Store().verify("GM0599", 2024)                       # doctest: +SKIP
        """
        manifest = self.manifest(gemeente, year)
        if manifest is None:
            self._require(gemeente, year)  # raises NotInStoreError
            return
        self._verified(gemeente, year, manifest)

    def _verified(self, gemeente: str, year: int, manifest: dict[str, Any]) -> dict[str, Any]:
        """``manifest`` after :meth:`verify` (with the new file record when one was made)."""
        gpkg = self.gpkg_path(gemeente, year)
        try:
            recorded = (manifest.get("file") or {}).get("sha256")
            if recorded and recorded == _file_sha256(gpkg):
                return manifest
        except OSError as exc:
            raise StoreError(
                f"{gpkg} is niet leesbaar ({exc.strerror or type(exc).__name__}); haal de "
                f"gegevens opnieuw op met `wijkgeo refresh {gemeente} --jaar {year}`."
            ) from None
        self.read_atlas(gemeente, year)
        try:
            unrecorded = {k: v for k, v in manifest.items() if k not in ("file", "path")}
            return self._write_manifest_json(gpkg, unrecorded)
        except OSError:  # read-only store: checked again next time
            return manifest

    def entries(self, *, verify: bool = False) -> list[dict[str, Any]]:
        """All stored gemeenten and years, each as its manifest plus ``path``.

        Sorted by gemeente code and year. With ``verify`` each GeoPackage is also checked
        against its checksums (:meth:`verify`); one that fails gets ``error``, as does one
        whose manifest is damaged.

        Examples
        --------
        >>> [(e["gemeente"], e["year"]) for e in Store().entries()]   # doctest: +SKIP
        [('GM0772', 2024), ('GM9999', 2024)]
        """
        out: list[dict[str, Any]] = []
        if not self.path.is_dir():
            return out
        for gpkg in sorted(self.path.glob(f"GM*/*/{GPKG_NAME}")):
            code, year = gpkg.parent.parent.name, gpkg.parent.name
            if not year.isdigit():
                continue
            try:
                manifest = self.manifest(code, int(year))
                if manifest is not None and verify:  # layers changed outside wijkgeo
                    manifest = self._verified(code, int(year), manifest)
            except StoreError as exc:
                log.warning("%s", exc)
                manifest = {"gemeente": code, "year": int(year), "error": str(exc)}
            if manifest is None:  # pragma: no cover - removed meanwhile
                continue
            entry = dict(manifest)
            entry["path"] = str(gpkg)
            out.append(entry)
        return out

    def record_check(self, gemeente: str, year: int, info: dict[str, Any]) -> None:
        """Record the outcome of a refresh check beside a stored version (atomically).

        Kept apart from the GeoPackage and manifest, so a check that changes nothing leaves
        the data files byte-identical. Ignored when the gemeente and year are not stored.
        """
        folder = self.folder(gemeente, year)
        if not (folder / GPKG_NAME).is_file():
            return
        record = {"checked_at": _now(), **info}
        try:
            _write_text_atomic(folder / CHECK_NAME, _dumps(record) + "\n")
        except OSError as exc:
            raise StoreError(
                f"{folder / CHECK_NAME} kan niet worden geschreven "
                f"({exc.strerror or type(exc).__name__}); is de store alleen-lezen?"
            ) from None

    def last_check(self, gemeente: str, year: int) -> dict[str, Any] | None:
        """The record of the last refresh check, or ``None``."""
        path = self.folder(gemeente, year) / CHECK_NAME
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            return None
        try:
            record = _check_record(json.loads(text))
        except (ValueError, RecursionError):
            record = None
        if record is None:
            log.warning("%s is beschadigd; de volgende refresh schrijft het opnieuw", path)
            return {
                "status": "onleesbaar",
                "message": f"{path} is beschadigd; `wijkgeo refresh {gemeente} --jaar {year} "
                "--proefdraai` schrijft het opnieuw.",
            }
        return record

    # ------------------------------------------------------------------ signalen
    def signals_path(self, gemeente: str) -> Path:
        """Path of the signalen counts of one gemeente (beside its year folders)."""
        return self.path / normalize_code(gemeente, "gemeente") / SIGNALS_NAME

    def write_signals(
        self, gemeente: str, doc: dict[str, Any], *, lock_timeout: float = 300
    ) -> Path:
        """Replace the signalen counts of ``gemeente`` atomically (see :mod:`wijkgeo.signalen`).

        ``doc`` holds only published counts; the case file itself never reaches the store.
        """
        path = self.signals_path(gemeente)
        with self.lock(timeout=lock_timeout):
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_text_atomic(path, _dumps(doc) + "\n")
        return path

    def read_signals(self, gemeente: str) -> dict[str, Any] | None:
        """The stored signalen counts of ``gemeente``, or None when there are none."""
        path = self.signals_path(gemeente)
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(
                f"{path} is niet leesbaar ({exc}); draai `wijkgeo signalen` opnieuw."
            ) from exc

    def carried(self, gemeente: str, year: int) -> dict[str, Any]:
        """The manifest entries a rewrite keeps (``sources``, ``retrieved_at``, ...).

        :meth:`write_atlas` builds the manifest anew; pass these as ``manifest_extra`` when
        only one part changes (own layers, vierkanten), so the record of where the rest came
        from stays.

        Examples
        --------
        >>> sorted(Store().carried("GM0599", 2024))              # doctest: +SKIP
        ['retrieved_at', 'sources']
        """
        try:
            manifest = self.manifest(gemeente, year) or {}
        except StoreError:
            return {}
        return {k: v for k, v in manifest.items() if k not in _BUILT_KEYS}

    def keep_local(self, atlas: Atlas) -> list[str]:
        """Give ``atlas`` the local layers stored for its gemeente and year (new figures in).

        ``wijkgeo import`` and ``wijkgeo refresh`` bring new CBS figures; the gemeente's
        own layers (``wijkgeo lagen``) stay, and so do stored vierkanten when ``atlas`` has
        none (``refresh --zonder-vierkanten`` after ``wijkgeo import`` of the vierkanten).
        Layers already on ``atlas`` win. Returns the names of the layers taken over.

        Examples
        --------
        >>> Store().keep_local(atlas)                            # doctest: +SKIP
        ['projecten', 'voorzieningen']
        """
        code = normalize_code(atlas.code, "gemeente")
        try:
            manifest = self.manifest(code, atlas.year)
        except StoreError:
            return []
        if not manifest:
            return []
        grids = [k for k in manifest.get("layers") or {} if k.startswith("vierkanten_")]
        if not manifest.get("local") and not (grids and not atlas.vierkanten):
            return []
        old = self.read_atlas(code, atlas.year)
        kept = [k for k in old.local if k not in atlas.local]
        for key in kept:
            atlas.local[key] = old.local[key]
        if kept and "lokale_lagen_info" in old.meta:
            atlas.meta.setdefault("lokale_lagen_info", old.meta["lokale_lagen_info"])
        if not atlas.vierkanten and old.vierkanten:
            atlas.vierkanten = dict(old.vierkanten)
            kept += [f"vierkanten_{k}" for k in old.vierkanten]
        return sorted(kept)

    def has(self, gemeente: str, year: int) -> bool:
        """Whether the store holds this gemeente and year."""
        return self.gpkg_path(gemeente, year).is_file()

    # ------------------------------------------------------------------ national reference
    def reference_path(self, year: int) -> Path:
        """Path of the national reference of one year (``NL00/<jaar>/referentie.gpkg``)."""
        return self.path / REFERENCE_FOLDER / str(int(year)) / REFERENCE_NAME

    def has_reference(self, year: int) -> bool:
        """Whether the store holds the national reference of ``year``."""
        return self.reference_path(year).is_file()

    def reference_years(self) -> list[int]:
        """The years with a stored national reference, ascending."""
        folder = self.path / REFERENCE_FOLDER
        if not folder.is_dir():
            return []
        found = folder.glob(f"*/{REFERENCE_NAME}")
        return sorted(int(p.parent.name) for p in found if p.parent.name.isdigit())

    def write_reference(
        self,
        frame: pd.DataFrame,
        year: int,
        *,
        manifest_extra: dict[str, Any] | None = None,
        lock_timeout: float = 60,
    ) -> Path:
        """Store the national reference of one year: every region of the country, once.

        One attribute table ``kerncijfers`` (a row per gemeente, wijk and buurt, no geometry)
        in ``NL00/<jaar>/referentie.gpkg``, written like :meth:`write_atlas`: to a temporary
        file, fsynced, renamed over the old one; the previous version stays intact on any
        failure. The manifest (rows per level, the source) sits beside it as
        ``referentie.json`` and inside the GeoPackage.

        Parameters
        ----------
        frame : DataFrame
            Columns ``code`` and ``level`` plus the canonical Kerncijfers columns.
        year : int
            Statistics year.
        manifest_extra : dict, optional
            Extra manifest entries (``sources``, ``retrieved_at``, ...).
        lock_timeout : float
            Seconds to wait for the store lock.

        Returns
        -------
        Path
            The written GeoPackage.

        Examples
        --------
        >>> Store().write_reference(nl, 2020)                     # doctest: +SKIP
        PosixPath('.../NL00/2020/referentie.gpkg')
        """
        import pandas as pd

        from ._version import __version__

        for col in ("code", "level"):
            if col not in frame.columns:
                raise DataValidationError(
                    f"De landelijke referentie {year} mist de kolom {col!r}; geef de uitvoer van "
                    "fetch_kerncijfers_nederland()."
                )
        data = pd.DataFrame(frame).reset_index(drop=True)
        layers: dict[str, tuple[str, pd.DataFrame]] = {REFERENCE_LAYER: ("attributes", data)}
        manifest: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "kind": "nederland_referentie",
            "year": int(year),
            "version_id": uuid.uuid4().hex,
            "written_at": _now(),
            "wijkgeo_version": __version__,
            "rows": {str(k): int(v) for k, v in data["level"].value_counts().items()},
            "layers": {
                REFERENCE_LAYER: {
                    "kind": "attributes",
                    "rows": len(data),
                    "sha256": layer_sha256(data),
                    "index": None,
                    **_schema_of(data),
                }
            },
            "meta": json.loads(_dumps(dict(frame.attrs))),
        }
        for key, value in (manifest_extra or {}).items():
            manifest[key] = json.loads(_dumps(value))
        target = self.reference_path(year)
        folder = target.parent
        with self.lock(timeout=lock_timeout):
            folder.mkdir(parents=True, exist_ok=True)
            self._cleanup_tmp(folder)
            tmp = folder / f"{_TMP_PREFIX}{uuid.uuid4().hex}-{REFERENCE_NAME}"
            try:
                self._write_gpkg(tmp, layers, manifest)
                _fsync_file(tmp)
                try:
                    _commit(tmp, target)
                except OSError as exc:
                    raise StoreError(
                        f"{target} kon niet worden vervangen ({exc}); de vorige versie is bewaard."
                    ) from exc
                _fsync_dir(folder)
            except BaseException:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                raise
            full = dict(manifest)
            full["file"] = {"name": REFERENCE_NAME, "bytes": target.stat().st_size}
            _write_text_atomic(folder / REFERENCE_MANIFEST, _dumps(full) + "\n")
        log.debug("landelijke referentie opgeslagen: %s", target)
        return target

    def _reference_manifest_of(self, gpkg: Path) -> dict[str, Any]:
        """The manifest embedded in a reference GeoPackage, its shape checked (no atlas
        layers: one attribute table ``kerncijfers``)."""
        import pyogrio

        try:
            table = pyogrio.read_dataframe(gpkg, layer=_META_TABLE, read_geometry=False)
            manifest = json.loads(table.loc[table["key"] == "manifest", "value"].iloc[0])
        except Exception as exc:
            raise StoreError(
                f"{gpkg} is geen leesbare landelijke referentie ({type(exc).__name__}: {exc}). "
                "Haal hem opnieuw op met `wijkgeo refresh --nederland`."
            ) from exc
        entry = (manifest.get("layers") or {}).get(REFERENCE_LAYER) if isinstance(
            manifest, dict
        ) else None
        if (
            not isinstance(manifest, dict)
            or manifest.get("kind") != "nederland_referentie"
            or not isinstance(manifest.get("year"), int)
            or not isinstance(entry, dict)
            or not isinstance(entry.get("columns"), list)
        ):
            raise StoreError(
                f"Het manifest in {gpkg} is beschadigd (geen landelijke referentie met een laag "
                f"{REFERENCE_LAYER!r}). Haal hem opnieuw op met `wijkgeo refresh --nederland`."
            )
        return manifest

    def reference_manifest(self, year: int) -> dict[str, Any] | None:
        """The manifest of the national reference of ``year``, or ``None``."""
        gpkg = self.reference_path(year)
        if not gpkg.is_file():
            return None
        return self._reference_manifest_of(gpkg)

    def read_reference(self, year: int) -> pd.DataFrame:
        """The national reference of ``year`` (see :meth:`write_reference`).

        Raises
        ------
        NotInStoreError
            When it was never stored; the message says how to fetch it.

        Examples
        --------
        >>> nl = Store().read_reference(2020)                      # doctest: +SKIP
        >>> int((nl["level"] == "buurt").sum())                    # doctest: +SKIP
        13808
        """
        import pyogrio

        gpkg = self.reference_path(year)
        if not gpkg.is_file():
            have = self.reference_years()
            known = f" De store heeft wel: {', '.join(map(str, have))}." if have else ""
            raise NotInStoreError(
                f"De landelijke referentie {int(year)} staat niet in de store {self.path}. Haal "
                f"hem op met `wijkgeo refresh --nederland --jaar {int(year)}` of importeer een "
                f"landelijke Wijk- en Buurtkaart.{known}"
            )
        manifest = self._reference_manifest_of(gpkg)
        entry = manifest["layers"][REFERENCE_LAYER]
        try:
            frame = pyogrio.read_dataframe(gpkg, layer=REFERENCE_LAYER, read_geometry=False)
        except Exception as exc:
            raise StoreError(
                f"De landelijke referentie {gpkg} is niet leesbaar ({type(exc).__name__}: "
                f"{exc}); haal hem opnieuw op met `wijkgeo refresh --nederland --jaar {year}`."
            ) from exc
        frame = _restore(frame, entry, REFERENCE_LAYER, gpkg)
        if layer_sha256(frame) != entry.get("sha256"):
            raise StoreError(
                f"De landelijke referentie {gpkg} is buiten wijkgeo gewijzigd: de inhoud klopt "
                "niet meer met de controlesom in zijn manifest. Haal hem opnieuw op met "
                f"`wijkgeo refresh --nederland --jaar {int(year)}`."
            )
        frame.attrs.update(manifest.get("meta") or {})
        frame.attrs["year"] = int(manifest["year"])
        frame.attrs["sources"] = manifest.get("sources")
        return frame

    def years(self, gemeente: str) -> list[int]:
        """The years the store holds for one gemeente, oldest first.

        Examples
        --------
        >>> Store().years("GM9999")          # doctest: +SKIP
        [2023, 2024]
        """
        folder = self.path / normalize_code(gemeente, "gemeente")
        if not folder.is_dir():
            return []
        return sorted(
            int(p.name) for p in folder.iterdir() if p.name.isdigit() and (p / GPKG_NAME).is_file()
        )

    def read_series(self, gemeente: str, years: Iterable[int]) -> AtlasSeries:
        """Read one gemeente in several years as an :class:`~wijkgeo.series.AtlasSeries`.

        Parameters
        ----------
        gemeente : str
            Gemeente code (``GM0599``).
        years : iterable of int
            The years; each must be in the store. The latest is the year the series shows.

        Raises
        ------
        NotInStoreError
            For a year the store does not hold (the message names the years it does hold).

        Examples
        --------
        >>> series = Store().read_series("GM9999", [2023, 2024])   # doctest: +SKIP
        >>> series.previous().year                                   # doctest: +SKIP
        2023
        """
        from .series import AtlasSeries

        return AtlasSeries(self.read_atlas(gemeente, int(y)) for y in sorted(set(years)))

    def read_with_previous(self, gemeente: str, year: int) -> AtlasSeries:
        """``year`` and the latest earlier year the store holds (when it holds one), as a
        series: what a map or profile compares with."""
        earlier = [y for y in self.years(gemeente) if y < int(year)]
        return self.read_series(gemeente, [*earlier[-1:], int(year)])


# ---------------------------------------------------------------------------- helpers
def signals_table(doc: dict[str, Any], year: int) -> pd.DataFrame:
    """The published signalen cells of one period as a local table for the indicators.

    The period is ``year`` when the counts have it, else the latest period. One row per
    area, theme and period; exactly one of ``buurtcode``, ``wijkcode``, ``gemeentecode``
    is filled per row (its level), so an indicator ``lookup`` keyed on that column never
    adds one level into another.

    Examples
    --------
    >>> doc = {"cellen": [{"niveau": "buurt", "code": "BU00010001", "periode": 2024,
    ...                     "thema": "schulden", "aantal": 15}]}
    >>> signals_table(doc, 2024)[["buurtcode", "thema", "aantal"]].values.tolist()
    [['BU00010001', 'schulden', 15]]
    """
    import pandas as pd

    cells = pd.DataFrame(
        doc.get("cellen") or [], columns=["niveau", "code", "periode", "thema", "aantal"]
    )
    periods = sorted({int(p) for p in cells["periode"]})
    period = year if year in periods else (periods[-1] if periods else year)
    cells = cells[cells["periode"].astype(int) == period].reset_index(drop=True)
    out = pd.DataFrame(index=cells.index)
    for level in ("buurt", "wijk", "gemeente"):
        col = f"{level}code"
        out[col] = cells["code"].where(cells["niveau"] == level).astype("string")
    out["thema"] = cells["thema"].astype("string")
    out["periode"] = cells["periode"].astype("int64")
    out["aantal"] = cells["aantal"].astype("int64")
    return out


def load(gemeente: str, year: int, store: str | Path | None = None) -> Atlas:
    """Load a gemeente and year from the local store (also ``wijkgeo.load``).

    Parameters
    ----------
    gemeente : str
        Gemeente code (``"GM0772"``; ``"0772"`` and ``772`` are accepted).
    year : int
        Statistics year.
    store : str or Path, optional
        Store folder; default ``$WIJKGEO_STORE`` or the platform's user data folder.

    Returns
    -------
    Atlas

    Raises
    ------
    NotInStoreError
        When the gemeente and year were never stored; run ``wijkgeo refresh``,
        ``wijkgeo import`` or ``wijkgeo demo`` first.

    Examples
    --------
    >>> import wijkgeo
    >>> atlas = wijkgeo.load("GM9999", 2024)   # after `wijkgeo demo`   # doctest: +SKIP
    >>> len(atlas.buurten)                                               # doctest: +SKIP
    40
    """
    return Store(store).read_atlas(gemeente, year)


def _safe_name(atlas: Atlas) -> str | None:
    try:
        return atlas.name
    except (KeyError, IndexError):
        return None


def _index_names(frame: pd.DataFrame) -> list[str] | None:
    import pandas as pd

    idx = frame.index
    if isinstance(idx, pd.RangeIndex) and idx.start == 0 and idx.step == 1 and idx.name is None:
        return None
    names = [n if n is not None else f"index_{i}" for i, n in enumerate(idx.names)]
    return [str(n) for n in names]


def _with_index(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a non-default index moved into leading columns."""
    names = _index_names(frame)
    if names is None:
        return frame
    out = frame.copy()
    out.index = out.index.set_names(names)
    return out.reset_index()


def _utc(frame: pd.DataFrame) -> pd.DataFrame:
    """Time-zone aware columns in UTC, as the GeoPackage spec wants (restored on read)."""
    import pandas as pd

    aware = [c for c in frame.columns if isinstance(frame[c].dtype, pd.DatetimeTZDtype)]
    if not aware:
        return frame
    out = frame.copy()
    for col in aware:
        out[col] = out[col].dt.tz_convert("UTC")
    return out


def _recorded_unchanged(gpkg: Path, embedded: dict[str, Any]) -> bool:
    """Whether ``manifest.json`` of the same version records this very file (sha256).

    ``manifest.json`` gets a file record only from a write or a check of every layer
    (:meth:`Store.verify`), so a match means the layers are what their checksums say.
    """
    try:
        on_disk = json.loads(gpkg.with_name(MANIFEST_NAME).read_text(encoding="utf-8"))
        record = on_disk.get("file") or {}
        return (
            on_disk.get("version_id") == embedded["version_id"]
            and isinstance(record.get("sha256"), str)
            and record["sha256"] == _file_sha256(gpkg)
        )
    except (OSError, ValueError, RecursionError, AttributeError):
        return False


def _verify_layer(
    frame: pd.DataFrame, entry: dict[str, Any], name: str, gpkg: Path, manifest: dict[str, Any]
) -> None:
    """Refuse a layer whose content no longer matches its checksum in the manifest."""
    altered = layer_sha256(frame) != entry.get("sha256")
    if entry.get("index_sha256") and not altered:
        altered = layer_sha256(frame.index.to_frame(index=False)) != entry["index_sha256"]
    if altered:
        raise StoreError(
            f"Laag {name!r} in {gpkg} is buiten wijkgeo gewijzigd: de inhoud klopt niet meer "
            "met de controlesom in het manifest, en wijkgeo gebruikt geen gewijzigde "
            f"gegevens. Haal ze opnieuw op met `wijkgeo refresh {manifest['gemeente']} --jaar "
            f"{manifest['year']}` (of `wijkgeo import`); eigen gegevens horen in een eigen laag "
            "(`wijkgeo lagen`)."
        )


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
