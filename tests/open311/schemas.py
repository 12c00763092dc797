"""JSON Schemas of GeoReport v2 answers, written from the specification's tables.

Each schema lists every field the specification names for that answer with its type; the
fields the specification marks required are required. `additionalProperties` is false so a
misspelt field fails. Times are W3C date-times with a zone (the specification's "w3 format").
Sources: GeoReport v2 — Service Discovery, GET Service List, GET Service Definition, POST
Service Request, GET Service Requests, GET Service Request, GET request_id from token; and
FixMyStreet's servicerequestupdates extension (GET and POST).
"""
from __future__ import annotations

from typing import Any

W3C = {"type": "string",
       "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"}
TEXT = {"type": "string"}
MAYBE_TEXT = {"type": ["string", "null"]}


def _array_of(item: dict[str, Any], at_least: int = 0) -> dict[str, Any]:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "array",
            "items": item, "minItems": at_least}


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required,
            "additionalProperties": False}


DISCOVERY = {"$schema": "https://json-schema.org/draft/2020-12/schema", **_object({
    "changeset": W3C, "contact": TEXT, "key_service": TEXT,
    "endpoints": {"type": "array", "minItems": 1, "items": _object({
        "specification": TEXT, "url": TEXT, "changeset": W3C,
        "type": {"enum": ["production", "test"]},
        "formats": {"type": "array", "items": TEXT, "minItems": 1}},
        ["specification", "url", "changeset", "type", "formats"])}},
    ["changeset", "contact", "key_service", "endpoints"])}

SERVICE_LIST = _array_of(_object({
    "service_code": TEXT, "service_name": TEXT, "description": TEXT,
    "metadata": {"type": "boolean"}, "type": {"enum": ["realtime", "batch", "blackbox"]},
    "keywords": TEXT, "group": TEXT},
    ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]),
    at_least=1)

ATTRIBUTE = _object({
    "variable": {"type": "boolean"}, "code": TEXT,
    "datatype": {"enum": ["string", "number", "datetime", "text", "singlevaluelist",
                          "multivaluelist"]},
    "required": {"type": "boolean"}, "datatype_description": TEXT,
    "order": {"type": "integer"}, "description": TEXT,
    "values": {"type": "array", "items": _object({"key": TEXT, "name": TEXT},
                                                  ["key", "name"])}},
    ["variable", "code", "datatype", "required", "datatype_description", "order",
     "description"])

SERVICE_DEFINITION = {"$schema": "https://json-schema.org/draft/2020-12/schema", **_object({
    "service_code": TEXT, "attributes": {"type": "array", "items": ATTRIBUTE}},
    ["service_code", "attributes"])}

# POST Service Request: service_request_id or token (at least one), service_notice, account_id.
POSTED = _array_of({**_object({"service_request_id": TEXT, "token": TEXT,
                                "service_notice": MAYBE_TEXT, "account_id": MAYBE_TEXT}, []),
                    "anyOf": [{"required": ["service_request_id"]}, {"required": ["token"]}]},
                   at_least=1)

REQUEST = _object({
    "service_request_id": TEXT, "status": {"enum": ["open", "closed"]},
    "status_notes": MAYBE_TEXT, "service_name": MAYBE_TEXT, "service_code": TEXT,
    "description": MAYBE_TEXT, "agency_responsible": MAYBE_TEXT,
    "service_notice": MAYBE_TEXT, "requested_datetime": W3C,
    "updated_datetime": {"anyOf": [W3C, {"type": "null"}]},
    "expected_datetime": {"anyOf": [W3C, {"type": "null"}]},
    "address": MAYBE_TEXT, "address_id": MAYBE_TEXT, "zipcode": MAYBE_TEXT,
    "lat": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
    "long": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
    "media_url": MAYBE_TEXT},
    ["service_request_id", "status", "service_code", "requested_datetime"])

SERVICE_REQUESTS = _array_of(REQUEST)
SERVICE_REQUEST = _array_of(REQUEST, at_least=1)      # GET Service Request: a list of one

TOKEN = _array_of(_object({"service_request_id": TEXT, "token": TEXT},
                          ["service_request_id", "token"]), at_least=1)

UPDATE_STATUS = ["OPEN", "CLOSED", "FIXED", "IN_PROGRESS", "ACTION_SCHEDULED", "INVESTIGATING",
                 "DUPLICATE", "NOT_COUNCILS_RESPONSIBILITY", "NO_FURTHER_ACTION",
                 "INTERNAL_REFERRAL"]
UPDATES = _array_of(_object({
    "update_id": TEXT, "service_request_id": TEXT, "status": {"enum": UPDATE_STATUS},
    "updated_datetime": W3C, "description": TEXT, "media_url": MAYBE_TEXT},
    ["update_id", "service_request_id", "status", "updated_datetime", "description"]))
POSTED_UPDATE = _array_of(_object({"update_id": TEXT}, ["update_id"]), at_least=1)

ERRORS = _array_of(_object({"code": {"type": "integer"}, "description": TEXT},
                           ["code", "description"]), at_least=1)
