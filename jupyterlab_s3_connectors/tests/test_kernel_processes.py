"""Real kernels (ipykernel) use connectors: started by jupyter_client, and by the server."""

from __future__ import annotations

import json
import os
import stat
import textwrap
import uuid
from typing import Any

import pytest
from cryptography.fernet import Fernet

from ..locations import DEFAULT_REGION_ENV, ENCRYPTION_KEYS_ENV, KEY_PATH_ENV, STORE_ENV
from .conftest import DEMO_BUCKET, SECRET
from .kernel_helpers import KernelStore, kernel_store

__all__ = ["kernel_store"]

pytest.importorskip("ipykernel")
pytest.importorskip("pandas")

KERNEL_TIMEOUT = 60


def run_in_kernel(client: Any, code: str) -> str:
    """Run ``code`` and return what it printed; fail with the kernel's traceback."""
    printed: list[str] = []
    errors: list[str] = []

    def hook(message: dict[str, Any]) -> None:
        content = message["content"]
        if message["msg_type"] == "stream":
            printed.append(content["text"])
        elif message["msg_type"] == "error":
            errors.append("\n".join(content["traceback"]))

    reply = client.execute_interactive(code, output_hook=hook, timeout=KERNEL_TIMEOUT)
    assert reply["content"]["status"] == "ok", "\n".join(errors)
    return "".join(printed)


KERNEL_CODE = textwrap.dedent(
    """
    import pandas as pd
    frame = pd.read_csv("s3c://demo/data/x.csv")
    print("SUM", int(frame["a"].sum()))
    try:
        frame.to_csv("s3c://ro/out.csv")
    except PermissionError as error:
        print("REFUSED", type(error).__name__, error)
    from jupyterlab_s3_connectors import connector
    print("REPR", repr(connector("ro")))
    """
)


def test_ipykernel_reads_csv_and_a_read_only_connector_refuses_writes(
    kernel_store: KernelStore, moto_endpoint: str, moto_s3: Any
) -> None:
    from jupyter_client.manager import start_new_kernel

    folder = f"k-{uuid.uuid4().hex[:8]}/"
    moto_s3.put_object(Bucket=DEMO_BUCKET, Key=folder + "data/x.csv", Body=b"a,b\n1,2\n3,4\n")
    kernel_store.add("demo", moto_endpoint, prefix=folder)
    kernel_store.add("ro", moto_endpoint, prefix=folder, mode="read-only")

    # The kernel gets the variables the server would export, nothing else of this test.
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTERLAB_S3_CONNECTORS")}
    env.update(kernel_store.env())
    manager, client = start_new_kernel(
        kernel_name="python3", startup_timeout=KERNEL_TIMEOUT, env=env
    )
    try:
        printed = run_in_kernel(client, KERNEL_CODE)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)

    assert "SUM 4" in printed
    assert "REFUSED ReadOnlyConnector [Errno 13] S3 connector 'ro' is read-only" in printed
    assert SECRET not in printed
    listed = moto_s3.list_objects_v2(Bucket=DEMO_BUCKET, Prefix=folder)
    assert [item["Key"] for item in listed["Contents"]] == [folder + "data/x.csv"]


LITERAL_KEY = Fernet.generate_key().decode()


class TestServerExportsTheStoreToItsKernels:
    @pytest.fixture
    def extension_config(self) -> dict[str, Any]:
        return {"encryption_keys": [LITERAL_KEY], "default_region": "eu-west-1"}

    async def test_kernels_started_by_the_server_find_its_store(
        self, jp_serverapp: Any, make_connector: Any, store_path: Any, moto_endpoint: str
    ) -> None:
        assert os.environ[STORE_ENV] == str(store_path)
        assert os.environ[DEFAULT_REGION_ENV] == "eu-west-1"
        assert KEY_PATH_ENV in os.environ
        # A literal key travels in a 0600 file, never in the environment.
        (source,) = json.loads(os.environ[ENCRYPTION_KEYS_ENV])
        assert source.startswith("file:")
        keys_file = source[len("file:") :]
        assert stat.S_IMODE(os.stat(keys_file).st_mode) == 0o600
        assert not any(LITERAL_KEY in value for value in os.environ.values())

        await make_connector(name="demo", endpoint=moto_endpoint)
        manager = jp_serverapp.kernel_manager
        kernel_id = await manager.start_kernel()
        client = manager.get_kernel(kernel_id).client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=KERNEL_TIMEOUT)
            printed: list[str] = []

            def hook(message: dict[str, Any]) -> None:
                if message["msg_type"] in ("stream", "error"):
                    printed.append(
                        message["content"].get("text") or "\n".join(message["content"]["traceback"])
                    )

            code = (
                "import fsspec\n"
                "print('READ', fsspec.open('s3c://demo/data/hello.txt', 'rb').open().read())\n"
            )
            await client.execute_interactive(code, output_hook=hook, timeout=KERNEL_TIMEOUT)
        finally:
            client.stop_channels()
            await manager.shutdown_kernel(kernel_id, now=True)
        assert "READ b'hello'" in "".join(printed)

    async def test_the_server_removes_what_it_exported_when_it_stops(
        self, jp_serverapp: Any
    ) -> None:
        (app,) = jp_serverapp.extension_manager.extension_apps["jupyterlab_s3_connectors"]
        keys_file = json.loads(os.environ[ENCRYPTION_KEYS_ENV])[0][len("file:") :]
        await app.stop_extension()
        assert not os.path.exists(keys_file)
        assert STORE_ENV not in os.environ or os.environ[STORE_ENV] != app.store.path
