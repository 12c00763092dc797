"""Hypothesis strategies for what may arrive at a door: odd-but-valid updates and garbage."""
from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# A handful of senders: odd updates go through the chat and the database, and few people
# keep that cheap (the chat's flood limit may refuse some of them; that is an answer too).
USERS = [5101, 5102, 5103, 5104]
ODD_NUMBERS: list[Any] = [0, -1, 1, 91, -91, 181, 2**31, 2**53 + 1, 2**63, -(2**63), 2**64 + 7,
                          10**30, 1e308, -1e308, 1e-308, 3.5, float("inf"), float("-inf"),
                          True, None, "7", "", [], {}]
ODD_TEXTS = ["", " ", "\x00", "a\x00b", "\u202e\u202dRTL 报事\u200f", "😀" * 500, "x" * 100_000,
             "报" * 30_000, "/start", "/start inv_not-a-real-code", "/start inv_" + "A" * 300,
             "/report", "/my", "/help", "/start@other_bot", "/", "//", "\ud7ff", "1e308",
             "<xml>&amp;</xml>", "'; DROP TABLE orders; --", "%s%s%n", "\r\n\r\n", "\t"]
ODD_DATA = ["", "x" * 64, "x" * 300, "metoo:", "metoo:WG-00000000-0000", "detail:WG-99999999-9999",
            "confirm:", "cat:H01", "cat:ZZZ", "consent:yes", "consent:maybe", "role:admin",
            "sign:WG-20261123-0001", "\x00", "😀", ":::", "progress:../../etc", "rate:9:x"]
KINDS = ["message", "edited_message", "channel_post", "callback_query", "inline_query",
         "my_chat_member", "poll", "poll_answer", "chat_join_request", "shipping_query",
         "brand_new_kind", "message_reaction"]
LAT = [0, 30.6, 91, -91, 90, -90, 1e308, float("nan"), "30.6", None]
LNG = [0, 104.0, 181, -181, 180, 1e308, float("-inf"), "104", None]

odd_number = st.sampled_from(ODD_NUMBERS) | st.integers(-(2**70), 2**70)
odd_text = st.sampled_from(ODD_TEXTS) | st.text(max_size=40)
user_id = st.sampled_from(USERS) | odd_number


