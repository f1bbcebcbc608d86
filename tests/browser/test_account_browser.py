"""The account pages as a person uses them: change the password, sign out everywhere, delete."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.helpers.pages import PASSWORD, assert_accessible, screenshot, sign_up

NEW_PASSWORD = "a different long password"


def test_change_the_password_then_sign_out_everywhere(page, browser, live_server):
    name = f"acct-{page.width_name}"
    sign_up(page, live_server, name)
    other = browser.new_context()  # the same account on a second device
    device = other.new_page()
    device.goto(live_server + "/login")
    device.get_by_label("Name").fill(name)
    device.get_by_label("Password").fill(PASSWORD)
    device.get_by_role("button", name="Log in").click()
    expect(device.get_by_text(f"Signed in as {name}.")).to_be_visible()

    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Your account", exact=True)).to_be_visible()
    screenshot(page, "account")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()
    device.goto(live_server + "/progress")
    expect(device).to_have_url(re.compile(r"/login\?next="))  # the other device was signed out

    page.get_by_role("button", name="Sign out everywhere").click()
    expect(page.get_by_text("You are signed out everywhere")).to_be_visible()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    other.close()


def test_delete_the_account_after_confirming(page, live_server):
    name = f"gone-{page.width_name}"
    sign_up(page, live_server, name)
    page.goto(live_server + "/account")
    page.get_by_role("link", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Delete your account")).to_be_visible()
    screenshot(page, "account-delete")
    assert_accessible(page)
    page.get_by_label("Your password").fill("not the password")
    page.get_by_role("button", name="Delete my account and its data").click()
    expect(page.locator("#password-error")).to_contain_text("That is not your password.")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account and its data").click()
    expect(page.get_by_text(f"The account {name} and its data are deleted.")).to_be_visible()
    page.goto(live_server + "/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Wrong name or password.")).to_be_visible()
