"""The creator recorded on a connector: stable across browser sessions."""

from __future__ import annotations

import getpass
import logging
from types import SimpleNamespace

import pytest
from jupyter_server.auth.identity import IdentityProvider, User

from .. import creator
from ..creator import UNKNOWN_CREATOR, creator_name, is_anonymous
from .conftest import connector_body


def anonymous_user() -> User:
    """A user as jupyter_server makes one up for a token-authenticated browser session."""
    handler = SimpleNamespace(log=logging.getLogger("test"))
    return IdentityProvider().generate_anonymous_user(handler)  # type: ignore[arg-type]


def test_made_up_users_are_anonymous():
    assert is_anonymous(anonymous_user())
    assert is_anonymous(None)
    assert not is_anonymous(User(username="alice", name="Alice Liddell"))
    # A person whose name happens to start with "Anonymous" is still a person.
    assert not is_anonymous(User(username="anon", name="Anonymous Coward"))


def test_anonymous_users_are_recorded_as_the_server_account(monkeypatch):
    monkeypatch.setattr(getpass, "getuser", lambda: "jovyan")
    assert creator_name(anonymous_user()) == "jovyan"
    assert creator_name(anonymous_user()) == "jovyan"  # another session, the same creator
    assert creator_name(None) == "jovyan"


@pytest.mark.parametrize("error", [OSError("no login name"), KeyError("uid 1234")])
def test_an_unknown_server_account_falls_back(monkeypatch, error):
    def getuser() -> str:
        raise error

    monkeypatch.setattr(getpass, "getuser", getuser)
    assert creator.server_user() == ""
    assert creator_name(anonymous_user()) == UNKNOWN_CREATOR


def test_known_users_are_recorded_by_their_display_name():
    assert creator_name(User(username="alice", name="Alice Liddell")) == "Alice Liddell"
    assert creator_name(User(username="bob", name="Bob", display_name="Bobby")) == "Bobby"
    assert creator_name(User(username="carol")) == "carol"


async def test_token_sessions_record_the_server_account(api, monkeypatch):
    """With the default identity provider, each token request is a new anonymous user."""
    monkeypatch.setattr(getpass, "getuser", lambda: "jovyan")
    first = await api("POST", "connectors", body=connector_body(name="first"))
    second = await api("POST", "connectors", body=connector_body(name="second"))
    assert (first.code, second.code) == (201, 201)
    assert first.json["creator"] == second.json["creator"] == "jovyan"
