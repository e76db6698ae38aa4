"""Compares the Swift TOTP implementation (Sources/OTP/TOTP.swift) and otpauth URIs with pyotp.

The Swift suite TOTPExportTests writes totp.json: codes for 7 secrets x SHA1/SHA256/SHA512 x 6/7/8 digits x
30/60 s periods x 9 times (including the current one), and a few otpauth URIs. pyotp recomputes every code and
parses every URI; any disagreement fails.
"""
import base64
import hashlib
import json
import os
from urllib.parse import parse_qs, unquote, urlparse

import pyotp
import pytest

from swift_export import run_swift_export

DIGESTS = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("otp-export"))
    run_swift_export("TOTPExportTests", "OTP_EXPORT_DIR", directory)
    with open(os.path.join(directory, "totp.json"), encoding="utf-8") as handle:
        return json.load(handle)


def b32decode_unpadded(text):
    return base64.b32decode(text + "=" * (-len(text) % 8))


def test_codes_match_pyotp(export):
    cases = export["cases"]
    assert len(cases) == 7 * 3 * 3 * 2 * 9
    assert {case["algorithm"] for case in cases} == set(DIGESTS)
    mismatches = []
    for case in cases:
        # Our base32 must be the standard encoding of the secret.
        assert b32decode_unpadded(case["secret_base32"]) == bytes.fromhex(case["secret_hex"])
        totp = pyotp.TOTP(case["secret_base32"], digits=case["digits"], digest=DIGESTS[case["algorithm"]],
                          interval=case["period"])
        expected = totp.at(case["time"])
        if expected != case["code"]:
            mismatches.append(f"{case['algorithm']}/{case['digits']}/{case['period']} at {case['time']}: "
                              f"pyotp {expected}, ours {case['code']}")
    assert not mismatches, "\n".join(mismatches[:20])


def test_rfc6238_sha1_row_via_pyotp(export):
    # 59 s with the RFC secret: 94287082 (RFC 6238 Appendix B), so the 8-digit SHA-1 case must be it.
    [case] = [c for c in export["cases"] if c["secret_hex"] == b"12345678901234567890".hex() and c["algorithm"] == "SHA1"
              and c["digits"] == 8 and c["period"] == 30 and c["time"] == 59]
    assert case["code"] == "94287082"


def test_uris_parse_with_pyotp(export):
    uris = export["uris"]
    assert len(uris) >= 3
    for item in uris:
        uri = item["uri"]
        otp = pyotp.parse_uri(uri)
        assert isinstance(otp, pyotp.TOTP)
        assert otp.secret == item["secret_base32"]
        assert otp.issuer == item["issuer"]
        assert otp.name == item["account"]
        assert otp.digits == item["digits"]
        assert otp.interval == item["period"]
        assert otp.digest().name == DIGESTS[item["algorithm"]]().name
        assert otp.at(1234567890) == item["code_at_1234567890"]
        # Independent of pyotp: the label splits on its one literal colon and both halves unquote exactly.
        parsed = urlparse(uri)
        assert parsed.scheme == "otpauth" and parsed.netloc == "totp"
        label = parsed.path[1:]
        assert label.count(":") == 1 and "+" not in uri and " " not in uri
        issuer, account = label.split(":")
        assert unquote(issuer, errors="strict") == item["issuer"]
        assert unquote(account, errors="strict") == item["account"]
        query = parse_qs(parsed.query, strict_parsing=True)
        assert query["issuer"] == [item["issuer"]]
        assert query["secret"] == [item["secret_base32"]] and "=" not in item["secret_base32"]
        assert query["algorithm"] == [item["algorithm"]]
        assert query["digits"] == [str(item["digits"])] and query["period"] == [str(item["period"])]
        assert pyotp.TOTP(item["secret_base32"]).provisioning_uri  # pyotp accepts our unpadded secret


def test_enrolment_uri_of_email_with_colon_parses_with_pyotp(fast_authd):
    """`a:b@example.com` is a valid email: the live server's enrolment URI percent-encodes its colon (%3A), so pyotp
    (which unquotes the label, then splits it at its first colon) gets issuer `authd` and the whole email back."""
    import requests
    from conftest import register_and_login

    login, _ = register_and_login(fast_authd, email="a:b@example.com")
    r = requests.post(fast_authd.base + "/v1/mfa/totp/enroll", json={},
                      headers={"Authorization": "Bearer " + login["access_token"]}, timeout=10)
    assert r.status_code == 200, r.text
    uri = r.json()["otpauth_uri"]
    assert uri.startswith("otpauth://totp/authd:a%3Ab%40example.com?")
    otp = pyotp.parse_uri(uri)
    assert otp.issuer == "authd" and otp.name == "a:b@example.com"
    assert otp.secret == r.json()["secret"]
    label = urlparse(uri).path[1:]
    assert label.count(":") == 1
