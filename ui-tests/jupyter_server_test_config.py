"""Server configuration for the Galata UI tests.

    jupyter lab --config jupyter_server_test_config.py

- galata's test settings (no token, no XSRF check, app exposed as `window.jupyterapp`);
- the S3 connectors store and key in `ui-tests/.server-data/`, wiped at every start so
  each run begins with no connector;
- a moto S3 server on 127.0.0.1 (free port) with a bucket `galata`, started here, in the
  Jupyter server's process, and stopped at exit. Its endpoint is written to
  `ui-tests/.moto-endpoint.json` for the tests;
- for the bucket-browser tests (tests/drive.spec.ts): a bucket `galata-drive` with
  nested folders, notebooks and text files, and a bucket `galata-direct` with a CORS
  rule for the `direct` backend;
- a second S3 implementation, s3rver (npm, from the repository's node_modules), on
  127.0.0.1 with a bucket `galata-s3rver` that has a CORS rule; its endpoint is written
  to `ui-tests/.s3rver-endpoint.json` (tests/integrity.spec.ts).

Never use this configuration outside tests: it removes every security protection.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

from jupyter_core.paths import jupyter_path
from jupyterlab.galata import configure_jupyter_server

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA_DIR = HERE / ".server-data"
ENDPOINT_FILE = HERE / ".moto-endpoint.json"
EXTENSION_NAME = "jupyterlab-s3-connectors"
BUCKET = "galata"

c = get_config()  # type: ignore[name-defined]  # noqa: F821

configure_jupyter_server(c)
c.ServerApp.allow_root = True
# The main file browser says "Move to Trash" (tests/browser-refresh.spec.ts checks that the
# bucket browsers, whose deletion is permanent, say "Delete" all the same).
c.FileContentsManager.delete_to_trash = True
# Keep clear of a JupyterLab someone may run on 8888; playwright.config.js uses the same port.
c.ServerApp.port = int(os.environ.get("UI_TESTS_PORT", "8890"))

# --- a fresh store for every run --------------------------------------------------------
shutil.rmtree(DATA_DIR, ignore_errors=True)
DATA_DIR.mkdir(parents=True)
c.S3ConnectorsApp.store_path = str(DATA_DIR / "connectors.json")
c.S3ConnectorsApp.key_path = str(DATA_DIR / "connectors.key")

# --- our extension, installed or straight from the source tree -------------------------
c.ServerApp.jpserver_extensions = {"jupyterlab_s3_connectors": True}
if importlib.util.find_spec("jupyterlab_s3_connectors") is None:
    # Not pip-installed: use the source tree (the server imports it in this process).
    sys.path.insert(0, str(REPO))

extra_paths = c.LabServerApp.extra_labextensions_path
extra_paths = [extra_paths] if isinstance(extra_paths, str) else list(extra_paths)
installed = any(
    (Path(p) / "labextensions" / EXTENSION_NAME / "package.json").exists() for p in jupyter_path()
)
if not installed:
    # Not installed (nor `jupyter labextension develop`-ed): serve the built bundle from the
    # source tree through a link named after the package.
    built = REPO / "jupyterlab_s3_connectors" / "labextension"
    if not (built / "package.json").exists():
        raise SystemExit(f"{built} is missing: run `jlpm build` at the repository root first.")
    links = DATA_DIR / "labextensions"
    links.mkdir()
    (links / EXTENSION_NAME).symlink_to(built, target_is_directory=True)
    extra_paths.append(str(links))
c.LabServerApp.extra_labextensions_path = extra_paths

# --- a real S3 server: moto -------------------------------------------------------------
os.environ.setdefault("AWS_ACCESS_KEY_ID", "galata")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "galata-secret")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
for name in ("NO_PROXY", "no_proxy"):
    os.environ[name] = ",".join(filter(None, [os.environ.get(name), "127.0.0.1", "localhost"]))

import logging  # noqa: E402

import boto3  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per S3 request otherwise
_moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
_moto.start()
_host, _port = _moto.get_host_and_port()
MOTO_ENDPOINT = f"http://127.0.0.1:{_port}"


def _stop_moto() -> None:
    try:
        _moto.stop()
    finally:
        ENDPOINT_FILE.unlink(missing_ok=True)


atexit.register(_stop_moto)

_s3 = boto3.client("s3", endpoint_url=MOTO_ENDPOINT, region_name="us-east-1")
_s3.create_bucket(Bucket=BUCKET)
_s3.put_object(Bucket=BUCKET, Key="README.md", Body=b"# A bucket for the UI tests\n")
_s3.put_object(Bucket=BUCKET, Key="data/numbers.csv", Body=b"n\n1\n2\n3\n")

# --- buckets of the bucket-browser tests (tests/drive.spec.ts) ---------------------------
DRIVE_BUCKET = "galata-drive"
DIRECT_BUCKET = "galata-direct"


def _notebook(*sources: str) -> bytes:
    """A small nbformat 4.5 notebook (cells with ids) with a python3 kernelspec."""
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": f"cell-{index}",
            "metadata": {},
            "outputs": [],
            "source": source,
        }
        for index, source in enumerate(sources)
    ]
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return (json.dumps(notebook, indent=1) + "\n").encode()


_s3.create_bucket(Bucket=DRIVE_BUCKET)
for _key, _body in {
    "README.md": b"# The bucket of the drive UI tests\n",
    "data/readme.txt": b"Sales by quarter.\n",
    "data/2024/q1/sales.csv": b"region,amount\nnorth,10\nsouth,20\n",
    "data/2024/q2/sales.csv": b"region,amount\nnorth,30\n",
    "notebooks/analysis.ipynb": _notebook("total = 1 + 1", "print(total)"),
    "notebooks/reload.ipynb": _notebook("reloaded_marker = 'survives a reload'"),
    "notes/draft.txt": b"A draft that must not change.\n",
    "notes/readonly.txt": b"Nobody may change this line.\n",
    # An object beside a folder of the same name: the object shows as `\u2400=odd`.
    "odd": b"an object named like a folder\n",
    "odd/inside.txt": b"inside the folder\n",
}.items():
    _s3.put_object(Bucket=DRIVE_BUCKET, Key=_key, Body=_body)

# A bucket for the `direct` backend: the browser talks to moto, so it needs CORS.
_s3.create_bucket(Bucket=DIRECT_BUCKET)
_s3.put_bucket_cors(
    Bucket=DIRECT_BUCKET,
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
                "MaxAgeSeconds": 600,
            }
        ]
    },
)
_s3.put_object(Bucket=DIRECT_BUCKET, Key="direct/hello.txt", Body=b"hello from the direct bucket\n")

ENDPOINT_FILE.write_text(json.dumps({"endpoint": MOTO_ENDPOINT, "bucket": BUCKET}) + "\n")
print(f"[ui-tests] moto S3 server at {MOTO_ENDPOINT}, bucket '{BUCKET}'", flush=True)

# --- a second S3 implementation: s3rver ---------------------------------------------------
import socket  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

S3RVER_BUCKET = "galata-s3rver"
S3RVER_ENDPOINT_FILE = HERE / ".s3rver-endpoint.json"
_S3RVER_CORS = """<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>POST</AllowedMethod><AllowedMethod>DELETE</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader><ExposeHeader>Content-Length</ExposeHeader>
    <ExposeHeader>Content-Range</ExposeHeader><ExposeHeader>Last-Modified</ExposeHeader>
    <ExposeHeader>x-amz-version-id</ExposeHeader>
    <MaxAgeSeconds>600</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_s3rver_dir = DATA_DIR / "s3rver"
