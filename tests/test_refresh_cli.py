"""`wijkgeo refresh/status` as a cron job runs them: subprocesses, exit codes, SIGKILL, lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import _pause
import pytest
from test_refresh import YEAR, files_sha, make_server, run

import wijkgeo
from wijkgeo import cli
from wijkgeo.store import Store

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


@pytest.fixture
def server(httpserver, realdata, monkeypatch):
    return make_server(httpserver, realdata, monkeypatch)


def _env(srv, store, **extra) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        WIJKGEO_CBS_URL=srv.base_url,
        WIJKGEO_PDOK_URL=srv.base_url,
        WIJKGEO_CBS_DOWNLOAD_URL=srv.base_url,
        WIJKGEO_STORE=str(store),
        WIJKGEO_HTTP_TIMEOUT="2",
        WIJKGEO_HTTP_RETRIES="1",
        WIJKGEO_HTTP_BACKOFF="0",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _start(srv, store, *args, pre=(), pause=None, pause_seconds=30, **extra) -> subprocess.Popen:
    """Run ``wijkgeo refresh`` in a subprocess; with ``pause=FLAG`` it stops before the commit."""
    words = [*pre, "refresh", *args, "--jaar", str(YEAR), "--zonder-vierkanten"]
    if pause is None:
        cmd = [sys.executable, "-m", "wijkgeo.cli", *map(str, words)]
    else:
        cmd = _pause.command(pause, *words, seconds=pause_seconds)
    return subprocess.Popen(
        cmd,
        env=_env(srv, store, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(path, proc, seconds=30) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "process never reached the pause"
        time.sleep(0.05)


def test_cli_exit_codes_log_lines_and_status(server, tmp_path):
    proc = _start(server, tmp_path, "GM0542")
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert (
        "GM0542 2024: nieuw opgehaald (tabel 85984NED van 2025-03-27), 1 wijk, 6 buurten" in err
    )
    assert "Created" not in err  # pyogrio chatter silenced
    before = files_sha(tmp_path)

    # a new table version whose download fails: exit 1, one Dutch line, store untouched;
    # cron style: -q keeps stderr to warnings/errors, the log file gets every line
    server.set_modified("2025-06-30T02:00:00")
    server.fail("TypedDataSet", 500, 500)
    logfile = tmp_path / "refresh.log"
    proc = _start(server, tmp_path, "GM0542", "GM0597", "--logbestand", logfile, pre=["-q"])
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    lines = [line for line in err.splitlines() if "GM0542 2024: MISLUKT" in line]
    assert len(lines) == 1
    assert "laatste goede versie van" in lines[0] and "500" in lines[0]
    assert "1 van 2 gemeente(n) niet bijgewerkt (GM0542); laatste goede versies bewaard" in err
    assert "GM0597" not in err  # its INFO line is not on stderr with -q ...
    logged = logfile.read_text(encoding="utf-8")
    assert "INFO wijkgeo.refresh: GM0597 2024: nieuw opgehaald" in logged  # ... but in the file
    assert "ERROR wijkgeo.refresh: GM0542 2024: MISLUKT" in logged
    after = files_sha(tmp_path)
    assert {k: v for k, v in after.items() if k.startswith("GM0542")} == before
    assert len(wijkgeo.load("GM0542", YEAR, store=tmp_path).buurten) == 6
    assert len(wijkgeo.load("GM0597", YEAR, store=tmp_path).wijken) == 12


def test_cli_usage_errors_and_status_json(server, tmp_path, capsys):
    store = str(tmp_path)
    assert cli.main(["refresh", "GMX", "--jaar", "2024", "--store", store]) == 2
    assert "ongeldige invoer" in capsys.readouterr().err
    assert cli.main(["refresh", "GM0542", "--jaar", "2031", "--store", store]) == 2
    assert "2031" in capsys.readouterr().err
    bestand = tmp_path / "lijst.txt"
    bestand.write_text("GM0542  # Krimpen\n# GM0597\n")
    assert (
        cli.main(
            [
                "refresh",
                "--bestand",
                str(bestand),
                "--jaar",
                "2024",
                "--store",
                store,
                "--zonder-vierkanten",
                "--json",
            ]
        )
        == 0
    )
    printed = json.loads(capsys.readouterr().out)
    assert [(r["gemeente"], r["status"]) for r in printed] == [("GM0542", "created")]
    assert server.log  # it did talk to the replay
    assert cli.main(["status", "--json", "--store", store]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["gemeente"], row["year"], row["name"]) == ("GM0542", 2024, "Krimpen aan den IJssel")
    assert (row["cbs_table"], row["cbs_modified"]) == ("85984NED", "2025-03-27T02:00:00")
    assert cli.main(["status", "--store", store]) == 0
    text = capsys.readouterr().out
    assert "GM0542" in text and "85984NED (2025-03-27)" in text
    assert text.splitlines()[1].endswith(" nieuw")  # laatste controle


def test_sigkill_in_the_middle_of_writing_keeps_previous_version(server, tmp_path):
    run(tmp_path, ["GM0542"])
    before = files_sha(tmp_path)

    def rename(payload):
        for feat in payload["features"]:
            feat["properties"]["buurtnaam"] = "Nieuw " + str(feat["properties"]["buurtnaam"])
        return payload

    server.transform("/collections/buurten/items", rename)  # a real change to write
    flag = tmp_path / "paused"
    proc = _start(server, tmp_path, "GM0542", pause=flag)
    try:
        _wait_for(flag, proc)
        folder = tmp_path / "GM0542" / "2024"
        assert any(p.name.startswith(".tmp-") for p in folder.iterdir())  # new file half-done
        proc.kill()  # SIGKILL
    finally:
        proc.communicate(timeout=30)
    assert proc.returncode == -9
    assert files_sha(tmp_path) == before
    atlas = wijkgeo.load("GM0542", YEAR, store=tmp_path)
    assert not atlas.buurten["buurtnaam"].str.startswith("Nieuw ").any()
    # the kernel released the lock; the next refresh completes and sweeps the leftovers
    (res,) = run(tmp_path, ["GM0542"], lock_timeout=5)
    assert res.status == "updated", res.message()
    assert (
        wijkgeo.load("GM0542", YEAR, store=tmp_path)
        .buurten["buurtnaam"]
        .str.startswith("Nieuw ")
        .all()
    )
    assert sorted(p.name for p in folder.iterdir()) == [
        "laatste_controle.json",
        "manifest.json",
        "wijkgeo.gpkg",
    ]


def test_concurrent_refreshes_wait_or_exit_3_and_never_corrupt(server, tmp_path):
    flag = tmp_path / "paused"
    first = _start(server, tmp_path, "GM0542", pause=flag, pause_seconds=120)
    _wait_for(flag, first)  # `first` holds the lock, in the middle of its write
    waiting = _start(server, tmp_path, "GM0542", "--lock-timeout", "120")
    impatient = _start(server, tmp_path, "GM0542", "--lock-timeout", "0.5")
    _out_i, err_i = impatient.communicate(timeout=120)  # gave up while `first` held the lock
    time.sleep(1)  # let `waiting` reach the lock too (it passes either way: it then waits)
    (tmp_path / "paused.go").write_text("")  # release `first`
    _out_f, err_f = first.communicate(timeout=120)
    _out_w, err_w = waiting.communicate(timeout=120)
    assert impatient.returncode == 3, err_i
    assert "vergrendeld door een ander wijkgeo-proces" in err_i and "--lock-timeout" in err_i
    assert first.returncode == 0, err_f
    assert "GM0542 2024: nieuw opgehaald" in err_f
    assert waiting.returncode == 0, err_w
    assert "GM0542 2024: ongewijzigd" in err_w  # it saw the first one's complete write
    # only the first refresh downloaded: 6 for GM0542, 3 for the national reference beside
    # it (this replay's table has no buurten: refused, and not asked again by `waiting`)
    assert len(server.data_requests()) == 6 + 3
    man = Store(tmp_path).manifest("GM0542", YEAR)
    assert man["file"]["sha256"] == files_sha(tmp_path)["GM0542/2024/wijkgeo.gpkg"]
    assert len(wijkgeo.load("GM0542", YEAR, store=tmp_path).buurten) == 6
