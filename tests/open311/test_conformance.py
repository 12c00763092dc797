"""Every Open311 answer validates against the specification's schemas, in JSON and in XML.

The XML is parsed with defusedxml and read back into the JSON's shape (lists by the element
names GeoReport v2 gives them), then compared with the JSON answer to the same request.
"""
from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from defusedxml import ElementTree

from tests.open311 import schemas
from tests.open311.conftest import Partners

# The specification's list elements and the element each of their items is.
LISTS = {"services": "service", "service_requests": "request", "endpoints": "endpoint",
         "formats": "format", "attributes": "attribute", "values": "value",
         "service_request_updates": "request_update", "errors": "error"}


def as_xml_reads(value: Any) -> Any:
    """A JSON value as XML can carry it: text for scalars, nothing for null."""
    if isinstance(value, dict):
        return {k: as_xml_reads(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [as_xml_reads(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def read_xml(element: Any) -> Any:
    children = list(element)
    if element.tag in LISTS:
        assert all(child.tag == LISTS[element.tag] for child in children), element.tag
        return [read_xml(child) for child in children]
    if not children:
        return element.text or ""
    assert len({c.tag for c in children}) == len(children), f"repeated tags in {element.tag}"
    return {child.tag: read_xml(child) for child in children}


async def both(partners: Partners, method: str, path: str, root: str,
               **fields: Any) -> tuple[int, Any]:
    """The JSON answer, after checking the XML answer to the same request says the same."""
    answers = []
    for fmt in ("json", "xml"):
        url = f"/open311/v2{path}.{fmt}"
        if method == "GET":
            answers.append(await partners.client.get(url, params=fields))
        else:
            answers.append(await partners.client.post(url, data=fields))
    as_json, as_xml = answers
    assert as_xml.headers["content-type"].startswith("text/xml")
    assert as_xml.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    tree = ElementTree.fromstring(as_xml.content)
    assert tree.tag == root
    assert as_json.status_code == as_xml.status_code
    if method == "GET" or as_json.status_code >= 400:     # a POST files twice: ids differ
        assert read_xml(tree) == as_xml_reads(as_json.json())
    return as_json.status_code, as_json.json()


@pytest.fixture
async def filed(partners: Partners, point_in_leader_grid) -> tuple[str, str]:
    key = await partners.key("hotline-12345")
    code = await partners.file(key, point_in_leader_grid)
    return key, code


async def test_discovery_services_and_definitions_follow_the_specification(partners: Partners):
    status, body = await both(partners, "GET", "/discovery", "discovery")
    jsonschema.validate(body, schemas.DISCOVERY)
    status, services = await both(partners, "GET", "/services", "services")
    jsonschema.validate(services, schemas.SERVICE_LIST)
    rubbish = next(s for s in services if s["service_code"] == "H01")
    assert rubbish["group"] == "市容环境" and "垃圾" in rubbish["keywords"].split(",")
    for service in services:
        status, body = await both(partners, "GET", f"/services/{service['service_code']}",
                                  "service_definition")
        assert status == 200
        jsonschema.validate(body, schemas.SERVICE_DEFINITION)


async def test_requests_lists_and_single_requests_follow_the_specification(
        partners: Partners, filed):
    key, code = filed
    for fields in ({}, {"api_key": key}, {"status": "open", "service_code": "H01"}):
        status, body = await both(partners, "GET", "/requests", "service_requests", **fields)
        assert status == 200 and [r["service_request_id"] for r in body] == [code]
        jsonschema.validate(body, schemas.SERVICE_REQUESTS)
    for fields in ({}, {"api_key": key}):
        status, body = await both(partners, "GET", f"/requests/{code}", "service_requests",
                                  **fields)
        jsonschema.validate(body, schemas.SERVICE_REQUEST)


async def test_posting_a_request_and_a_token_follow_the_specification(
        partners: Partners, point_in_leader_grid):
    key = await partners.key("hotline-12345")
    lat, lng = point_in_leader_grid
    status, posted = await both(partners, "POST", "/requests", "service_requests", api_key=key,
                                service_code="H01", lat=lat, long=lng)
    assert status == 200
    jsonschema.validate(posted, schemas.POSTED)
    assert posted[0]["service_notice"].startswith("已提交工单")      # the chat's own words
    status, body = await both(partners, "GET", f"/tokens/{posted[0]['token']}",
                              "service_requests")
    jsonschema.validate(body, schemas.TOKEN)


async def test_service_request_updates_follow_fixmystreets_extension(partners: Partners, filed):
    key, code = filed
    status, posted = await both(partners, "POST", "/servicerequestupdates",
                                "service_request_updates", api_key=key,
                                service_request_id=code, description="补充：在东门")
    assert status == 200
    jsonschema.validate(posted, schemas.POSTED_UPDATE)
    status, body = await both(partners, "GET", "/servicerequestupdates",
                              "service_request_updates", api_key=key)
    jsonschema.validate(body, schemas.UPDATES)
    assert [u["description"] for u in body][-1] == "补充说明：补充：在东门"


@pytest.mark.parametrize(("method", "path", "fields", "status"), [
    ("GET", "/services/Z99", {}, 404),
    ("GET", "/requests/WG-20000101-0001", {}, 404),
    ("GET", "/requests", {"start_date": "yesterday"}, 400),
    ("GET", "/requests", {"api_key": "o311_wrong"}, 403),
    ("POST", "/requests", {"service_code": "H01", "address_string": "锦江畔"}, 400),
    ("POST", "/requests", {"api_key": "o311_wrong", "service_code": "H01", "lat": 1}, 403),
    ("GET", "/servicerequestupdates", {}, 400),
    ("GET", "/nowhere", {}, 404),
])
async def test_errors_are_a_list_of_code_and_description(partners: Partners, method, path,
                                                         fields, status):
    got, body = await both(partners, method, path, "errors", **fields)
    assert got == status
    jsonschema.validate(body, schemas.ERRORS)
    assert body[0]["code"] == status


async def test_a_key_over_its_rate_is_answered_429_in_the_error_shape(partners: Partners):
    key = await partners.key("hotline-12345")
    partners.production.runtime.app.state.open311_limit.per_minute = 3
    statuses = [(await partners.get("/services.json")).status_code for _ in range(5)]
    assert statuses == [200] * 5                       # no key, no per-key count
    statuses = [(await partners.get("/requests.json", api_key=key)).status_code
                for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    answer = await partners.get("/requests.xml", api_key=key)
    assert answer.status_code == 429
    assert ElementTree.fromstring(answer.content).find("error/code").text == "429"
    jsonschema.validate((await partners.get("/requests.json", api_key=key)).json(),
                        schemas.ERRORS)
