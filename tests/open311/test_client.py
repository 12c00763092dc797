"""A third-party Open311 client (georeport, from the package index) reads our API over real
HTTP from uvicorn on loopback, in JSON and in XML; plain HTTP files an order it then reads."""
from __future__ import annotations

import asyncio

import httpx
from georeport import GeoReport

from tests.open311.conftest import Partners


async def test_georeport_reads_services_definitions_and_requests(
        partners: Partners, served: str, point_in_leader_grid):
    key = await partners.key("hotline-12345")
    lat, lng = point_in_leader_grid
    async with httpx.AsyncClient(base_url=served + "/open311/v2") as http:   # plain HTTP
        posted = await http.post("/requests.json", data={
            "api_key": key, "service_code": "P03", "lat": str(lat), "long": str(lng),
            "description": "路灯不亮"})
    assert posted.status_code == 200, posted.text
    code = posted.json()[0]["service_request_id"]

    for fmt in ("json", "xml"):
        client = GeoReport(served + "/open311/v2", output_format=fmt)
        services = await asyncio.to_thread(client.get_service_list)
        assert "P03" in {s["service_code"] for s in services}
        definition = await asyncio.to_thread(client.get_service_definition, "P03")
        assert definition["service_code"] == "P03"
        requests = await asyncio.to_thread(client.get_service_requests, status="open")
        # xmltodict gives one <request> as a mapping, several as a list
        requests = [requests] if isinstance(requests, dict) else requests
        assert [r["service_request_id"] for r in requests] == [code]
        one = await asyncio.to_thread(client.get_service_request, code)
        assert one["service_code"] == "P03" and one["status"] == "open"

    await partners.delivered()
    assert code in partners.talk.inbox("leader")[-1].text
