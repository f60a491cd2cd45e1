"""The map as published: a PNG cropped to the gemeente and its legend."""

from __future__ import annotations

import numpy as np
import pytest

import wijkgeo


def test_png_is_cropped_to_the_gemeente_and_its_legend(tmp_path):
    pytest.importorskip("matplotlib")
    from PIL import Image

    from wijkgeo.maps import png

    pic = png(wijkgeo.make_demo(), "aandeel_65_plus", path=tmp_path / "p.png")
    grey = np.asarray(Image.open(pic.path).convert("L"))
    ink_rows = (grey < 245).any(axis=1)
    # no band of empty rows: under 20 % of the height is white rows (it was about 40 %)
    assert 1 - ink_rows.mean() < 0.2, 1 - ink_rows.mean()
    height = grey.shape[0]
    assert all(0 <= y <= height for _, y in pic.pixels)
