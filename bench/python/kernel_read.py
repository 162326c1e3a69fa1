"""Row 10.5 of bench/run.ts: an ``s3c://`` read against boto3's GetObject, in one process.

Run by ``bench/run.ts`` with the venv's python, the Jupyter server's store named by the
environment (as the server names it to its kernels), and one JSON argument::

    {"connector": "bench", "bucket": "bench", "key": "mounts/data.bin",
     "size": 52428800, "rounds": 5}

A is ``connector(name).fs.cat(key)`` and B ``client.get_object(...)["Body"].read()`` with a
boto3 client configured as the connector's own (``connector(name).client()``), alternately
as bench/lib/report.ts does it (one warm-up round, then A first in even rounds). Prints one
JSON object: the samples in milliseconds (also of ``fsspec.open(...).read()`` and of a bare
aiobotocore GetObject, the transport under ``c.fs``) and the S3 calls of one read.
Exits non-zero when a read has the wrong size.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

import fsspec
from fsspec.asyn import sync

from jupyterlab_s3_connectors import connector
from jupyterlab_s3_connectors.kernel.filesystem import ConnectorS3FileSystem


def timed(read: Callable[[], bytes], size: int, what: str) -> float:
    started = time.perf_counter()
    data = read()
    elapsed = (time.perf_counter() - started) * 1000
    if len(data) != size:
        raise SystemExit(f"BROKEN: {what} read {len(data)} bytes, not {size}")
    return elapsed


def calls_of(read: Callable[[], bytes]) -> list[str]:
    """The S3 calls (as s3fs names them) that one read makes, on any connector filesystem."""
    seen: list[str] = []
    original = ConnectorS3FileSystem._call_s3

    async def recording(self: Any, method: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(method if isinstance(method, str) else method.__name__)
        return await original(self, method, *args, **kwargs)

    ConnectorS3FileSystem._call_s3 = recording  # type: ignore[method-assign]
    try:
        read()
    finally:
        ConnectorS3FileSystem._call_s3 = original  # type: ignore[method-assign]
    return seen


def main() -> None:
    options = json.loads(sys.argv[1])
    name, key, size = options["connector"], options["key"], options["size"]
    c = connector(name)
    client = c.client()
    full_key = c.prefix + key

    def ours() -> bytes:
        return c.fs.cat(key)

    def opened() -> bytes:
        with fsspec.open(f"s3c://{name}/{key}", "rb") as f:
            return f.read()

    def raw() -> bytes:
        return client.get_object(Bucket=c.bucket, Key=full_key)["Body"].read()

    async def aio_get() -> bytes:
        # The transport under c.fs (aiobotocore on aiohttp) with none of our code.
        inner = c.fs.fs
        answer = await inner.s3.get_object(Bucket=c.bucket, Key=full_key)
        async with answer["Body"] as body:
            return await body.read()

    def aio() -> bytes:
        return sync(c.fs.fs.loop, aio_get)

    samples: dict[str, list[float]] = {"a": [], "b": [], "open": [], "aiobotocore": []}
    timed(ours, size, "s3c cat")
    timed(raw, size, "GetObject")
    timed(opened, size, "fsspec.open")
    timed(aio, size, "aiobotocore GetObject")
    for round_ in range(options["rounds"]):
        order = [("a", ours), ("b", raw)]
        if round_ % 2:
            order.reverse()
        for which, read in order:
            samples[which].append(timed(read, size, which))
        samples["open"].append(timed(opened, size, "fsspec.open"))
        samples["aiobotocore"].append(timed(aio, size, "aiobotocore GetObject"))
        print(
            f"  #10.5 round {round_ + 1}/{options['rounds']}: A {samples['a'][-1]:.1f} ms, "
            f"B {samples['b'][-1]:.1f} ms, fsspec.open {samples['open'][-1]:.1f} ms, "
            f"aiobotocore {samples['aiobotocore'][-1]:.1f} ms",
            file=sys.stderr,
        )
    calls = {
        "cat": calls_of(ours),
        "open": calls_of(opened),
        "get_object": ["get_object"],
    }
    print(json.dumps({"samples": samples, "calls": calls}))


if __name__ == "__main__":
    main()