def mostly(usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Nine times in ten the usual value, so most updates get past parsing into the chat."""
    return st.integers(0, 9).flatmap(lambda n: odd if n == 0 else usual)


@st.composite
def person(draw: st.DrawFn) -> dict[str, Any]:
    found = {"id": draw(mostly(st.sampled_from(USERS), user_id)),
             "is_bot": draw(mostly(st.just(False), st.sampled_from([True, None, 1]))),
             "first_name": draw(odd_text)}
    if draw(st.booleans()):
        found["last_name"] = draw(odd_text)
    return found


@st.composite
def message(draw: st.DrawFn) -> dict[str, Any]:
    sender = draw(person())
    found: dict[str, Any] = {
        "message_id": draw(mostly(st.integers(1, 10**6), odd_number)),
        "date": draw(mostly(st.just(1764000000), st.sampled_from([0, -1, 2**40, 2**63, "now"]))),
        "chat": {"id": sender["id"], "type": draw(mostly(st.just("private"), st.sampled_from(
            ["group", "supergroup", "channel", "weird"])))},
        "from": sender}
    content = draw(st.sampled_from(["text", "location", "sticker", "contact", "dice", "none",
                                    "venue", "caption_only", "entities"]))
    if content == "text":
        found["text"] = draw(odd_text)
    elif content == "location":
        found["location"] = {"latitude": draw(st.sampled_from(LAT)),
                             "longitude": draw(st.sampled_from(LNG))}
    elif content == "sticker":
        found["sticker"] = {"file_id": "s", "file_unique_id": "../../x", "type": "regular",
                            "width": 1, "height": 1, "is_animated": False, "is_video": False}
    elif content == "contact":
        found["contact"] = {"phone_number": "+8613812345678", "first_name": draw(odd_text)}
    elif content == "dice":
        found["dice"] = {"emoji": "🎲", "value": draw(odd_number)}
    elif content == "venue":
        found["venue"] = {"location": {"latitude": 91, "longitude": 0}, "title": "t",
                          "address": draw(odd_text)}
    elif content == "caption_only":
        found["caption"] = draw(odd_text)
    elif content == "entities":
        found["text"] = "/start"
        found["entities"] = [{"type": "bot_command", "offset": draw(odd_number),
                              "length": draw(odd_number)}]
    return found


@st.composite
def update(draw: st.DrawFn) -> dict[str, Any]:
    """A JSON object shaped like a Telegram update, with odd values and odd kinds."""
    kind = draw(mostly(st.sampled_from(["message", "callback_query"]), st.sampled_from(KINDS)))
    body: dict[str, Any] = {"update_id": draw(mostly(st.integers(1, 2**31), odd_number))}
    if kind in ("message", "edited_message", "channel_post"):
        body[kind] = draw(message())
    elif kind == "callback_query":
        body[kind] = {"id": draw(st.sampled_from(["q1", "", "x" * 500])),
                      "from": draw(person()), "chat_instance": "ci",
                      "data": draw(st.sampled_from(ODD_DATA) | st.text(max_size=70))}
        if draw(st.booleans()):
            body[kind]["message"] = draw(message())
    else:
        body[kind] = draw(st.sampled_from([{}, {"id": "1"}, [], "x", None, {"from": {}}]))
    for _ in range(draw(mostly(st.just(0), st.integers(1, 3)))):   # a field dropped or replaced
        target = body.get(kind) if isinstance(body.get(kind), dict) else body
        keys = sorted(target)
        if keys:
            key = draw(st.sampled_from(keys))
            if draw(st.booleans()):
                del target[key]
            else:
                target[key] = draw(odd_number)
    return body


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


MALFORMED = [b"", b" ", b"{", b"}", b"[", b"null", b"nul", b"true", b"0", b"-1", b"1e999",
             b'"update"', b"[]", b"{}", b'{"update_id":', b'{"update_id": 1,}', b"\xff\xfe\x00",
             b'{"update_id": 1, "message": {"text": "\xff"}}', b"NaN", b"Infinity",
             b"[" * 200_000 + b"]" * 200_000, b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
             b"9" * 5000, b'{"update_id": ' + b"9" * 5000 + b"}", b"<xml/>", b"\x00" * 100,
             b'[{"update_id": 1, "message": {}}]', b'{"update_id": 1}' * 3,
             b'{"update_id": 1, "message": {"entities": ' + b"[" * 5000 + b"]" * 5000 + b"}}"]


@st.composite
def malformed(draw: st.DrawFn) -> bytes:
    """Bodies that are not JSON, or not an object: truncated, nested deep, odd encodings."""
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return draw(st.sampled_from(MALFORMED))
    if choice == 1:   # a valid update cut anywhere
        whole = _dumps(draw(update()))
        return whole[:draw(st.integers(0, max(len(whole) - 1, 0)))]
    if choice == 2:
        return draw(st.binary(max_size=64))
    return _dumps(draw(st.lists(update(), max_size=3)))


def webhook_body() -> st.SearchStrategy[bytes]:
    """What the fuzz posts to /telegram/webhook: two thirds odd updates, one third garbage."""
    return st.one_of(update().map(_dumps), update().map(_dumps), malformed())


FUZZ = settings(max_examples=10_000, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def examples(strategy: st.SearchStrategy[Any], count: int = 10_000) -> list[Any]:
    """`count` examples of a strategy, the same ones every run (derandomized)."""
    found: list[Any] = []

    @settings(FUZZ, max_examples=count)
    @given(strategy)
    def collect(example: Any) -> None:
        found.append(example)

    collect()
    return found
