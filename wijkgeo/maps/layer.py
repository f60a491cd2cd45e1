"""A folium GeoJson layer whose rendered script is inserted as text, not parsed again.

branca renders every element twice: the element's macro produces the JavaScript (with the whole
FeatureCollection as JSON in it), and ``MacroElement.render`` wraps that output in a new
``Element``, which compiles it as a *Jinja template* before rendering it again. For a map of
1,000 buurten that second pass lexes 3.6 MB of coordinates: about a quarter of the save time
(measured with cProfile, folium 0.20, ``benchmarks/maps.py``). It is also why data containing
``{{ ... }}`` would be evaluated (see :mod:`wijkgeo.maps.escape`).

:class:`GeoJsonLayer` does the same steps as ``folium.GeoJson.render`` → ``Layer.render`` →
``MacroElement.render`` but inserts the macro output verbatim. It falls back to folium's own
render for anything it does not handle (class-level JS includes), so a folium update can at
worst cost the speed-up, not the map; the browser tests check the result.
"""

from __future__ import annotations

from typing import Any

import folium
from branca.element import Element
from folium.elements import ElementAddToElement
from folium.features import GeoJsonStyleMapper
from folium.utilities import get_obj_in_upper_tree

__all__ = ["GeoJsonLayer"]


class _Verbatim(Element):
    """Already rendered text; ``render`` returns it unchanged (no template, no second pass)."""

    def __init__(self, text: str):
        super().__init__()
        self._name = "Verbatim"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class GeoJsonLayer(folium.GeoJson):
    """``folium.GeoJson`` that renders its (large) script once.

    Examples
    --------
    >>> import folium
    >>> from wijkgeo.maps.layer import GeoJsonLayer
    >>> fc = {"type": "FeatureCollection", "features": [{"type": "Feature",
    ...       "properties": {"k": 0}, "geometry": {"type": "Point", "coordinates": [5, 52]}}]}
    >>> m = folium.Map()
    >>> _ = GeoJsonLayer(fc, style_function=lambda f: {"color": "red"}).add_to(m)
    >>> "[5, 52]" in m.get_root().render()
    True
    """

    def render(self, **kwargs: Any) -> None:
        if self.includes:  # pragma: no cover - GeoJson has none in folium 0.20
            return super().render(**kwargs)
        # folium.GeoJson.render: the style and highlight maps
        self.parent_map = get_obj_in_upper_tree(self, folium.Map)
        if (self.style or self.highlight) and self.data["features"]:
            mapper = GeoJsonStyleMapper(self.data, self.feature_identifier, self)
            if self.style:
                self.style_map = mapper.get_style_map(self.style_function)
            if self.highlight:
                self.highlight_map = mapper.get_highlight_map(self.highlight_function)
        # folium.map.Layer.render: add the layer to its parent
        if self.show:
            self.add_child(
                ElementAddToElement(
                    element_name=self.get_name(), element_parent_name=self._parent.get_name()
                ),
                name=self.get_name() + "_add",
            )
        # branca MacroElement.render, with the output inserted verbatim
        figure = self.get_root()
        macros = self._template.module.__dict__
        for section in ("header", "html", "script"):
            macro = macros.get(section)
            if macro is not None:
                getattr(figure, section).add_child(
                    _Verbatim(str(macro(self, kwargs))), name=self.get_name()
                )
        for child in self._children.values():
            child.render(**kwargs)
        return None
