"""End to end: forgot password in the demo page in headless Chromium. The reset link is read from the .eml file the
notifier writes into --mail-dir, opened in the browser (the token in the fragment), a new password set, and the new
password logs in; the old one no longer does. Not skippable (see test_passkeys_browser.py)."""
import os

import requests

from conftest import FAST_ARGS, Authd, wait_for_mailed_link
from test_passkeys_browser import browser, click, replay, wait_status  # noqa: F401 (fixture)
from selenium.webdriver.common.by import By

EMAIL = "ada@example.com"
OLD = "correct horse battery"
NEW = "a brand new passphrase"


def test_forgot_password_mail_link_new_password_then_login(workdir, browser):  # noqa: F811
    data_dir = os.path.join(workdir, "data")
    mail_dir = os.path.join(workdir, "mail")
    server = Authd(data_dir, extra_args=[*FAST_ARGS, "--mail-dir", mail_dir])
    try:
        assert requests.post(server.base + "/v1/users", json={"email": EMAIL, "password": OLD}, timeout=10).status_code == 201
        browser.set_window_size(900, 1400)
        browser.get(server.base + "/")
        browser.find_element(By.ID, "email").send_keys(EMAIL)
        click(browser, "btn-forgot")
        wait_status(browser, "a reset link is on its way")

        link, _ = wait_for_mailed_link(mail_dir, EMAIL, "reset-password", prefix=r"http://localhost:\d+/")
        assert link.startswith(server.base + "/#reset-password=")
        browser.get(link)
        wait_status(browser, "Choose a new password")
        # The page dropped the token from the address bar.
        assert "#" not in browser.current_url
        browser.find_element(By.ID, "reset-password").send_keys(NEW)
        click(browser, "btn-reset")
        wait_status(browser, "Password changed")

        # The link opened in the same tab (only the fragment changed): the fields keep what was typed before.
        for field, value in (("email", EMAIL), ("password", OLD)):
            element = browser.find_element(By.ID, field)
            element.clear()
            element.send_keys(value)
        click(browser, "btn-login")
        wait_status(browser, "email or password is incorrect")
        password = browser.find_element(By.ID, "password")
        password.clear()
        password.send_keys(NEW)
        click(browser, "btn-login")
        wait_status(browser, "Logged in with password")
        assert browser.find_element(By.ID, "who").text.startswith("Signed in as usr_")
        assert EMAIL in browser.find_element(By.ID, "account-state").text
    finally:
        assert server.stop() == 0

    types = [e["type"] for e in replay(data_dir, "password.", "login.")]
    assert "password.reset_requested" in types and "password.reset_completed" in types, types
    token = link.rsplit("=", 1)[1]
    with open(os.path.join(data_dir, "data.mdb"), "rb") as f:
        assert token.encode() not in f.read()
