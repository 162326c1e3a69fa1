"""Server configuration for the Galata UI tests.

    jupyter lab --config jupyter_server_test_config.py

- galata's test settings (no token, no XSRF check, app exposed as `window.jupyterapp`);
- the S3 connectors store and key in `ui-tests/.server-data/`, wiped at every start so
  each run begins with no connector;
- a moto S3 server on 127.0.0.1 (free port) with a bucket `galata`, started here, in the
  Jupyter server's process, and stopped at exit. Its endpoint is written to
  `ui-tests/.moto-endpoint.json` for the tests.

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

ENDPOINT_FILE.write_text(json.dumps({"endpoint": MOTO_ENDPOINT, "bucket": BUCKET}) + "\n")
print(f"[ui-tests] moto S3 server at {MOTO_ENDPOINT}, bucket '{BUCKET}'", flush=True)
