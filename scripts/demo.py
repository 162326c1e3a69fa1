"""Start the demo: a local S3 server (moto) with a seeded bucket, a demo
connector for it, and JupyterLab. Ctrl-C stops everything it started.

The S3 server checks keys and signatures like a real one: the demo creates its
key through moto's IAM, so a connector with a wrong key fails its connection
test. Run through ``make demo``.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from moto import settings as moto_settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.server import ThreadedMotoServer

from jupyterlab_s3_connectors.crypto import KeyProvider
from jupyterlab_s3_connectors.store import ConnectorStore
from jupyterlab_s3_connectors.validation import validate_new_connector

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = ROOT / ".demo"
BUCKET = "demo"
CONNECTOR = "demo"
USER = "demo"
#: How long JupyterLab may take to answer before the demo gives up.
LAB_START_SECONDS = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def png(width: int = 96, height: int = 64) -> bytes:
    """A small gradient image, made here so the demo needs no binary files."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 160)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def notebook() -> bytes:
    cells = [
        {
            "cell_type": "markdown",
            "id": "welcome",
            "metadata": {},
            "source": [
                "# Welcome to the demo bucket\n",
                "\n",
                "This notebook lives in the S3 bucket `demo`.",
            ],
        },
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "hello",
            "metadata": {},
            "outputs": [],
            "source": ["import csv\n", "print('Hello from S3')"],
        },
    ]
    content = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(content, indent=1).encode()


def check_signatures(endpoint: str) -> tuple[str, str]:
    """Turn on moto's key and signature checks; return the demo user's (key ID, secret).

    moto checks nothing until told to; then every request must be signed with a key
    of its IAM, which the demo creates first (a new one at every start: moto keeps
    nothing). moto verifies signed headers only, and would fail on presigned links
    (the "Copy Presigned Link" of the bucket browser): those pass unchecked.
    """
    iam = boto3.client(
        "iam",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="setup",
        aws_secret_access_key="setup",
    )
    iam.create_user(UserName=USER)
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    iam.put_user_policy(UserName=USER, PolicyName="s3", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=USER)["AccessKey"]

    check = ActionAuthenticatorMixin._authenticate_and_authorize_action

    def check_signed_requests(self: Any, iam_request_cls: type, resource: str = "*") -> None:
        if "Authorization" not in self.headers and "X-Amz-Signature" in self.querystring:
            return
        check(self, iam_request_cls, resource)

    ActionAuthenticatorMixin._authenticate_and_authorize_action = check_signed_requests  # type: ignore[method-assign]
    moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    return key["AccessKeyId"], key["SecretAccessKey"]


def seed_bucket(endpoint: str, key_id: str, secret: str) -> None:
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=Config(s3={"addressing_style": "path"}),
    )
    s3.create_bucket(Bucket=BUCKET)
    # Lets a connector with the `direct` backend reach the bucket from the page.
    s3.put_bucket_cors(
        Bucket=BUCKET,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": ["*"],
                    "AllowedMethods": ["GET", "PUT", "POST", "DELETE", "HEAD"],
                    "AllowedHeaders": ["*"],
                    "ExposeHeaders": [
                        "ETag",
                        "x-amz-version-id",
                        "Content-Range",
                        "Content-Length",
                        "Last-Modified",
                    ],
                    "MaxAgeSeconds": 3000,
                }
            ]
        },
    )
    csv = (
        "species,sepal_length,sepal_width\nsetosa,5.1,3.5\nversicolor,7.0,3.2\nvirginica,6.3,3.3\n"
    )
    objects = {
        "README.md": b"# Demo bucket\n\nNotebooks, data and images to try the S3 connector.\n",
        "notebooks/welcome.ipynb": notebook(),
        "data/iris.csv": csv.encode(),
        "data/2024/q1/sales.csv": b"month,sales\nJanuary,120\nFebruary,135\nMarch,150\n",
        "data/2024/q2/sales.csv": b"month,sales\nApril,160\nMay,171\nJune,180\n",
        "images/gradient.png": png(),
        "empty-folder/": b"",
    }
    for key, body in objects.items():
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)


def ensure_connector(store: ConnectorStore, endpoint: str, key_id: str, secret: str) -> None:
    """Create the demo connector once; later runs give it the new port and key."""
    for connector in store.list_connectors():
        if connector.name == CONNECTOR:
            store.update(connector.id, {"endpoint": endpoint, "access_key_id": key_id}, secret)
            return
    fields, secret = validate_new_connector(
        {
            "name": CONNECTOR,
            "description": "The demo bucket on the local S3 server started by make demo.",
            "endpoint": endpoint,
            "bucket": BUCKET,
            "access_key_id": key_id,
            "secret_access_key": secret,
            "mode": "read-write",
            "backend": "proxy",
        },
        default_region="us-east-1",
    )
    store.create(fields, secret, creator=os.environ.get("USER") or "demo")


def wait_until_answering(url: str, lab: subprocess.Popen[bytes]) -> bool:
    """Wait until JupyterLab answers at ``url``; False when it stopped or took too long."""
    deadline = time.monotonic() + LAB_START_SECONDS
    while time.monotonic() < deadline:
        if lab.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - our http URL
                if answer.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass  # not listening yet
        time.sleep(0.25)
    return False


def main() -> int:
    DEMO_DIR.mkdir(mode=0o700, exist_ok=True)
    workspace = DEMO_DIR / "workspace"
    workspace.mkdir(exist_ok=True)
    store_path = DEMO_DIR / "connectors.json"
    key_path = DEMO_DIR / "connectors.key"

    # The S3 server logs every request; the demo shows only problems.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    moto_port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    endpoint = f"http://127.0.0.1:{moto_port}"
    lab: subprocess.Popen[bytes] | None = None
    try:
        key_id, secret = check_signatures(endpoint)
        seed_bucket(endpoint, key_id, secret)
        store = ConnectorStore(str(store_path), KeyProvider(str(key_path)))
        ensure_connector(store, endpoint, key_id, secret)

        port = free_port()
        token = secrets.token_hex(24)
        command = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            f"--ServerApp.root_dir={workspace}",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}",
            f"--S3ConnectorsApp.store_path={store_path}",
            f"--S3ConnectorsApp.key_path={key_path}",
        ]
        if not shutil.which("xdg-open") and not os.environ.get("DISPLAY"):
            command.append("--no-browser")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        print(f"S3 (moto) is serving bucket '{BUCKET}' at {endpoint}", flush=True)
        lab = subprocess.Popen(command)
        # The URL once JupyterLab answers (its /api needs no token).
        if not wait_until_answering(f"http://127.0.0.1:{port}/api", lab):
            print("JupyterLab did not start: see its messages above.", file=sys.stderr)
            return lab.poll() or 1
        print(f"\nJupyterLab: http://127.0.0.1:{port}/lab?token={token}\n", flush=True)
        print("Press Ctrl-C to stop JupyterLab and the S3 server.", flush=True)
        return lab.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if lab is not None and lab.poll() is None:
            lab.send_signal(signal.SIGINT)
            lab.send_signal(signal.SIGINT)
            try:
                lab.wait(timeout=10)
            except subprocess.TimeoutExpired:
                lab.kill()
        moto.stop()


if __name__ == "__main__":
    sys.exit(main())
