"""End to end: the demo page in headless Chromium sets up an authenticator app by its QR code and logs in with it.

The QR code is read the way a phone would: a screenshot of the rendered code, decoded with zxing-cpp; the otpauth URI
it holds feeds pyotp, whose codes confirm the enrollment and then complete a password login. A screenshot of the page
is kept in .build/test-artifacts/mfa-demo.png. Not skippable (see test_passkeys_browser.py)."""
import os
import time

import png
import pyotp
import zxingcpp
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import FAST_ARGS, ROOT, Authd
from test_passkeys_browser import browser, click, replay, wait_status  # noqa: F401 (fixture)

ARTIFACTS = os.path.join(ROOT, ".build", "test-artifacts")


def decode_qr(png_bytes):
    """The text of the QR code in a PNG screenshot (red channel as greyscale)."""
    width, height, rows, _ = png.Reader(bytes=png_bytes).asRGBA8()
    pixels = bytearray()
    for row in rows:
        pixels.extend(row[0::4])
    view = memoryview(bytes(pixels)).cast("B", (height, width))
    found = zxingcpp.read_barcodes(view, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1, f"expected one QR code in the screenshot, found {len(found)}"
    return found[0].text


def test_enroll_totp_by_scanning_the_qr_code_then_log_in_with_it(workdir, browser):  # noqa: F811
    data_dir = os.path.join(workdir, "data")
    server = Authd(data_dir, extra_args=FAST_ARGS)
    try:
        browser.set_window_size(900, 1400)
        browser.get(server.base + "/")
        browser.find_element(By.ID, "email").send_keys("ada@example.com")
        browser.find_element(By.ID, "password").send_keys("correct horse battery")
        click(browser, "btn-register")
        wait_status(browser, "Registered and logged in")
        WebDriverWait(browser, 20).until(EC.text_to_be_present_in_element((By.ID, "mfa-state"), "Not enabled"))

        click(browser, "btn-totp-enroll")
        wait_status(browser, "Scan the QR code")
        qr = WebDriverWait(browser, 20).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#totp-qr svg")))
        os.makedirs(ARTIFACTS, exist_ok=True)
        browser.save_screenshot(os.path.join(ARTIFACTS, "mfa-enroll.png"))
        uri = decode_qr(qr.screenshot_as_png)
        totp = pyotp.parse_uri(uri)
        assert totp.name == "ada@example.com"
        assert totp.secret == browser.find_element(By.ID, "totp-secret").text

        browser.find_element(By.ID, "totp-code").send_keys(totp.now())
        click(browser, "btn-totp-confirm")
        wait_status(browser, "Authenticator app enabled")
        codes = browser.find_elements(By.CSS_SELECTOR, "#backup-codes li")
        assert len(codes) == 10
        WebDriverWait(browser, 20).until(EC.text_to_be_present_in_element((By.ID, "mfa-state"), "10 backup codes left"))

        click(browser, "btn-logout")
        wait_status(browser, "Logged out")
        click(browser, "btn-login")
        wait_status(browser, "enter your second factor")
        assert browser.find_element(By.ID, "who").text == "Signed out"
        browser.find_element(By.ID, "mfa-code").send_keys(totp.at(time.time() + 30))
        click(browser, "btn-mfa-verify")
        wait_status(browser, "Logged in with two factors (aal2)")
        assert browser.find_element(By.ID, "who").text.endswith("(aal2)")
        browser.save_screenshot(os.path.join(ARTIFACTS, "mfa-demo.png"))
    finally:
        assert server.stop() == 0

    events = replay(data_dir, "mfa.", "login.")
    types = [e["type"] for e in events]
    for expected in ("mfa.totp_enrollment_started", "mfa.totp_enabled", "mfa.backup_codes_generated", "login.mfa_required",
                     "mfa.totp_verified"):
        assert expected in types, types
    mfa_logins = [e for e in events if e["type"] == "login.succeeded" and e["payload"]["method"] == "mfa"]
    assert len(mfa_logins) == 1 and mfa_logins[0]["payload"]["aal"] == "aal2"
