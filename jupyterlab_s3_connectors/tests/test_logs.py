"""No encryption key in a log line, even with the server's log level at DEBUG."""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet

from ..redact import REDACTED, redact
from .conftest import SECRET, connector_body

LITERAL_KEY = Fernet.generate_key().decode()
ENV_KEY = Fernet.generate_key().decode()


def all_log_text(caplog, capfd) -> str:
    records = [record for phase in ("setup", "call") for record in caplog.get_records(phase)]
    out, err = capfd.readouterr()
    return "\n".join(r.getMessage() for r in records) + out + err


class TestDebugLogs:
    @pytest.fixture
    def extension_config(self):
        return {"encryption_keys": [LITERAL_KEY]}

    @pytest.fixture
    def server_app_config(self):
        return {"log_level": "DEBUG"}

    async def test_no_key_and_no_secret_in_debug_logs(self, api, caplog, capfd):
        caplog.set_level(logging.DEBUG)
        created = await api("POST", "connectors", body=connector_body(backend="direct"))
        assert created.code == 201
        await api("POST", "connectors", created.json["id"], "activate")
        granted = await api("GET", "connectors", created.json["id"], "credentials")
        assert granted.code == 200
        text = all_log_text(caplog, capfd)
        assert "Config changed" in text  # traitlets did log the configuration
        assert "encryption_keys" in text
        assert LITERAL_KEY not in text
        assert SECRET not in text


class TestKeysFromTheEnvironment:
    @pytest.fixture
    def extension_config(self, monkeypatch):
        monkeypatch.setenv("S3C_TEST_KEY", ENV_KEY)
        return {"encryption_keys": ["env:S3C_TEST_KEY"]}

    @pytest.fixture
    def server_app_config(self):
        return {"log_level": "DEBUG"}

    async def test_env_keys_work_and_stay_out_of_logs(
        self, api, caplog, capfd, store_path, key_path
    ):
        caplog.set_level(logging.DEBUG)
        created = await api("POST", "connectors", body=connector_body())
        assert created.code == 201
        assert not key_path.exists()  # the configured key, not a key file
        from ..crypto import KeyProvider
        from ..store import ConnectorStore

        store = ConnectorStore(str(store_path), KeyProvider(str(key_path), [ENV_KEY]))
        assert store.credentials(created.json["id"]).secret_access_key == SECRET
        assert ENV_KEY not in all_log_text(caplog, capfd)


def test_redact_replaces_keys_in_config_dumps():
    key = Fernet.generate_key().decode()
    config = {"S3ConnectorsApp": {"encryption_keys": [key, "env:X"]}}
    assert redact(f"Config changed: {config!r}") == (
        "Config changed: {'S3ConnectorsApp': {'encryption_keys': ['<redacted>', 'env:X']}}"
    )
    # A token of that shape elsewhere is left alone.
    assert redact(f"etag {key}") == f"etag {key}"


def test_a_config_logged_as_an_argument_is_redacted(caplog):
    from traitlets.config import Config

    key = Fernet.generate_key().decode()
    caplog.set_level(logging.DEBUG, logger="s3c-test")
    config = Config({"S3ConnectorsApp": {"encryption_keys": [key]}})
    logging.getLogger("s3c-test").debug("Config changed: %r", config)  # as traitlets does
    assert "Config changed" in caplog.text
    assert key not in caplog.text
    assert REDACTED in caplog.text
