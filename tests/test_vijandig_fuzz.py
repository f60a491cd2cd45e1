"""Fuzzing the three files users and tools edit by hand: lagen.json, rules TOML, the manifest.

Whatever the content, wijkgeo either succeeds or raises a :class:`~wijkgeo.WijkgeoError`
(which the command line prints as a Dutch message); never another exception.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wijkgeo import StoreError, WijkgeoError

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

_LAYER_KEYS = [
    "bestand", "type", "blad", "laag", "x", "y", "crs", "id", "verplicht", "datums", "jaar",
    "periode", "toegestaan", "persoonsgegevens", "buurtcode", "wijkcode", "postcode",
    "postcodetabel", "scheidingsteken", "codering", "omschrijving",
]
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["a.csv", "../a.csv", "/etc/passwd", "a.xlsx", "a.zip", "a.geojson",
                       "punten", "tabel", "vlakken", "GM0599", "EPSG:28992", "tab", ";",
                       "cp1252", "a\x00.csv", "\u202ea.csv"])
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(_LAYER_KEYS) | st.text(max_size=6), inner, max_size=5),
    max_leaves=25,
)
_LAGEN = st.one_of(
    _JSON,
    st.fixed_dictionaries(
        {"lagen": st.dictionaries(st.text(max_size=8), _JSON, max_size=3)},
        optional={"gemeente": _SCALARS, "jaar": _SCALARS},
    ),
)


def _folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="wijkgeo-fuzz-"))
    (folder / "a.csv").write_text("id,naam,x,y\n1,Oost,150000,450000\n", encoding="utf-8")
    return folder


@FUZZ
@given(config=_LAGEN, raw=st.booleans(), junk=st.binary(max_size=40))
def test_lagen_json_gives_a_wijkgeo_error_or_layers(config, raw, junk):
    from wijkgeo.sources.local import read_local_layers

    folder = _folder()
    try:
        data = junk if raw else json.dumps(config).encode("utf-8")
        (folder / "lagen.json").write_bytes(data)
        with contextlib.suppress(WijkgeoError):
            read_local_layers(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_TOML_PIECES = st.sampled_from(
    [
        "[[regel]]\n", "[[regel.conditie]]\n", "[instellingen]\n", 'sleutel = "r1"\n',
        'titel = "T"\n', 'beschrijving = "B"\n', 'niveau = "buurt"\n', 'niveau = "vierkant"\n',
        'bron = "x"\n', 'soort = "drempel"\n', 'soort = "percentiel"\n', 'soort = "laag"\n',
        'indicator = "aandeel_65_plus"\n', "waarde = 25\n", "waarde = nan\n", "waarde = inf\n",
        'waarde = "25"\n', "percentiel = 75\n", "top = -3\n", 'combinatie = "minstens"\n',
        "minstens = 2\n", "regel = 5\n", "conditie = [1]\n", "vervang_standaard = true\n",
        "actief = false\n", 'operator = "=>"\n', "a = [[[[1]]]]\n", "= =\n", "\ufeff",
        'laag = "projecten"\n', 'filter = {status = ["actief"]}\n', "gewicht = -1\n",
    ]
)


@FUZZ
@given(pieces=st.lists(_TOML_PIECES, max_size=25), noise=st.text(max_size=20))
def test_rules_toml_gives_a_wijkgeo_error_or_rules(pieces, noise):
    from wijkgeo.koppelkansen import load_rules
    from wijkgeo.koppelkansen.validate import validate_rules_text

    text = "".join(pieces) + noise
    assert isinstance(validate_rules_text(text, "fuzz.toml"), list)
    folder = Path(tempfile.mkdtemp(prefix="wijkgeo-fuzz-"))
    try:
        path = folder / "koppelkansen.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        with contextlib.suppress(WijkgeoError):
            load_rules(path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    from browser import synthetic_atlas

    from wijkgeo.store import Store

    path = tmp_path_factory.mktemp("fuzzstore")
    Store(path).write_atlas(synthetic_atlas())
    return path


def _mutations(manifest: dict) -> st.SearchStrategy:
    keys = st.sampled_from(["gemeente", "year", "version_id", "layers", "local", "meta",
                            "sources", "format", "name"])
    return st.one_of(
        _JSON,
        st.builds(lambda k, v: {**manifest, k: v}, keys, _JSON),
        st.builds(
            lambda layer, k, v: {
                **manifest,
                "layers": {**manifest["layers"], layer: {**manifest["layers"][layer], k: v}},
            },
            st.sampled_from(sorted(manifest["layers"])),
            st.sampled_from(["kind", "rows", "columns", "index", "geometry_column", "sha256"]),
            _JSON,
        ),
    )


def test_manifest_on_disk_heals_or_says_so(stored, tmp_path):
    from wijkgeo.status import store_status
    from wijkgeo.store import MANIFEST_NAME, Store, check_manifest

    original = json.loads((stored / "GM9998" / "2024" / MANIFEST_NAME).read_text("utf-8"))

    @FUZZ
    @given(data=st.data())
    def run(data):
        value = data.draw(_mutations(original))
        with contextlib.suppress(WijkgeoError):
            check_manifest(value, "fuzz")
        copy = tmp_path / "store"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(stored, copy)
        (copy / "GM9998" / "2024" / MANIFEST_NAME).write_text(json.dumps(value), "utf-8")
        rows = store_status(copy)  # the damaged file is rebuilt from the GeoPackage
        assert rows and not rows[0].get("error")
        Store(copy).read_atlas("GM9998", 2024)

    run()


def test_embedded_manifest_is_refused_in_dutch(stored, tmp_path):
    import sqlite3

    from wijkgeo.status import store_status
    from wijkgeo.store import Store

    original = json.loads((stored / "GM9998" / "2024" / "manifest.json").read_text("utf-8"))

    @FUZZ
    @given(data=st.data())
    def run(data):
        value = data.draw(_mutations(original))
        copy = tmp_path / "store"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(stored, copy)
        con = sqlite3.connect(copy / "GM9998" / "2024" / "wijkgeo.gpkg")
        con.execute("UPDATE wijkgeo_manifest SET value = ?", (json.dumps(value),))
        con.commit()
        con.close()
        try:
            Store(copy).read_atlas("GM9998", 2024)
        except WijkgeoError:
            rows = store_status(copy)
            assert rows[0].get("error")

    run()


@pytest.mark.parametrize("gemeente", ["", "\x1b", "GM0599"])
def test_embedded_manifest_of_another_gemeente_is_damage(stored, tmp_path, gemeente):
    """Found by the fuzz test above in CI: an embedded manifest naming another (or no)
    gemeente made read_atlas look up that gemeente's signalen, while status saw nothing."""
    import sqlite3

    from wijkgeo.status import store_status
    from wijkgeo.store import Store

    original = json.loads((stored / "GM9998" / "2024" / "manifest.json").read_text("utf-8"))
    copy = tmp_path / "store"
    shutil.copytree(stored, copy)
    con = sqlite3.connect(copy / "GM9998" / "2024" / "wijkgeo.gpkg")
    damaged = json.dumps({**original, "gemeente": gemeente})
    con.execute("UPDATE wijkgeo_manifest SET value = ?", (damaged,))
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="beschadigd"):
        Store(copy).read_atlas("GM9998", 2024)
    assert store_status(copy)[0].get("error")
