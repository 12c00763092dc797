"""Signing in to the console from a chat link: once, in time, staff only; signing out."""
from __future__ import annotations

from datetime import timedelta

import time_machine

from handlers import texts
from tests.console.conftest import Console, csrf_of


async def test_a_leader_signs_in_from_the_chat_link_and_sees_the_list(console_app: Console):
    client = await console_app.sign_in("leader")
    answer = await client.get("/console")
    assert answer.status_code == 200
    assert texts.CONSOLE_ORDERS in answer.text and "陈飞" in answer.text
    cookie = answer.request.headers.get("cookie", "")
    assert cookie.startswith("gridbot_console=")


async def test_the_session_cookie_is_httponly_and_samesite_strict(console_app: Console):
    client = console_app.browser()
    path = await console_app.link("leader")
    answer = await client.post("/console/login", data={"t": path.split("t=", 1)[1]})
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/console" in cookie


async def test_a_link_used_twice_is_refused(console_app: Console):
    path = await console_app.link("grid_leader")
    token = path.split("t=", 1)[1]
    first, second = console_app.browser(), console_app.browser()
    assert (await first.post("/console/login", data={"t": token})).status_code == 303
    again = await second.post("/console/login", data={"t": token})
    assert again.status_code == 403 and texts.CONSOLE_LINK_REFUSED in again.text
    assert (await second.get("/console")).status_code == 401


async def test_an_expired_link_is_refused(console_app: Console):
    path = await console_app.link("community")
    with time_machine.travel(timedelta(minutes=11)):
        answer = await console_app.browser().post("/console/login",
                                                  data={"t": path.split("t=", 1)[1]})
    assert answer.status_code == 403 and texts.CONSOLE_LINK_REFUSED in answer.text


async def test_opening_the_link_does_not_spend_it(console_app: Console):
    """A chat app fetching the link for a preview must not sign the person out of it."""
    path = await console_app.link("street")
    preview = console_app.browser()
    assert (await preview.get(path)).status_code == 200
    assert (await preview.get(path)).status_code == 200
    await console_app.sign_in("street")


async def test_a_resident_asking_for_the_console_is_refused(console_app: Console):
    said = await console_app.talk.text("resident-demo", "/console")
    assert said[-1].text == texts.CONSOLE_STAFF_ONLY


async def test_signing_out_ends_the_session_even_for_a_copied_cookie(console_app: Console):
    client = await console_app.sign_in("leader")
    page = await client.get("/console")
    copy = console_app.browser()
    copy.cookies.update(client.cookies)
    out = await client.post("/console/logout", data={"csrf": csrf_of(page.text)})
    assert out.status_code == 200 and texts.CONSOLE_SIGNED_OUT in out.text
    assert (await client.get("/console")).status_code == 401
    assert (await copy.get("/console")).status_code == 401


async def test_a_session_ends_after_eight_hours(console_app: Console):
    client = await console_app.sign_in("leader")
    with time_machine.travel(timedelta(hours=8, minutes=1)):
        answer = await client.get("/console")
    assert answer.status_code == 401 and texts.CONSOLE_NEED_SIGN_IN in answer.text


async def test_a_post_without_the_forms_token_is_refused(console_app: Console):
    client = await console_app.sign_in("leader")
    answer = await client.post("/console/logout", data={"csrf": "0" * 64})
    assert answer.status_code == 403
    assert (await client.get("/console")).status_code == 200


async def test_a_forged_cookie_is_no_session(console_app: Console):
    client = console_app.browser()
    client.cookies.set("gridbot_console", "abc.def", path="/console")
    assert (await client.get("/console")).status_code == 401
