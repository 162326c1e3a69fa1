"""The jupyter_server extension: configuration (traitlets), the store and the handlers."""

from __future__ import annotations

import asyncio
import os

from jupyter_core.paths import jupyter_runtime_dir
from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Dict, Float, Int, List, Unicode, default, validate

from . import __version__
from .catalogs import Catalog, parse_catalogs
from .crypto import KeyProvider
from .errors import StoreError
from .handlers import ProxyOptions, ServerOptions, api_handlers, proxy_handlers
from .handlers.pool import UpstreamPool
from .locations import KernelEnvironment, default_key_path, default_store_path
from .mounts import MountSupervisor, probe_environment
from .mounts.hooks import guard_read_only_mounts, read_only_mount_hook
from .redact import register_secret
from .registry import ConnectorRegistry
from .store import ConnectorStore
from .uploads import UploadRegistry
from .validation import validate_region


class S3ConnectorsApp(ExtensionApp):
    """S3 connectors: S3-compatible buckets as JupyterLab storage."""

    name = "jupyterlab_s3_connectors"

    store_path = Unicode(
        config=True,
        help="""Path of the JSON file holding the connectors (written with mode 0600).
        Default: <jupyter data dir>/s3_connectors/connectors.json.""",
    )

    key_path = Unicode(
        config=True,
        help="""Path of the file holding the Fernet key that encrypts the connectors' secret
        keys. It is created with mode 0600 the first time a secret is stored. Unused when
        encryption_keys is set. Default: <jupyter data dir>/s3_connectors/connectors.key.""",
    )

    encryption_keys = List(
        Unicode(),
        config=True,
        help="""Fernet keys that encrypt the connectors' secret keys, instead of the key file.
        The first key encrypts; every key decrypts, so a new key can be put first to rotate.
        Each entry is a key, `env:NAME` (the key is in that environment variable) or
        `file:PATH` (a file of keys, one a line). Keys never appear in log lines; with
        env: or file: they are not in the configuration either. Generate one with
        `python -c "from cryptography.fernet import Fernet;
        print(Fernet.generate_key().decode())"`.""",
    )

    rotate_keys_at_start = Bool(
        False,
        config=True,
        help="""Re-encrypt every stored secret under the first encryption key when the server
        starts (one atomic write), so the other keys can then be retired. The same as the
        jupyter-s3-connectors-rotate-keys command.""",
    )

    allow_direct_backend = Bool(
        True,
        config=True,
        help="""Whether connectors may use the 'direct' backend, which gives the browser the
        secret key so it can talk to the endpoint itself. When False, only the 'proxy'
        backend can be chosen and the secret never leaves the server.""",
    )

    connection_timeout = Float(
        10.0,
        config=True,
        help="""Seconds to wait when connecting to an S3 endpoint, and the idle timeout of the
        proxy: a request ends with a 504 once no byte has moved for this long.""",
    )

    proxy_request_timeout = Float(
        0.0,
        config=True,
        help="""Seconds a request through the S3 proxy may take in all, from connecting to the
        endpoint to the last byte of the answer; 0 (the default) sets no limit, so a long
        transfer that keeps moving takes as long as it needs. Whatever this is, a request
        ends with a 504 once no byte has moved for connection_timeout seconds.""",
    )

    proxy_max_body_size = Int(
        5 * 1024**3,
        config=True,
        help="""Largest request body, in bytes, the S3 proxy accepts (default 5 GiB, the
        largest single S3 upload). Bodies are streamed to the endpoint, not held in memory.""",
    )

    default_region = Unicode(
        "us-east-1",
        config=True,
        help="Region used for connectors that do not set one.",
    )

    catalogs = List(
        Dict(),
        config=True,
        help="""Catalogs of published connectors, shared by the servers of a team. Each is
        {"name": ..., "directory": ..., "keys": [...]}: a directory that the members'
        servers read (and, for those who may publish, write), and the Fernet keys the
        members share to encrypt the published secrets (each a key, 'env:NAME' or
        'file:PATH', as in encryption_keys). With "read_only": true, the directory holds
        connectors an administrator provides, whose files name their secret
        ("secret_access_key_env" or "secret_access_key_file") or use the server's own AWS
        credentials ("credentials": "server"); such a catalog needs no keys. An optional
        "title" is shown in the panel.""",
    )

    mount_root = Unicode(
        "s3",
        config=True,
        help="""Folder in which connectors with a mount backend (s3fs, rclone) are mounted,
        each at <mount_root>/<connector name>: relative to the server's root_dir (the
        default, "s3", shows them in the file browser as s3/<name>/), or absolute. Kernels
        started by the server find it in JUPYTERLAB_S3_CONNECTORS_MOUNT_ROOT.""",
    )

    s3fs_command = Unicode(
        "s3fs",
        config=True,
        help="The s3fs-fuse command (a name looked up in PATH, or a path) of the s3fs backend.",
    )

    rclone_command = Unicode(
        "rclone",
        config=True,
        help="The rclone command (a name looked up in PATH, or a path) of the rclone backend.",
    )

    fusermount_command = Unicode(
        "fusermount3",
        config=True,
        help="The command that unmounts FUSE mounts (fuse3's fusermount3).",
    )

    mount_timeout = Float(
        30.0,
        config=True,
        help="""Seconds a mount tool may take to mount a bucket and list its top folder
        before the mount is reported as failed.""",
    )

    @default("store_path")
    def _default_store_path(self) -> str:
        return default_store_path()

    @default("key_path")
    def _default_key_path(self) -> str:
        return default_key_path()

    @validate("default_region")
    def _validate_default_region(self, proposal):
        try:
            return validate_region(proposal["value"], "us-east-1")
        except ValueError as error:
            raise ValueError(f"S3ConnectorsApp.default_region: {error}") from None

    @validate("encryption_keys")
    def _validate_encryption_keys(self, proposal):
        for value in proposal["value"]:
            if not value.startswith(("env:", "file:")):
                register_secret(value.strip())
        return proposal["value"]

    @validate("catalogs")
    def _validate_catalogs(self, proposal):
        parse_catalogs(proposal["value"])  # raises ValueError naming the entry
        for entry in proposal["value"]:
            for value in entry.get("keys", []) if isinstance(entry.get("keys"), list) else []:
                if isinstance(value, str) and not value.startswith(("env:", "file:")):
                    register_secret(value.strip())
        return proposal["value"]

    @validate("mount_timeout")
    def _validate_mount_timeout(self, proposal):
        if proposal["value"] <= 0:
            raise ValueError("S3ConnectorsApp.mount_timeout must be positive.")
        return proposal["value"]

    @validate("connection_timeout")
    def _validate_connection_timeout(self, proposal):
        if proposal["value"] <= 0:
            raise ValueError("S3ConnectorsApp.connection_timeout must be positive.")
        return proposal["value"]

    @validate("proxy_max_body_size")
    def _validate_positive(self, proposal):
        if proposal["value"] <= 0:
            raise ValueError(f"S3ConnectorsApp.{proposal['trait'].name} must be positive.")
        return proposal["value"]

    @validate("proxy_request_timeout")
    def _validate_request_timeout(self, proposal):
        if proposal["value"] < 0:
            raise ValueError("S3ConnectorsApp.proxy_request_timeout must be 0 or positive.")
        return proposal["value"]

    def initialize_settings(self) -> None:
        keys = KeyProvider(os.path.expanduser(self.key_path), self.encryption_keys)
        self.store = ConnectorStore(os.path.expanduser(self.store_path), keys)
        self.registry = ConnectorRegistry(
            self.store, [Catalog(spec) for spec in parse_catalogs(self.catalogs)]
        )
        self.options = ServerOptions(
            version=__version__,
            allow_direct_backend=self.allow_direct_backend,
            default_region=self.default_region,
            connection_timeout=self.connection_timeout,
        )
        self.log.info("S3 connectors are stored in %s", self.store.path)
        try:
            self.store.clean_leftovers()
            if self.rotate_keys_at_start:
                changed = self.store.rotate_secrets()
                self.log.info("Re-encrypted %d S3 connector secret(s) under the first key", changed)
        except StoreError as error:
            self.log.error("S3 connectors store error: %s", error.message)
        self._export_to_kernels()
        self._initialize_mounts()

    def _export_to_kernels(self) -> None:
        """Tell the kernels this server starts (they inherit os.environ) where the store and
        its keys are, for `jupyterlab_s3_connectors.connector` and `s3c://` URLs."""
        self.kernel_environment = KernelEnvironment()
        self.kernel_environment.export(
            store_path=self.store.path,
            key_path=self.key_path,
            encryption_keys=self.encryption_keys,
            default_region=self.default_region,
            runtime_dir=jupyter_runtime_dir(),
            catalogs=self.catalogs,
        )

    def _initialize_mounts(self) -> None:
        """The mount supervisor, and the mount root in the environment of kernels."""
        assert self.serverapp is not None
        root_dir = os.path.abspath(os.path.expanduser(self.serverapp.root_dir))
        mount_root = os.path.join(root_dir, os.path.expanduser(self.mount_root))
        commands = {
            "s3fs": self.s3fs_command,
            "rclone": self.rclone_command,
            "fusermount3": self.fusermount_command,
        }
        self.mounts = MountSupervisor(
            mount_root=mount_root,
            root_dir=root_dir,
            runtime_dir=os.path.join(jupyter_runtime_dir(), "s3_connectors_mounts"),
            probe=lambda: probe_environment(commands),
            commands=commands,
            mount_timeout=self.mount_timeout,
        )
        os.environ["JUPYTERLAB_S3_CONNECTORS_MOUNT_ROOT"] = self.mounts.mount_root
        contents_manager = getattr(self.serverapp, "contents_manager", None)
        if contents_manager is not None and hasattr(contents_manager, "register_pre_save_hook"):
            contents_manager.register_pre_save_hook(read_only_mount_hook(self.mounts))
            guard_read_only_mounts(self.mounts, contents_manager)

    async def _start_jupyter_server_extension(self, serverapp) -> None:
        """Mount the active connectors with a mount backend again (the loop is running)."""
        await self.start_mounts()

    async def start_mounts(self) -> None:
        try:
            connectors = await asyncio.to_thread(self.registry.all_connectors)
        except StoreError as error:
            self.log.error("S3 connectors store error: %s", error.message)
            return
        await self.mounts.start(connectors, self.registry.credentials_of)

    def initialize_handlers(self) -> None:
        self.handlers.extend(api_handlers(self.store, self.options, self.registry, self.mounts))
        self.upstream_pool = UpstreamPool()
        proxy_options = ProxyOptions(
            request_timeout=self.proxy_request_timeout,
            max_body_size=self.proxy_max_body_size,
            uploads=UploadRegistry(),
            pool=self.upstream_pool,
        )
        self.handlers.extend(proxy_handlers(self.store, self.options, proxy_options, self.registry))

    async def stop_extension(self) -> None:
        """Unmount the mounted connectors; close the proxy's idle connections."""
        pool = getattr(self, "upstream_pool", None)
        if pool is not None:
            pool.close()
        kernel_environment = getattr(self, "kernel_environment", None)
        if kernel_environment is not None:
            kernel_environment.restore()
        mounts = getattr(self, "mounts", None)
        if mounts is not None:
            await mounts.shutdown()
