"""Shareable links: presigned GETs made on the server with the stored key."""

from __future__ import annotations

import asyncio
import urllib.request
from typing import Any

from .. import presign, s3check
from .conftest import DEMO_BUCKET, SECRET


async def test_presigned_link_downloads_the_object(api, make_connector, moto_endpoint, moto_s3):
    moto_s3.put_object(Bucket=DEMO_BUCKET, Key="data/share me+.txt", Body=b"shared bytes")
    connector = await make_connector(endpoint=moto_endpoint)
    reply = await api(
        "POST",
        "connectors",
        connector["id"],
        "presign",
        body={"key": "data/share me+.txt", "expires_in": 600},
    )
    assert reply.code == 200, reply
    url = reply.json["url"]
    assert reply.json["expires_in"] == 600
    assert url.startswith(f"{moto_endpoint}/{DEMO_BUCKET}/data/share%20me%2B.txt?")
    assert "X-Amz-Expires=600" in url
    assert SECRET not in reply.raw
    assert reply.headers["Cache-Control"] == "no-store"
    # The link works without any Jupyter credentials.
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - a local moto URL
        assert response.read() == b"shared bytes"


async def test_presign_rejects_bad_input(api, make_connector, moto_endpoint):
    connector = await make_connector(endpoint=moto_endpoint)
    for body, fields in [
        ({"key": "", "expires_in": 600}, ["key"]),
        ({"key": "data/", "expires_in": 600}, ["key"]),
        ({"key": "a" * 1025, "expires_in": 600}, ["key"]),
        ({"key": "data/x", "expires_in": 10}, ["expires_in"]),
        ({"key": "data/x", "expires_in": 8 * 24 * 3600}, ["expires_in"]),
        ({"key": "data/x", "expires_in": "1h"}, ["expires_in"]),
        ({"key": "data/x", "bucket": "other"}, ["bucket"]),
    ]:
        reply = await api("POST", "connectors", connector["id"], "presign", body=body)
        assert reply.code == 400, (body, reply)
        assert sorted(reply.json["errors"]) == fields


async def test_presign_stays_inside_the_connector_folder(api, make_connector, moto_endpoint):
    connector = await make_connector(endpoint=moto_endpoint, prefix="data/")
    reply = await api(
        "POST", "connectors", connector["id"], "presign", body={"key": "secret/x.txt"}
    )
    assert reply.code == 403
    assert "outside the folder" in reply.json["message"]


async def test_presign_of_an_unknown_connector_is_404(api):
    reply = await api("POST", "connectors", "nope", "presign", body={"key": "a"})
    assert reply.code == 404


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def test_botocore_clients_are_built_off_the_event_loop(
    api, make_connector, moto_endpoint, moto_s3, monkeypatch
):
    """Presigning and the connection test build their botocore client in a worker thread."""
    calls: list[tuple[str, bool]] = []

    def recording(module: Any, name: str) -> None:
        real = module.make_client

        def make_client(*args: Any) -> Any:
            calls.append((name, _on_event_loop()))
            return real(*args)

        monkeypatch.setattr(module, "make_client", make_client)

    recording(presign, "presign")
    recording(s3check, "test")
    moto_s3.put_object(Bucket=DEMO_BUCKET, Key="data/x.txt", Body=b"x")
    connector = await make_connector(endpoint=moto_endpoint)
    body = {"key": "data/x.txt"}
    assert (await api("POST", "connectors", connector["id"], "presign", body=body)).code == 200
    assert (await api("POST", "connectors", connector["id"], "test")).code == 200
    assert calls == [("presign", False), ("test", False)]
