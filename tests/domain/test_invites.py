from datetime import UTC, datetime, timedelta

import pytest

from domain.invites import ALPHABET, Invite, InviteRefused, hash_code, new_code, redeem
from domain.refusals import Refusal

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
KEY = b"a-server-secret-key-of-32-bytes!"


def invite(**kw) -> Invite:
    fields = {"code_hash": hash_code("ABCD234567", KEY), "grid_code": "JJ-01-01", "role": "leader",
              "created_at": NOW, "expires_at": NOW + timedelta(hours=72)}
    return Invite(**(fields | kw))


def test_codes_are_readable_and_differ():
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(set(c) <= set(ALPHABET) for c in codes)


def test_a_code_typed_loosely_or_from_a_deep_link_hashes_the_same():
    assert hash_code("abcd-2345 67", KEY) == hash_code("ABCD234567", KEY) == hash_code("inv_ABCD234567", KEY)
    assert hash_code("ABCD234567", KEY) != "ABCD234567"


def test_invite_hash_is_keyed():
    """Without the server's key, a stolen row cannot be searched back to its code."""
    import hashlib
    import hmac
    code = "ABCD234567"
    assert hash_code(code, KEY) == hmac.new(KEY, code.encode(), hashlib.sha256).hexdigest()
    assert hash_code(code, KEY) != hash_code(code, b"another-key-entirely-32-bytes!!!")
    assert hash_code(code, KEY) != hashlib.sha256(code.encode()).hexdigest()


def test_redeem_marks_used_once():
    inv = redeem(invite(), 7, NOW)
    assert inv.used_by == 7
    with pytest.raises(InviteRefused, match=Refusal.INVITE_USED):
        redeem(inv, 8, NOW)


def test_expired_and_unknown_codes_are_refused_with_the_reason():
    with pytest.raises(InviteRefused, match=Refusal.INVITE_EXPIRED):
        redeem(invite(), 7, NOW + timedelta(hours=72))
    with pytest.raises(InviteRefused, match=Refusal.INVITE_UNKNOWN):
        redeem(None, 7, NOW)
