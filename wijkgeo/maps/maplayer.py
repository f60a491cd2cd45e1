"""One layer of an engine map: what the Python side tells ``engine.js`` to draw."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["MapLayer"]


@dataclass
class MapLayer:
    """A layer of an engine map, drawn in the browser by ``wijkgeo.layerTypes[type]``.

    The built-in types are ``"choropleth"`` (the buurten) and ``"outline"`` (borders given as
    arc indices of the topology). A later layer (voorzieningen, a 500 m grid...) registers its
    own type in JavaScript and passes its data in ``spec``; its ``id`` goes into the URL hash
    (``lagen=``) and its ``label`` into the panel.

    Examples
    --------
    >>> from wijkgeo.maps import MapLayer
    >>> MapLayer("wijken", "outline", "Wijkgrenzen", spec={"arcs": [0, 3]}).to_json()["label"]
    'Wijkgrenzen'
    """

    id: str
    type: str
    label: str
    visible: bool = True
    spec: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.spec,
            "id": self.id,
            "type": self.type,
            "label": self.label,
            "visible": self.visible,
        }
