"""The real server answers api_contract.json, the exchanges the frontend's fake API plays.

src/__tests__/connectors/contract.spec.ts replays the same file against the fake API of
the model's tests: when the server's answers change, one of the two fails.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

CONTRACT = Path(__file__).with_name("api_contract.json")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(value: Any, values: dict[str, str]) -> Any:
    """``value`` with every ``{name}`` replaced from ``values``."""
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda m: values[m.group(1)], value)
    if isinstance(value, list):
        return [fill(item, values) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, values) for key, item in value.items()}
    return value


def mismatches(actual: Any, expected: Any, where: str = "body") -> list[str]:
    """Where ``actual`` differs from the contract's ``expected`` (empty when it matches)."""
    if expected == "<string>":
        return [] if isinstance(actual, str) else [f"{where}: {actual!r} is not a string"]
    if expected == "<object>":
        return [] if isinstance(actual, dict) else [f"{where}: {actual!r} is not an object"]
    if expected == "<timestamp>":
        ok = isinstance(actual, str) and TIMESTAMP.match(actual)
        return [] if ok else [f"{where}: {actual!r} is not an ISO 8601 UTC time"]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: {actual!r} is not an object"]
        if set(actual) != set(expected):
            return [f"{where}: keys {sorted(actual)} instead of {sorted(expected)}"]
        return [
            m for key in expected for m in mismatches(actual[key], expected[key], f"{where}.{key}")
        ]
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: {actual!r} is not a list of {len(expected)}"]
        return [
            m
            for i, item in enumerate(expected)
            for m in mismatches(actual[i], item, f"{where}[{i}]")
        ]
    return (
        []
        if actual == expected and type(actual) is type(expected)
        else [f"{where}: {actual!r} instead of {expected!r}"]
    )


def test_the_matcher_can_fail() -> None:
    assert mismatches({"a": 1}, {"a": 1}) == []
    assert mismatches({"a": 1, "b": 2}, {"a": 1}) != []
    assert mismatches({"a": True}, {"a": 1}) != []
    assert mismatches({"t": "2026-11-28 04:00"}, {"t": "<timestamp>"}) != []
    assert mismatches([1], []) != []
    assert mismatches(None, "<string>") != []
    assert mismatches("x", "<object>") != []
    assert mismatches({"a": 1}, "<object>") == []


async def test_the_server_answers_the_contract(api, moto_endpoint) -> None:
    contract = json.loads(CONTRACT.read_text(encoding="utf-8"))
    values = {"endpoint": moto_endpoint}
    for number, exchange in enumerate(contract["exchanges"]):
        request = fill(exchange["request"], values)
        answer = await api(request["method"], *request["path"].split("/"), body=request.get("body"))
        label = f"exchange {number}: {request['method']} {request['path']}"
        assert answer.code == exchange["status"], (label, answer)
        assert mismatches(answer.json, fill(exchange["body"], values)) == [], label
        for name, key in exchange.get("capture", {}).items():
            values[name] = answer.json[key]
