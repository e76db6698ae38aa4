"""End to end: the demo page at `/` in headless Chromium with a virtual authenticator (CTAP2, internal, resident keys,
user verification). Register with email + password, add a passkey, log out, log in with the passkey without typing an
email (discoverable), then check the log with `authctl replay`.

Not skippable: without chromium and chromedriver the test fails with instructions."""
import json
import os
import shutil
import subprocess
import tempfile

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.virtual_authenticator import Protocol, Transport, VirtualAuthenticatorOptions
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import FAST_ARGS, Authd, binary

CHROMIUM = os.environ.get("AUTHLOG_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("AUTHLOG_CHROMEDRIVER", "/usr/bin/chromedriver")


def require_browser():
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not (os.path.isfile(path) and os.access(path, os.X_OK))]
    if missing:
        pytest.fail(
            f"browser test needs Chromium and chromedriver; missing: {', '.join(missing)}. "
            "Install them with `apt-get install -y chromium chromium-driver` "
            "(or point AUTHLOG_CHROMIUM / AUTHLOG_CHROMEDRIVER at them).",
            pytrace=False)


@pytest.fixture
def browser(monkeypatch):
    require_browser()
    home = tempfile.mkdtemp(prefix="authlog-chrome-home-")
    monkeypatch.setenv("HOME", home)
    monkeypatch.setenv("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--user-data-dir={os.path.join(home, 'profile')}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(home, ignore_errors=True)


def wait_status(driver, text, timeout=30):
    """Waits until #status shows `text`; fails with what it shows instead."""
    try:
        WebDriverWait(driver, timeout).until(EC.text_to_be_present_in_element((By.ID, "status"), text))
    except Exception:
        status = driver.find_element(By.ID, "status").text
        pytest.fail(f"expected status {text!r}, page shows {status!r}", pytrace=False)


def click(driver, element_id):
    WebDriverWait(driver, 20).until(EC.element_to_be_clickable((By.ID, element_id))).click()


def replay(data_dir, *types):
    args = [binary("authctl"), "replay", "--data", data_dir, "--format", "json"]
    for event_type in types:
        args += ["--type", event_type]
    out = subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_register_add_passkey_and_log_in_discoverably(workdir, browser):
    data_dir = os.path.join(workdir, "data")
    server = Authd(data_dir, extra_args=FAST_ARGS)
    try:
        assert server.base.startswith("http://localhost:")
        browser.get(server.base + "/")
        authenticator = VirtualAuthenticatorOptions(
            protocol=Protocol.CTAP2, transport=Transport.INTERNAL, has_resident_key=True, has_user_verification=True,
            is_user_verified=True)
        browser.add_virtual_authenticator(authenticator)

        browser.find_element(By.ID, "email").send_keys("ada@example.com")
        browser.find_element(By.ID, "password").send_keys("correct horse battery")
        click(browser, "btn-register")
        wait_status(browser, "Registered and logged in")

        browser.find_element(By.ID, "passkey-name").send_keys("Virtual authenticator")
        click(browser, "btn-add-passkey")
        wait_status(browser, "Passkey added")
        WebDriverWait(browser, 20).until(EC.text_to_be_present_in_element((By.ID, "passkeys"), "Virtual authenticator"))
        credentials = browser.get_credentials()
        assert len(credentials) == 1 and credentials[0].is_resident_credential

        click(browser, "btn-logout")
        wait_status(browser, "Logged out")
        assert browser.find_element(By.ID, "who").text == "Signed out"

        # Discoverable: no email typed.
        email = browser.find_element(By.ID, "email")
        email.clear()
        assert email.get_attribute("value") == ""
        click(browser, "btn-passkey-login")
        wait_status(browser, "Logged in with passkey (aal2)")
        WebDriverWait(browser, 20).until(EC.text_to_be_present_in_element((By.ID, "sessions"), "this session"))
        WebDriverWait(browser, 20).until(EC.text_to_be_present_in_element((By.ID, "passkeys"), "Virtual authenticator"))
        assert browser.find_element(By.ID, "who").text.startswith("Signed in as usr_")
        sign_count = browser.get_credentials()[0].sign_count
    finally:
        assert server.stop() == 0

    events = replay(data_dir, "passkey.", "login.succeeded")
    types = [e["type"] for e in events]
    assert "passkey.registered" in types, types
    registered = next(e for e in events if e["type"] == "passkey.registered")
    assert registered["payload"]["name"] == "Virtual authenticator"
    assert registered["payload"]["algorithm"] == -7
    assert any(s.startswith("credential:") for s in registered["streams"])
    passkey_logins = [e for e in events if e["type"] == "login.succeeded" and e["payload"]["method"] == "passkey"]
    assert len(passkey_logins) == 1, events
    assert passkey_logins[0]["payload"]["aal"] == "aal2"
    if sign_count > 0:
        advanced = [e for e in events if e["type"] == "passkey.counter_advanced"]
        assert len(advanced) == 1, types
        assert advanced[0]["payload"]["new_count"] == sign_count
    assert "passkey.counter_regressed" not in types
