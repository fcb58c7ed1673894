"""verify compares the stored `body` column with the body bytes cut out of the signed record; the cut
must equal the canonical encoding of the body for every record type and any text a person types."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.store.kiosks import body_text
from protocol import canonical
from protocol.records import Correction, Dispute, Record, body_to_dict, sign_record
from protocol.signing import Signer

SIGNER = Signer(bytes([5]) * 32)


def _record(body: Dispute | Correction) -> Record:
    return Record(kiosk="K01", seq=1, prev="0" * 64, boot="b1", wall_ms=1, mono_ms=1, body=body)


pieces = st.sampled_from([*'abc,:"{}\\/ 入库数', ',"boot":"', '"}', "\n"])
texts = st.lists(pieces, max_size=30).map("".join).filter(lambda t: len(t) <= 500)


@settings(max_examples=100, deadline=None)
@given(text=texts)
def test_verify_body_slice_survives_quotes_and_boot_lookalikes_in_text(text: str) -> None:
    """A dispute text full of quotes, braces and `,"boot":"` still yields exactly the signed body."""
    signed = sign_record(_record(Dispute(person="P1", day="2026-10-05", reason="other", text=text)), SIGNER)
    assert body_text(signed.data) == canonical.encode(body_to_dict(signed.record.body)).decode()


def test_verify_body_slice_of_a_correction_naming_a_boot_field() -> None:
    """A correction whose new values contain a key called `boot` (nested) is cut at the outer boot."""
    body = Correction(
        ref_kiosk="K01",
        ref_seq=3,
        ref_hash="a" * 64,
        officer="OFF1",
        reason="点错了",
        values={"boot": "x", "units": 12, "zz": None},
    )
    signed = sign_record(_record(body), SIGNER)
    assert body_text(signed.data) == canonical.encode(body_to_dict(body)).decode()