_s3rver_dir.mkdir()
(DATA_DIR / "s3rver-cors.xml").write_text(_S3RVER_CORS)
_s3rver_port = _free_port()
# Its continuation tokens use DES, which Node 20 only has with the legacy provider.
_s3rver = subprocess.Popen(  # noqa: S603 - our own command line
    [
        shutil.which("node") or "node",
        "--openssl-legacy-provider",
        str(REPO / "node_modules" / "s3rver" / "bin" / "s3rver.js"),
        "--directory",
        str(_s3rver_dir),
        "--address",
        "127.0.0.1",
        "--port",
        str(_s3rver_port),
        "--silent",
        "--configure-bucket",
        S3RVER_BUCKET,
        str(DATA_DIR / "s3rver-cors.xml"),
    ],
    stdout=subprocess.DEVNULL,
)
S3RVER_ENDPOINT = f"http://127.0.0.1:{_s3rver_port}"
for _attempt in range(300):
    if _s3rver.poll() is not None:
        raise SystemExit("s3rver could not start: run `jlpm install` at the repository root.")
    try:
        urllib.request.urlopen(S3RVER_ENDPOINT, timeout=1)
        break
    except urllib.error.HTTPError:
        break  # it answers (an S3 error for the anonymous request)
    except OSError:
        time.sleep(0.1)


def _stop_s3rver() -> None:
    _s3rver.terminate()
    S3RVER_ENDPOINT_FILE.unlink(missing_ok=True)


atexit.register(_stop_s3rver)
S3RVER_ENDPOINT_FILE.write_text(
    json.dumps({"endpoint": S3RVER_ENDPOINT, "bucket": S3RVER_BUCKET}) + "\n"
)
print(f"[ui-tests] s3rver at {S3RVER_ENDPOINT}, bucket '{S3RVER_BUCKET}'", flush=True)

# --- catalogs (tests/catalogs.spec.ts) ----------------------------------------------------
# `team`: connectors that users publish, encrypted with the team's key. `it`: connectors the
# administrator provides; `shared-galata` reads the `galata` bucket with the server's own
# AWS credentials (the environment above), so no key is in its file.
from cryptography.fernet import Fernet  # noqa: E402

_catalogs = DATA_DIR / "catalogs"
(_catalogs / "team").mkdir(parents=True)
(_catalogs / "it").mkdir()
_team_key = _catalogs / "team.key"
_team_key.write_bytes(Fernet.generate_key() + b"\n")
_team_key.chmod(0o640)
_admin_file = _catalogs / "it" / "shared-galata.json"
_admin_file.write_text(
    json.dumps(
        {
            "name": "shared-galata",
            "description": "Provided by the administrator",
            "endpoint": MOTO_ENDPOINT,
            "region": "us-east-1",
            "bucket": BUCKET,
            "mode": "read-only",
            "credentials": "server",
        }
    )
)
_admin_file.chmod(0o640)
c.S3ConnectorsApp.catalogs = [
    {
        "name": "team",
        "title": "Team",
        "directory": str(_catalogs / "team"),
        "keys": [f"file:{_team_key}"],
    },
    {"name": "it", "title": "IT", "directory": str(_catalogs / "it"), "read_only": True},
]
