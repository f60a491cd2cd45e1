import pytest

from wijkgeo import DataValidationError
from wijkgeo.codes import gemeente_of, level_of, normalize_code, wijk_of


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("GM0772    ", "GM0772"),
        (" gm772", "GM0772"),
        ("772", "GM0772"),
        (772, "GM0772"),
        ("WK0363AA", "WK0363AA"),
        ("BU16800000", "BU16800000"),
        ("NL00      ", "NL00"),
    ],
)
def test_normalize_code(raw, expected):
    assert normalize_code(raw) == expected


@pytest.mark.parametrize("bad", ["", "XX0772", "GM07721", "WK07721", "BU0772", None, "BU0772110A1"])
def test_invalid_codes_raise_with_message(bad):
    with pytest.raises(DataValidationError) as err:
        normalize_code(bad)
    assert "code" in str(err.value).lower()


def test_level_mismatch_is_reported():
    with pytest.raises(DataValidationError, match="wijk-code"):
        normalize_code("WK077211", level="buurt")


def test_parents():
    assert level_of("BU07721101") == "buurt"
    assert gemeente_of("BU07721101") == "GM0772"
    assert wijk_of("BU036301AB") == "WK036301"
