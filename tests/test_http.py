"""The shared HTTP layer: retries, Retry-After, timeouts, bad payloads, conditional GET."""

from __future__ import annotations

import socket
import time

import pytest
from werkzeug import Response

from wijkgeo import SourceError, __version__, _http


@pytest.fixture(autouse=True)
def fast_http():
    _http.configure(timeout=2, retries=2, backoff=0)
    yield
    _http.configure()


def _seq(*responses):
    it = iter(responses)
    return lambda request: next(it)


def test_retries_5xx_then_succeeds(httpserver):
    httpserver.expect_request("/x").respond_with_handler(
        _seq(Response("a", 500), Response("b", 503), Response('{"ok": 1}', 200))
    )
    assert _http.get_json(httpserver.url_for("/x")) == {"ok": 1}
    assert len(httpserver.log) == 3


def test_gives_up_with_status_and_url(httpserver):
    httpserver.expect_request("/down").respond_with_data("storing", status=503)
    with pytest.raises(SourceError) as err:
        _http.get_json(httpserver.url_for("/down"), {"a": "1"})
    assert err.value.status == 503
    assert "/down?a=1" in err.value.url
    assert "storing" in str(err.value) and "later opnieuw" in str(err.value)
    assert len(httpserver.log) == 3  # 1 + 2 retries


def test_honours_retry_after(httpserver):
    httpserver.expect_request("/slow").respond_with_handler(
        _seq(Response("", 429, headers={"Retry-After": "1"}), Response("[1]", 200))
    )
    t0 = time.monotonic()
    assert _http.get_json(httpserver.url_for("/slow")) == [1]
    assert time.monotonic() - t0 >= 0.9


def test_404_is_not_retried(httpserver):
    httpserver.expect_request("/nope").respond_with_data("x", status=404)
    with pytest.raises(SourceError, match="404") as err:
        _http.get(httpserver.url_for("/nope"))
    assert "Controleer jaar" in str(err.value)
    assert len(httpserver.log) == 1


@pytest.mark.parametrize("call", [_http.get_json, _http.head, _http.get])
def test_timeout(httpserver, call):
    _http.configure(timeout=0.3, retries=0, backoff=0)

    def slow(request):
        time.sleep(0.8)
        return Response("{}")

    httpserver.expect_request("/t").respond_with_handler(slow)
    with pytest.raises(SourceError, match=r"Geen antwoord binnen 0\.3 s") as err:
        call(httpserver.url_for("/t"))
    assert err.value.url.endswith("/t")


def test_html_instead_of_json(httpserver):
    httpserver.expect_request("/h").respond_with_data(
        "<html><body>Onderhoud</body></html>", content_type="text/html"
    )
    with pytest.raises(SourceError, match="HTML-pagina in plaats van JSON"):
        _http.get_json(httpserver.url_for("/h"))


def test_truncated_json(httpserver):
    httpserver.expect_request("/j").respond_with_data(
        '{"value": [1, 2', content_type="application/json"
    )
    with pytest.raises(SourceError, match="Onvolledige of ongeldige JSON"):
        _http.get_json(httpserver.url_for("/j"))


def test_connection_refused():
    with socket.socket() as sock:  # a port that was free a moment ago: nobody listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SourceError, match="Verbinding mislukt") as err:
        _http.get(f"http://127.0.0.1:{port}/none")
    assert err.value.status is None


def test_user_agent_and_conditional_get(httpserver):
    def handler(request):
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        if request.headers.get("If-Modified-Since") == "Thu, 27 Mar 2025 00:00:00 GMT":
            return Response(status=304)
        return Response(
            "[1]", headers={"ETag": '"v1"', "Last-Modified": "Thu, 27 Mar 2025 00:00:00 GMT"}
        )

    httpserver.expect_request("/c").respond_with_handler(handler)
    url = httpserver.url_for("/c")
    first = _http.get(url)
    assert first.status_code == 200 and first.headers["ETag"] == '"v1"'
    assert _http.get(url, etag=first.headers["ETag"]).status_code == 304
    assert _http.get(url, last_modified=first.headers["Last-Modified"]).status_code == 304
    assert _http.get_json(url, etag='"v1"') is None
    assert _http.get_json(url, etag='"old"') == [1]
    agent = httpserver.log[0][0].headers["User-Agent"]
    assert agent.startswith(f"wijkgeo/{__version__}")


def test_head_returns_validators_and_translates_errors(httpserver):
    httpserver.expect_request("/h", method="HEAD").respond_with_handler(
        _seq(Response("", 503), Response("", 200, headers={"ETag": '"v7"'}))
    )
    httpserver.expect_request("/gone", method="HEAD").respond_with_data("", status=404)
    response = _http.head(httpserver.url_for("/h"), {"a": "1"})
    assert response.status_code == 200 and response.headers["ETag"] == '"v7"'
    assert [(r.method, r.args.get("a")) for r, _ in httpserver.log] == [("HEAD", "1")] * 2
    with pytest.raises(SourceError, match=r"Metadata \(HEAD\) niet op te vragen \(404") as info:
        _http.head(httpserver.url_for("/gone"))
    assert info.value.status == 404 and info.value.url.endswith("/gone")


def test_conditional_download_keeps_or_replaces_the_file(httpserver, tmp_path):
    state = {"etag": '"v1"', "body": b"first"}

    def handler(request):
        if request.headers.get("If-None-Match") == state["etag"]:
            return Response(status=304, headers={"ETag": state["etag"]})
        return Response(state["body"], headers={"ETag": state["etag"]})

    httpserver.expect_request("/f.zip").respond_with_handler(handler)
    url, dest = httpserver.url_for("/f.zip"), tmp_path / "f.zip"
    first = _http.download(url, dest)
    assert first.status_code == 200 and dest.read_bytes() == b"first"
    assert _http.download(url, dest, etag='"v1"').status_code == 304
    assert dest.read_bytes() == b"first"
    state.update(etag='"v2"', body=b"second")
    again = _http.download(url, dest, etag='"v1"')
    assert again.status_code == 200 and again.headers["ETag"] == '"v2"'
    assert dest.read_bytes() == b"second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.zip"]  # no .part left
