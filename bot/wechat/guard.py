"""What a callback must be before anything reads it: small, XML without declarations, flat.

How each kind of bad callback is answered (both 公众号 and WeCom):

| what came                                                        | answer        |
|------------------------------------------------------------------|---------------|
| a body over `BODY_LIMIT` (by Content-Length, or counted as read) | 413           |
| a bad or missing signature, a stale timestamp, a used nonce       | 403           |
| plaintext (no Encrypt) while an EncodingAESKey is configured      | 403           |
| an empty body, not XML, a DTD or entity declaration anywhere      | 400           |
| ciphertext that does not decrypt (base64, padding, length)        | 400           |
| a signed message gridbot cannot read: inner text not XML, no      | 200 `success` |
|   MsgType or sender, a field twice, garbage numbers, latitude 91  |               |
| a photo or voice note WeChat no longer has                        | 200 `success` |
| a photo the media API cannot serve for now (busy, network)        | 503 (retried) |
| a photo still downloading when the reply budget (4 s) ends        | 200 `success` |

The 4xx answers go to whoever forged or garbled a request; WeChat itself never sends them.
A message that passed the signature came from WeChat: a 4xx would make WeChat retry it three
times and show the person an error, so it is answered `success` and dropped with a warning.
A download that outlives the budget carries on (a retry meanwhile joins it, never starts a
second) and the dialog's replies then go by the sender; should it fail after all, the message
is dropped with a warning. Entity declarations are refused wherever they appear, inner
payloads included, before wechatpy (which parses with xmltodict) sees the text. Refusals are
logged by reason only: no query values, signatures, openids or message content.
"""
from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from starlette.requests import Request

BODY_LIMIT = 64 * 1024      # WeChat's largest callback (a 2048-character text, encrypted) is ~12 kB
NONCE_LIMIT = 64            # WeChat's nonces are about ten digits


class Refused(Exception):
    """A forged, stale, replayed or downgraded callback: answer 403 and process nothing."""


class Malformed(Exception):
    """A body that is not a readable callback envelope: answer 400 and process nothing."""


class Declarations(Malformed):
    """XML with a DTD or entity declarations: hostile wherever it appears."""


class TooLarge(Exception):
    """A body over the limit: answer 413 without reading the rest."""


class Unreadable(Exception):
    """A signed message gridbot cannot make sense of: answer `success`, WeChat need not retry."""


async def read_body(request: Request, limit: int = BODY_LIMIT) -> bytes:
    """The body, refused as soon as it is known to be over `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge("declared over the limit")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge("over the limit")
        chunks.append(chunk)
    return b"".join(chunks)


def xml_root(text: str | bytes, what: str = "body") -> Element:
    """The root element, refusing DTDs, entities and anything that is not well-formed XML."""
    if not text or not text.strip():
        raise Malformed(f"empty {what}")
    try:
        root = fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as hostile:
        raise Declarations(f"{what} declares a DTD or entities") from hostile
    except (ParseError, ValueError, TypeError) as garbled:
        raise Malformed(f"{what} is not XML") from garbled
    if root.tag != "xml":
        raise Malformed(f"{what} is not a callback")
    return root


def envelope(body: str | bytes) -> dict[str, str]:
    """The plain (text-only) fields of a callback or message: ToUserName, Encrypt…"""
    return {child.tag: child.text or "" for child in xml_root(body) if len(child) == 0}


def message_xml(text: str, what: str = "message", signed: bool = False) -> str:
    """A message's XML, checked before wechatpy parses it: no declarations, the fields it needs.

    Raises Malformed for declarations (hostile) or, unless the text was `signed` by the
    platform, for text that is not XML; Unreadable for a signed text that is not XML and for a
    message without a sender or a kind, or with a field given twice (wechatpy sees a list).
    """
    try:
        root = xml_root(text, what)
    except Declarations:
        raise
    except Malformed as garbled:
        if not signed:
            raise
        raise Unreadable(str(garbled)) from garbled
    names = [child.tag for child in root]
    for needed in ("MsgType", "FromUserName"):
        if names.count(needed) != 1:
            raise Unreadable(f"{what} has {names.count(needed)} {needed}")
        field = root[names.index(needed)]
        if len(field) or not (field.text or "").strip():
            raise Unreadable(f"{what} has an empty {needed}")
    if len(set(names)) != len(names):
        raise Unreadable(f"{what} repeats a field")
    return text


def plausible_nonce(nonce: str) -> None:
    if not nonce or len(nonce) > NONCE_LIMIT:
        raise Refused("nonce missing or too long")
