"""Logging set up once for `gridbot run` and `gridbot demo`: JSON lines, with people and secrets
masked before anything is written.

Each line is one JSON object: time, level, logger, message, and the record's extra fields.
A line never carries a display name, an external id (Telegram id, openid, web session), a phone
number, a token, a signature, a nonce or an invite code: fields with such names are masked
whatever their value, and the message text is scrubbed by pattern as a second net. The uvicorn
access log shows paths without their query strings, where WeChat's signatures and invite codes
travel.
"""
from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, TextIO

MASK = "***"
# Record fields (from `extra=`) that name a person or a secret: masked whatever they hold.
PRIVATE_FIELDS = frozenset({
    "name", "display_name", "full_name", "sender", "person_name", "external_id", "chat_id",
    "user_id", "from_user", "openid", "fromusername", "userid", "phone", "token",
    "access_token", "sig", "signature", "msg_signature", "nonce", "echostr", "secret",
    "session", "session_id", "sid", "invite", "invite_code", "encrypt", "text", "caption",
    "address", "payload", "first_name", "last_name", "username",
})
_KEYS = ("sig|signature|msg_signature|nonce|echostr|secret|token|access_token|openid|"
         "session_id|session|chat_id|user_id|external_id|phone|name|display_name|full_name|"
         "first_name|last_name|username|address|text|caption")
