"""One answer, two formats: JSON, or XML with the element names GeoReport v2 gives each list.

The XML is built from the same value as the JSON, so the two can never disagree: a list's
items take the element name of `ITEMS`, booleans read "true"/"false", absent values are left out.
"""
from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from fastapi.responses import JSONResponse, Response

FORMATS = ("json", "xml")
# A list's element name → the element name of each of its items.
ITEMS = {"services": "service", "service_requests": "request", "endpoints": "endpoint",
         "formats": "format", "attributes": "attribute", "values": "value",
         "service_request_updates": "request_update", "errors": "error"}


class Open311Error(Exception):
    """An answer of `errors[]{code, description}` with the HTTP status `status`."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description

    def body(self) -> list[dict[str, Any]]:
        return [{"code": self.status, "description": self.description}]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: Element, value: Any, name: str) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if inner is not None:
                _fill(SubElement(parent, key), inner, key)
    elif isinstance(value, list):
        item = ITEMS.get(name, "item")
        for inner in value:
            _fill(SubElement(parent, item), inner, item)
    else:
        parent.text = _text(value)


def to_xml(value: Any, root: str) -> bytes:
    """`value` (a list or an object) under the element `root`, with the XML declaration."""
    element = Element(root)
    _fill(element, value, root)
    body: bytes = tostring(element, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def answer(value: Any, fmt: str, root: str, status: int = 200) -> Response:
    if fmt == "xml":
        return Response(to_xml(value, root), status_code=status,
                        media_type="text/xml; charset=utf-8")
    return JSONResponse(value, status_code=status)


def error_answer(error: Open311Error, fmt: str) -> Response:
    return answer(error.body(), fmt if fmt in FORMATS else "json", "errors", error.status)
