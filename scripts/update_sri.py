"""Recompute wijkgeo/maps/integrity.json: the Subresource Integrity hash of every CDN asset.

Reads the pinned npm files that ``scripts/install_browser_deps.sh`` puts in
``.cache/npm/node_modules`` (the same files jsdelivr serves for the pinned versions) and
writes ``sha384-...`` per URL of ``wijkgeo/maps/assets.json``. Run it after changing a
version in ``assets.json`` / ``package.json``::

    bash scripts/install_browser_deps.sh && python scripts/update_sri.py
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wijkgeo.maps.assets import parse_cdn_url  # noqa: E402


def main() -> int:
    modules = ROOT / ".cache" / "npm" / "node_modules"
    assets = json.loads((ROOT / "wijkgeo" / "maps" / "assets.json").read_text("utf-8"))
    urls = [u for kind in ("js", "css") for _n, u in assets[kind]]
    urls += [u for kind in ("js", "css") for _n, u in assets["engine"][kind]]
    out: dict[str, str] = {
        "_doc": "Subresource Integrity (sha384) of every CDN asset in assets.json, computed by "
        "scripts/update_sri.py from the pinned npm files; maps add it to their <script>/<link>."
    }
    for url in dict.fromkeys(urls):
        asset = parse_cdn_url(url)
        if asset is None:
            print(f"geen npm-adres: {url}", file=sys.stderr)
            return 1
        package = modules / asset.package
        meta = json.loads((package / "package.json").read_text("utf-8"))
        if meta["version"] != asset.version:
            print(f"{asset.package}: {meta['version']} geïnstalleerd, {asset.version} gevraagd")
            return 1
        digest = hashlib.sha384((package / asset.path).read_bytes()).digest()
        out[url] = "sha384-" + base64.b64encode(digest).decode()
    target = ROOT / "wijkgeo" / "maps" / "integrity.json"
    target.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"{len(out) - 1} hashes in {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
