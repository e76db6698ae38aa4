"""Every event type the code writes has a JSON Schema in schema/events/, and its example validates against it."""
import glob
import json
import os
import subprocess

import jsonschema
import pytest

from conftest import ROOT, binary

SCHEMAS = os.path.join(ROOT, "schema", "events")


def load(path):
    with open(path) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def examples():
    out = subprocess.run([binary("authctl"), "schema-examples"], check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_every_event_type_has_a_schema_and_its_example_validates():
    events = examples()
    assert len(events) >= 14
    envelope = load(os.path.join(SCHEMAS, "envelope.v1.json"))
    checker = jsonschema.FormatChecker()
    for event in events:
        jsonschema.validate(event, envelope, format_checker=checker)
        path = os.path.join(SCHEMAS, event["type"], f"v{event['version']}.json")
        assert os.path.exists(path), f"no schema for {event['type']} v{event['version']} at {path}"
        jsonschema.validate(event["payload"], load(path), format_checker=checker)


def test_no_schema_without_a_type_in_code():
    current = {(e["type"], e["version"]) for e in examples()}
    for path in glob.glob(os.path.join(SCHEMAS, "*", "v*.json")):
        event_type = os.path.basename(os.path.dirname(path))
        version = int(os.path.basename(path)[1:-5])
        # Older versions stay (readable through upcasters); the type itself must still exist in code.
        assert any(t == event_type and v >= version for t, v in current), f"stale schema {path}"


def test_a_schema_rejects_a_wrong_payload():
    schema = load(os.path.join(SCHEMAS, "session.created", "v1.json"))
    bad = {"session_id": "ses_abcdefghijkl", "user_id": "usr_abcdefghijkl", "token": "raw-token-must-not-be-here"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
