"""The WebUI's files: compressed once on the server, sent compressed to a browser that accepts
it, revalidated with a validator of their own encoding."""

from __future__ import annotations

import httpx

from portico.webserver.webui_files import PACKAGED_WEBUI


async def test_a_browser_accepting_gzip_gets_the_file_compressed(
    console: httpx.AsyncClient,
) -> None:
    original = (PACKAGED_WEBUI / "js" / "main.js").read_bytes()
    r = await console.get("/js/main.js", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert int(r.headers["content-length"]) < len(original)
    assert r.content == original  # what the browser unpacks is the file
    assert "accept-encoding" in r.headers["vary"].lower()
    assert r.headers["content-type"].startswith("text/javascript")


async def test_a_client_without_gzip_gets_the_file_as_is(console: httpx.AsyncClient) -> None:
    original = (PACKAGED_WEBUI / "app.css").read_bytes()
    for accept in ("identity", "gzip;q=0, identity"):
        r = await console.get("/app.css", headers={"Accept-Encoding": accept})
        assert r.status_code == 200 and "content-encoding" not in r.headers, accept
        assert r.content == original


async def test_each_encoding_revalidates_with_its_own_etag(console: httpx.AsyncClient) -> None:
    gz = await console.get("/js/api.js", headers={"Accept-Encoding": "gzip"})
    plain = await console.get("/js/api.js", headers={"Accept-Encoding": "identity"})
    assert gz.headers["etag"] != plain.headers["etag"]
    again = await console.get(
        "/js/api.js", headers={"Accept-Encoding": "gzip", "If-None-Match": gz.headers["etag"]}
    )
    assert again.status_code == 304 and not again.content
    crossed = await console.get(
        "/js/api.js", headers={"Accept-Encoding": "identity", "If-None-Match": gz.headers["etag"]}
    )
    assert crossed.status_code == 200 and crossed.content == plain.content
