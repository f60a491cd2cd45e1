"""The one HTTP layer every wijkgeo source goes through.

One :class:`requests.Session` per process with

* a connect/read **timeout** on every request (``WIJKGEO_HTTP_TIMEOUT`` seconds, default 60),
* **retries with exponential backoff** on connection errors, read timeouts and HTTP
  429/500/502/503/504, honouring ``Retry-After`` (:class:`urllib3.util.Retry`, not hand-written;
  ``WIJKGEO_HTTP_RETRIES`` default 4, ``WIJKGEO_HTTP_BACKOFF`` seconds default 0.5),
* a ``User-Agent: wijkgeo/<version> (+https://github.com/wijkgeo)`` header,
* **conditional GET**: pass ``etag=``/``last_modified=`` and a ``304 Not Modified`` comes back
  as a response with ``status_code == 304`` (not an error), so the store can skip unchanged data
  (:func:`get`, and :func:`download` for files kept on disk),
* :func:`head` to read a resource's ``ETag``/``Last-Modified`` without its body.

Every failure (HTTP status, timeout, connection error, HTML instead of JSON, truncated JSON)
becomes a :class:`~wijkgeo.SourceError` that names the URL, the status and what the user can
do. Nothing partial is ever returned.

Examples
--------
>>> from wijkgeo import _http
>>> data = _http.get_json("https://api.pdok.nl/cbs/wijken-en-buurten-2024/ogc/v1")  # doctest: +SKIP
>>> r = _http.get(url, etag='"abc"')                                # doctest: +SKIP
>>> r.status_code                                                   # doctest: +SKIP
304
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from . import settings
from ._errors import SourceError

__all__ = [
    "configure",
    "decode_json",
    "download",
    "get",
    "get_json",
    "head",
    "reset",
    "session",
    "timeout",
]

log = logging.getLogger(__name__)

RETRY_STATUSES = (429, 500, 502, 503, 504)
_lock = threading.Lock()
_session: requests.Session | None = None
_settings: dict[str, float | int | None] = {"timeout": None, "retries": None, "backoff": None}


def _user_agent() -> str:
    from ._version import __version__

    return f"wijkgeo/{__version__} (+https://github.com/wijkgeo/wijkgeo)"


def _setting(name: str) -> float:
    """A value set by :func:`configure`, else ``$WIJKGEO_HTTP_<NAME>``, else the default."""
    value = _settings.get(name)
    if value is not None:
        return float(value)
    return float(settings.get(f"http_{name}"))


def timeout() -> float:
    """The read timeout in seconds (connect timeout is at most 10 s)."""
    return _setting("timeout")


def configure(
    *, timeout: float | None = None, retries: int | None = None, backoff: float | None = None
) -> None:
    """Override timeout/retries/backoff for this process (tests use short values).

    ``None`` restores the environment variable or the default. The session is rebuilt.

    Examples
    --------
    >>> from wijkgeo import _http
    >>> _http.configure(timeout=2, retries=1, backoff=0)
    >>> _http.configure()   # back to defaults
    """
    _settings.update(timeout=timeout, retries=retries, backoff=backoff)
    reset()


def reset() -> None:
    """Close and forget the shared session (the next request builds a new one)."""
    global _session
    with _lock:
        if _session is not None:
            _session.close()
        _session = None


def session() -> requests.Session:
    """The shared session with retry/backoff and the wijkgeo User-Agent."""
    global _session
    with _lock:
        if _session is None:
            retries = int(_setting("retries"))
            retry = Retry(
                total=retries,
                connect=retries,
                read=retries,
                status=retries,
                other=0,
                backoff_factor=_setting("backoff"),
                backoff_max=30,
                status_forcelist=RETRY_STATUSES,
                allowed_methods=frozenset({"GET", "HEAD"}),
                respect_retry_after_header=True,
                raise_on_status=False,
            )
            s = requests.Session()
            adapter = HTTPAdapter(max_retries=retry)
            s.mount("http://", adapter)
            s.mount("https://", adapter)
            s.headers["User-Agent"] = _user_agent()
            _session = s
        return _session


_ADVICE = {
    404: "Bestaat deze tabel/dit jaar/deze collectie wel? Controleer jaar en gemeentecode "
    "(zie wijkgeo.sources.catalog.years()).",
    429: "De bron weigert tijdelijk te veel verzoeken; probeer het over een paar minuten opnieuw.",
}


def _advice(status: int | None) -> str:
    if status in _ADVICE:
        return _ADVICE[status]
    if status is not None and status >= 500:
        return (
            "De bron heeft een storing (ook na herhaalde pogingen); probeer het later opnieuw "
            "of zet WIJKGEO_CBS_URL/WIJKGEO_PDOK_URL op een spiegel."
        )
    return (
        "Controleer de URL, de netwerkverbinding of een proxy (WIJKGEO_CBS_URL/WIJKGEO_PDOK_URL)."
    )


def _timeout_message(seconds: float) -> str:
    return (
        f"Geen antwoord binnen {seconds:g} s (ook na herhaalde pogingen). De bron is traag of "
        "onbereikbaar; probeer het later opnieuw of verhoog WIJKGEO_HTTP_TIMEOUT."
    )


@contextmanager
def _translated(url: str) -> Iterator[None]:
    """Turn every ``requests`` failure inside the block into a :class:`SourceError`."""
    read_timeout = timeout()
    try:
        yield
    except requests.exceptions.ConnectionError as exc:
        # urllib3 wraps a read timeout that exhausted the retries in MaxRetryError, which
        # requests reports as a ConnectionError: unwrap it to say "timeout".
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        # (NewConnectionError, i.e. "connection refused", subclasses ConnectTimeoutError.)
        if isinstance(reason, urllib3.exceptions.TimeoutError) and not isinstance(
            reason, urllib3.exceptions.NewConnectionError
        ):
            raise SourceError(_timeout_message(read_timeout), url=url) from exc
        raise SourceError(
            f"Verbinding mislukt of afgebroken ({type(exc).__name__}). " + _advice(None),
            url=url,
        ) from exc
    except requests.exceptions.Timeout as exc:
        raise SourceError(_timeout_message(read_timeout), url=url) from exc
    except requests.exceptions.RetryError as exc:
        raise SourceError(
            f"De bron bleef een foutstatus geven na herhaalde pogingen ({exc}). " + _advice(500),
            url=url,
        ) from exc
    except requests.exceptions.RequestException as exc:
        raise SourceError(
            f"Ophalen mislukt ({type(exc).__name__}: {exc}). " + _advice(None), url=url
        ) from exc


def _request(
    method: str,
    url: str,
    params: dict[str, Any] | None,
    headers: dict[str, str] | None,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    stream: bool = False,
) -> requests.Response:
    """Send one request through the shared session (conditional headers added).

    Must be called inside :func:`_translated`.
    """
    hdrs = dict(headers or {})
    if etag:
        hdrs["If-None-Match"] = etag
    if last_modified:
        hdrs["If-Modified-Since"] = last_modified
    read_timeout = timeout()
    return session().request(
        method,
        url,
        params=params,
        headers=hdrs,
        stream=stream,
        allow_redirects=True,
        timeout=(min(10.0, read_timeout), read_timeout),
    )


def _check_status(response: requests.Response, url: str, what: str) -> None:
    """Raise :class:`SourceError` unless the status is 2xx or 304 Not Modified."""
    if response.status_code == 304 or 200 <= response.status_code < 300:
        return
    raise SourceError(
        f"{what} ({response.status_code} {response.reason}). " + _advice(response.status_code),
        url=response.url or url,
        status=response.status_code,
    )


def _check_length(response: requests.Response, received: int, url: str, what: str) -> None:
    """Raise :class:`SourceError` when fewer bytes arrived than ``Content-Length`` said."""
    expected = response.headers.get("Content-Length")
    if (
        expected
        and expected.isdigit()
        and "Content-Encoding" not in response.headers
        and received < int(expected)
    ):
        raise SourceError(
            f"{what} afgebroken: {received} van {expected} bytes ontvangen. Probeer het opnieuw.",
            url=response.url or url,
            status=response.status_code,
        )


def get(
    url: str,
    params: dict[str, Any] | None = None,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    headers: dict[str, str] | None = None,
) -> requests.Response:
    """GET ``url`` through the shared session; raise :class:`SourceError` on any failure.

    Parameters
    ----------
    url : str
        Absolute URL.
    params : dict, optional
        Query parameters.
    etag, last_modified : str, optional
        Validators of a stored copy; sent as ``If-None-Match`` / ``If-Modified-Since``.
    headers : dict, optional
        Extra request headers.

    Returns
    -------
    requests.Response
        Status 2xx with the whole body read, or 304 when a validator matched (then the
        caller keeps its copy). ``response.headers`` carries the new ``ETag``/``Last-Modified``.

    Raises
    ------
    SourceError
        On timeouts, connection errors, a truncated body and every other status.

    Examples
    --------
    >>> r = get("https://example.org/data.json", etag='"v1"')   # doctest: +SKIP
    >>> r.status_code in (200, 304)                             # doctest: +SKIP
    True
    """
    with _translated(url):
        response = _request("GET", url, params, headers, etag=etag, last_modified=last_modified)
        # Force the whole body now so that a truncated transfer fails here, not later.
        _ = response.content
    _check_status(response, url, "De bron gaf een fout")
    if response.status_code != 304:
        _check_length(response, len(response.content), url, "Antwoord")
    return response


def head(
    url: str, params: dict[str, Any] | None = None, *, headers: dict[str, str] | None = None
) -> requests.Response:
    """HEAD ``url`` (headers only, no body) with the retries and errors of :func:`get`.

    Used to read ``ETag``/``Last-Modified`` without downloading. Redirects are followed.

    Returns
    -------
    requests.Response
        Status 2xx (or 304 when ``headers`` carried a matching validator).

    Raises
    ------
    SourceError
        On timeouts, connection errors and every other status; ``exc.status`` holds the
        status (a 405 or 404 tells the caller the server can't answer HEAD for this URL).

    Examples
    --------
    >>> r = head("https://download.cbs.nl/vierkant/500/2025-cbs_vk500_2024_v1.zip")
    ... # doctest: +SKIP
    >>> r.headers["ETag"]                                        # doctest: +SKIP
    '"5f3c-61a"'
    """
    with _translated(url):
        response = _request("HEAD", url, params, headers)
    _check_status(response, url, "Metadata (HEAD) niet op te vragen")
    return response


def get_json(
    url: str,
    params: dict[str, Any] | None = None,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Any:
    """GET ``url`` and decode JSON; HTML or broken JSON raise :class:`SourceError`.

    Returns ``None`` when the server answered 304 Not Modified to a conditional request.

    Examples
    --------
    >>> page = get_json("https://opendata.cbs.nl/ODataFeed/odata/85984NED/TableInfos",
    ...                 {"$format": "json"})                     # doctest: +SKIP
    >>> page["value"][0]["Identifier"]                          # doctest: +SKIP
    '85984NED'
    """
    response = get(
        url,
        params,
        etag=etag,
        last_modified=last_modified,
        headers={"Accept": "application/json, application/geo+json;q=0.9"},
    )
    if response.status_code == 304:
        return None
    return decode_json(response)


def pages(
    url: str,
    params: dict[str, Any] | None,
    *,
    items: str,
    next_link: Callable[[dict[str, Any]], str | None],
    not_a_page: str,
    headers: dict[str, str] | None = None,
) -> Iterator[tuple[dict[str, Any], requests.Response]]:
    """Every page of a paged JSON API (CBS OData, PDOK OGC API Features), in order.

    The one pager both sources share: it asks ``url`` with ``params``, checks that each
    page is an object with a list under ``items`` (else :class:`SourceError` with
    ``not_a_page``, naming the URL), yields ``(page, response)`` and follows
    ``next_link(page)`` (without the parameters: a next link carries them) until there is
    none. Whoever iterates decides what "complete" means; an error stops the iteration,
    so nothing partial is returned by a caller that collects all pages first.
    """
    next_url: str | None = url
    while next_url:
        response = get(next_url, params, headers=headers or {"Accept": "application/json"})
        page = decode_json(response)
        if not isinstance(page, dict) or not isinstance(page.get(items), list):
            raise SourceError(not_a_page, url=next_url)
        yield page, response
        next_url, params = next_link(page), None


def decode_json(response: requests.Response) -> Any:
    """Decode a response body as JSON or raise a :class:`SourceError` saying why not."""
    url = response.url
    body = response.content
    head = body[:200].lstrip().lower()
    ctype = response.headers.get("Content-Type", "")
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<")) or "text/html" in ctype:
        raise SourceError(
            "De bron stuurde een HTML-pagina in plaats van JSON (vaak een storings- of "
            "onderhoudspagina, of een proxy die het verzoek blokkeert). Probeer het later "
            "opnieuw of controleer WIJKGEO_CBS_URL/WIJKGEO_PDOK_URL.",
            url=url,
            status=response.status_code,
        )
    try:
        return json.loads(body)
    except ValueError as exc:
        raise SourceError(
            f"Onvolledige of ongeldige JSON ontvangen ({len(body)} bytes; {exc}). Het antwoord "
            "is waarschijnlijk afgebroken; probeer het opnieuw.",
            url=url,
            status=response.status_code,
        ) from exc


def download(
    url: str,
    dest: str | os.PathLike[str],
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    chunk_size: int = 1 << 20,
) -> requests.Response:
    """Stream ``url`` to the file ``dest`` (atomically: a partial download never remains).

    Same retries, timeouts and :class:`SourceError` translation as :func:`get`; a transfer
    shorter than ``Content-Length`` raises. With ``etag``/``last_modified`` (the validators
    of the copy at ``dest``) the request is conditional: on ``304 Not Modified`` ``dest`` is
    left as it is; on ``200`` the new file replaces it in one rename.

    Returns
    -------
    requests.Response
        The (closed) response: ``status_code`` 200 or 304, and the ``headers`` with the
        new ``ETag``/``Last-Modified`` to keep beside the file.

    Examples
    --------
    >>> r = download("https://download.cbs.nl/vierkant/500/2025-cbs_vk500_2024_v1.zip",
    ...              "/tmp/vk500.zip")                               # doctest: +SKIP
    >>> download(r.url, "/tmp/vk500.zip", etag=r.headers["ETag"]).status_code   # doctest: +SKIP
    304
    """
    target = Path(dest)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
    tmp = Path(name)
    try:
        with (
            os.fdopen(fd, "wb") as fh,
            _translated(url),
            _request(
                "GET", url, None, None, etag=etag, last_modified=last_modified, stream=True
            ) as response,
        ):
            _check_status(response, url, "Download mislukt")
            if response.status_code == 304:
                return response
            size = 0
            for chunk in response.iter_content(chunk_size):
                fh.write(chunk)
                size += len(chunk)
        _check_length(response, size, url, "Download")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return response


def head_validators(url: str, params: dict[str, Any] | None = None) -> dict[str, str] | None:
    """``ETag``/``Last-Modified`` of ``url`` from a ``HEAD`` request (no body is sent).

    Returns ``None`` when the server gives no validators or answers a 4xx (HEAD not
    allowed, unknown download): the caller then can't tell a change from this source
    alone. A server error (5xx after the retries of :mod:`wijkgeo._http`), a timeout or a
    broken connection raise :class:`SourceError`: a refresh that could not check a source
    must not report "unchanged".

    Examples
    --------
    >>> head_validators("https://download.cbs.nl/vierkant/500/2025-cbs_vk500_2024_v1.zip")
    ... # doctest: +SKIP
    {'etag': '"5f3c-61a"', 'last_modified': 'Thu, 27 Mar 2025 01:00:00 GMT'}
    """
    try:
        response = head(url, params)
    except SourceError as exc:
        if exc.status is not None and 400 <= exc.status < 500:
            log.debug("HEAD %s: status %s, geen validators", url, exc.status)
            return None
        raise
    out = {}
    if response.headers.get("ETag"):
        out["etag"] = response.headers["ETag"]
    if response.headers.get("Last-Modified"):
        out["last_modified"] = response.headers["Last-Modified"]
    return out or None