# A quoted value as repr() and JSON write it: up to the same quote, backslash escapes skipped.
_QUOTED = r"""(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
# Any name that ends like a credential: corpsecret, access_token, key, robot_key, msg_signature.
_CREDENTIAL = r"[A-Za-z0-9_]*(?:secret|key|token|signature)"
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # key='value' (reprs), key=value (query strings) and "key": "value" (JSON)
    (re.compile(rf"(?i)\b({_KEYS})={_QUOTED}"), rf"\1={MASK}"),
    (re.compile(rf"(?i)\b({_KEYS})=([^&\s,;)'\"]+)"), rf"\1={MASK}"),
    (re.compile(rf"(?i)(['\"](?:{_KEYS})['\"]\s*:\s*){_QUOTED}"), rf"\1{MASK}"),
    (re.compile(r"(?i)(['\"](?:chat_id|user_id|id)['\"]\s*:\s*)-?\d{5,}"), rf"\1{MASK}"),
    (re.compile(rf"(?i)\b({_CREDENTIAL})=([^&\s,;)'\"]+)"), rf"\1={MASK}"),
    (re.compile(rf"(?i)(['\"]{_CREDENTIAL}['\"]\s*:\s*){_QUOTED}"), rf"\1{MASK}"),
    (re.compile(r"(/bot)\d+:[A-Za-z0-9_-]+"), rf"\1{MASK}"),                   # Bot API paths
    (re.compile(r"inv_[A-Za-z0-9_-]+"), f"inv_{MASK}"),                        # invite codes
    (re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}"), MASK),                          # bot tokens
    (re.compile(r"\bo[A-Za-z0-9_-]{27}\b"), MASK),                              # WeChat openids
    (re.compile(r"/api/chat/[^/\s?]+"), f"/api/chat/{MASK}"),                   # web sessions
    (re.compile(r"(?<![\d.])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![\d.])"), MASK),  # phones
)
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message", "asctime", "taskName"}
_SET_UP = "gridbot_json_lines"
# uvicorn's copy of its message with terminal colour codes: never part of a JSON line.
_NOT_WRITTEN = frozenset({"color_message"})
# HTTP clients log each request's full URL (query string included: WeCom's corpsecret, a group
# robot's key, access tokens) at INFO or DEBUG; only their warnings are wanted.
CLIENT_LOGGERS = ("httpx", "httpcore", "hpack", "aiohttp.client", "urllib3")


def redact(text: str) -> str:
    """The text with every secret and personal pattern masked."""
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def path_only(target: str) -> str:
    """A request target without its query string (`/wechat/callback?signature=…` → path)."""
    return target.split("?", 1)[0]


class PathOnly(logging.Filter):
    """For uvicorn.access: its args are (client_addr, method, full_path, http_version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            # No query string, and no web session id in the path either.
            record.args = (args[0], args[1], redact(path_only(args[2])), args[3], args[4])
        return True


class Redact(logging.Filter):
    """Masks private fields and scrubs the message and traceback before a handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        for key in set(record.__dict__) - _STANDARD:
            value = record.__dict__[key]
            if key.lower() in PRIVATE_FIELDS or re.fullmatch(f"(?i){_CREDENTIAL}", key):
                record.__dict__[key] = MASK
            elif isinstance(value, str):
                record.__dict__[key] = redact(value)
        return True


class JsonLines(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extra fields, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        for key in sorted(set(record.__dict__) - _STANDARD - _NOT_WRITTEN):
            line[key] = _plain(record.__dict__[key])
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["traceback"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | type(None)) else redact(str(value))


def setup_logging(level: int | str = logging.INFO, stream: TextIO | None = None) -> None:
    """JSON lines on stderr for every logger, redacted; safe to call more than once."""
    root = logging.getLogger()
    for earlier in [h for h in root.handlers if getattr(h, _SET_UP, False)]:
        root.removeHandler(earlier)   # called again (another stream, a test): one handler only
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLines())
    handler.addFilter(Redact())
    setattr(handler, _SET_UP, True)
    root.addHandler(handler)
    root.setLevel(level)
    # aiosqlite logs every statement with its parameters (people's words, ids) at DEBUG: never.
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, logging.getLogger().level))
    for name in CLIENT_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
    quiet_access_paths()
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()   # everything through the one redacting handler above
        logger.propagate = True


def quiet_access_paths() -> None:
    """Strip query strings from uvicorn's access log (idempotent)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, PathOnly) for f in access.filters):
        access.addFilter(PathOnly())


# --- `gridbot demo`: a terminal for a person, every line in a file ------------------------------
# The demo's narration (its start, each order filed and handed on) goes to the terminal.
DEMO_LOGGER = "gridbot.demo"
# Warnings about the data the demo ships (the street has no leader of its own, by design):
# nothing the person at the terminal can act on, so they go to the file only.
ABOUT_SHIPPED_DATA = frozenset({"handlers.holders"})


class ForThePerson(logging.Filter):
    """The terminal of `gridbot demo`: its narration, and warnings the person can act on."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == DEMO_LOGGER:
            return True
        return record.levelno >= logging.WARNING and record.name not in ABOUT_SHIPPED_DATA


class LocalLines(logging.Formatter):
    """`HH:MM:SS  message` in the district's time, the zone the chat's deadlines are told in."""

    def __init__(self, zone: tzinfo) -> None:
        super().__init__()
        self.zone = zone

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, self.zone)
        level = "" if record.levelno < logging.WARNING else f"{record.levelname.lower()}: "
        line = f"{moment:%H:%M:%S}  {level}{record.getMessage()}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        return f"{line}\n{record.exc_text}" if record.exc_text else line


def zone_name(zone: tzinfo) -> str:
    """A zone as a person reads it, e.g. `Asia/Shanghai, UTC+08:00`."""
    offset = datetime.now(zone).strftime("%z")
    return f"{zone}, UTC{offset[:3]}:{offset[3:]}"


def setup_demo_logging(log_file: Path, zone: tzinfo, terminal: TextIO | None = None) -> None:
    """Every record as a JSON line in `log_file`; the person sees only `ForThePerson`'s, in
    the time of `zone`."""
    setup_logging(stream=open(log_file, "w", encoding="utf-8"))  # noqa: SIM115 (held till exit)
    screen = logging.StreamHandler(terminal or sys.stderr)
    screen.setFormatter(LocalLines(zone))
    screen.addFilter(Redact())
    screen.addFilter(ForThePerson())
    setattr(screen, _SET_UP, True)
    logging.getLogger().addHandler(screen)
