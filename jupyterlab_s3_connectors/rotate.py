"""``jupyter-s3-connectors-rotate-keys``: re-encrypt every stored secret under the first key.

Reads the same configuration as the server (``S3ConnectorsApp.store_path``, ``key_path``,
``encryption_keys`` in ``jupyter_server_config``), so it rotates the store the server uses:

1. put the new key first (``--generate-key`` does it for a key file; with
   ``encryption_keys``, list the new key first and keep the old one after it);
2. run this command (or start the server once with
   ``S3ConnectorsApp.rotate_keys_at_start = True``): every secret is re-encrypted under the
   first key, in one atomic write of the store;
3. retire the old key (``--retire-old-keys`` for a key file, after the re-encryption).

Each step leaves a store every configured key set can open, so a crash between steps loses
nothing. Also: ``python -m jupyterlab_s3_connectors.rotate``.
"""

from __future__ import annotations

import os
import sys

from cryptography.fernet import Fernet
from jupyter_core.application import JupyterApp
from traitlets import Bool, default

from .app import S3ConnectorsApp
from .crypto import KeyProvider, fingerprint
from .errors import StoreError
from .store import ConnectorStore


class RotateKeysApp(JupyterApp):
    """Re-encrypts the S3 connectors' secrets under the first encryption key."""

    name = "jupyter-s3-connectors-rotate-keys"
    description = __doc__
    classes = [S3ConnectorsApp]  # noqa: RUF012 - traitlets reads these class attributes

    generate_key = Bool(
        False,
        config=True,
        help="Before re-encrypting, put a newly generated key first in the key file.",
    )
    retire_old_keys = Bool(
        False,
        config=True,
        help="After re-encrypting, keep only the first key in the key file.",
    )

    flags = {  # noqa: RUF012
        **JupyterApp.flags,
        "generate-key": (
            {"RotateKeysApp": {"generate_key": True}},
            "Put a new key first in the key file before re-encrypting.",
        ),
        "retire-old-keys": (
            {"RotateKeysApp": {"retire_old_keys": True}},
            "Keep only the first key in the key file once every secret uses it.",
        ),
    }
    aliases = {  # noqa: RUF012
        **JupyterApp.aliases,
        "store-path": "S3ConnectorsApp.store_path",
        "key-path": "S3ConnectorsApp.key_path",
    }

    @default("config_file_name")
    def _default_config_file_name(self) -> str:
        return "jupyter_server_config"

    def start(self) -> None:
        settings = S3ConnectorsApp(config=self.config)
        keys = KeyProvider(os.path.expanduser(settings.key_path), settings.encryption_keys)
        store = ConnectorStore(os.path.expanduser(settings.store_path), keys)
        try:
            if self.generate_key or self.retire_old_keys:
                if not keys.uses_key_file:
                    self.exit_with(
                        "--generate-key and --retire-old-keys change the key file; with "
                        "S3ConnectorsApp.encryption_keys, edit that list instead."
                    )
            if self.generate_key:
                new_key = Fernet.generate_key()
                keys.write_key_file([new_key, *keys.key_file_keys()])
                print(f"Added key {fingerprint(new_key)} first in {keys.key_path}.")
            changed = store.rotate_secrets()
            print(f"Re-encrypted {changed} secret(s) in {store.path} under the first key.")
            if self.retire_old_keys:
                current = keys.key_file_keys()
                if len(current) > 1:
                    keys.write_key_file(current[:1])
                    print(f"Retired {len(current) - 1} old key(s) from {keys.key_path}.")
        except StoreError as error:
            self.exit_with(error.message)

    def exit_with(self, message: str) -> None:
        print(message, file=sys.stderr)
        self.exit(1)


main = RotateKeysApp.launch_instance

if __name__ == "__main__":
    main()
