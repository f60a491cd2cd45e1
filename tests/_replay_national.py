"""Replay of the national Kerncijfers 2020 table (84799NED) in CBS's OData v3 envelopes.

Built on :class:`tests.replay.Replay` (same envelopes, paging with ``odata.nextLink`` at 10,000
rows, ``$filter``, faults and request log); this subclass adds the real 2020 table of
``odata/kwb_84799NED_2020`` (17,341 rows: NL00, 355 gemeenten, 3,177 wijken, 13,808 buurten)
beside the 2024 one. Values come from the parquet copies of CBS's own TypedDataSet, keys
padded to 10 as the service does; ``null`` for missing.

    replay = serve_national(httpserver, realdata)
    nl = fetch_kerncijfers_nederland(2020, cbs_url=replay.cbs_url)
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
from replay import Replay, _odata_filter, serve_cbs

TABLE_2020 = "84799NED"
FOLDER_2020 = "odata/kwb_84799NED_2020"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict("records"):
        clean = {}
        for key, value in rec.items():
            if hasattr(value, "item"):
                value = value.item()
            if isinstance(value, float) and math.isnan(value):
                value = None
            clean[key] = value
        out.append(clean)
    return out


@cache
def _table(realdata: Path, entity: str) -> tuple[dict[str, Any], ...]:
    base = realdata / FOLDER_2020 / f"cbs.v3.{TABLE_2020}_"
    if entity == "TableInfos":
        meta = json.loads(Path(f"{base}Metadata.json").read_text())
        return (meta,)
    name = {"TypedDataSet": "TypedDataSet", "DataProperties": "DataProperties"}.get(
        entity, "WijkenEnBuurten"
    )
    frame = pd.read_parquet(f"{base}{name}.parquet")
    if "odata_type" in frame.columns:
        frame = frame.drop(columns=["odata_type"])
    return tuple(_records(frame))


class NationalReplay(Replay):
    """:class:`Replay` that also serves the national 2020 Kerncijfers table."""

    def _cbs(self, path: str, args: dict[str, str], drop_next: bool) -> dict[str, Any]:
        prefix = f"/ODataFeed/odata/{TABLE_2020}/"
        if not path.startswith(prefix):
            return super()._cbs(path, args, drop_next)
        entity = path[len(prefix) :]
        if entity not in ("TableInfos", "DataProperties", "WijkenEnBuurten", "TypedDataSet"):
            return super()._cbs(path, args, drop_next)
        root = f"{self.base_url}/ODataFeed/odata/{TABLE_2020}"
        rows = [r for r in _table(self.realdata, entity) if _odata_filter(args.get("$filter"), r)]
        skip = int(args.get("$skip", 0) or 0)
        rows = rows[skip:]
        out: dict[str, Any] = {
            "odata.metadata": f"{root}/$metadata#Cbs.OData.WebAPI.{entity}",
            "value": [dict(r) for r in rows[: self.page_size]],
        }
        if len(rows) > self.page_size and not drop_next:
            out["odata.nextLink"] = f"{root}/{entity}?$format=json&$skip={skip + self.page_size}"
        return out


def serve_national(httpserver: Any, realdata: Path, *, page_size: int = 10000) -> Replay:
    """Replay CBS with the 2024 table of :func:`serve_cbs` and the national 2020 table."""
    import re

    replay = NationalReplay(server=httpserver, realdata=Path(realdata), page_size=page_size)
    httpserver.expect_request(re.compile(r".*")).respond_with_handler(replay.handle)
    return serve_cbs(httpserver, realdata, replay=replay)
