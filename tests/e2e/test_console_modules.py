"""The console's own modules, unit-tested in Chromium as the page loads them: errors.js words
the server's refusals by the problem's type and status, in the reader's language, and
i18n.js fills a string's placeholders and switches catalogs."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.e2e.conftest import Console

PROBS = "https://api.backend.ai/probs/"
CALL = """async ([module, name, args]) => {
  const found = await import(`/js/${module}.js`);
  const value = found[name];
  return typeof value === 'function' ? await value(...args) : value;
}"""


def call(page: Page, module: str, name: str, *args: Any) -> Any:
    """`name` of the console's module (a function called with `args`), in the page that
    loaded it (the same module instance as the page's own)."""
    return page.evaluate(CALL, [module, name, list(args)])


def test_refusals_are_worded_by_type_and_status(page: Page, console: Console) -> None:
    page.goto(console.url)
    weak = {
        "type": PROBS + "weak-password",
        "reasons": [
            {"code": "too_short", "limit": 12, "message": "server words"},
            {"code": "something_new", "message": "A rule this console does not know."},
        ],
    }
    reasons = "Use at least 12 characters. A rule this console does not know."
    assert call(page, "errors", "problemText", 400, weak) == f"Sign-up failed: {reasons}"
    changed = call(page, "errors", "problemText", 400, weak, {"failed": "pwchange.failed"})
    assert changed == f"The password was not changed: {reasons}"
    same = {"type": PROBS + "same-password"}
    assert call(page, "errors", "problemText", 400, same) == (
        "The new password must differ from the current one."
    )
    assert call(page, "errors", "problemText", 429, None) == (
        "Too many requests. Wait a little and try again."
    )
    assert call(page, "errors", "problemText", 403, {}).startswith("This feature is disabled")
    details = {"details": "Give the e-mail address."}
    assert call(page, "errors", "problemText", 400, details) == "Give the e-mail address."
    # An English title is never shown as such: an unknown refusal says its status.
    unknown = {"title": "Internal Server Error"}
    assert call(page, "errors", "problemText", 500, unknown) == (
        "Something went wrong (500). Try again."
    )
    limited = {"type": PROBS + "too-many-requests"}
    assert call(page, "errors", "problemType", limited) == "too-many-requests"
    assert call(page, "errors", "problemType", None) == ""


def test_strings_fill_placeholders_and_switch_language(page: Page, console: Console) -> None:
    page.goto(console.url)
    assert call(page, "i18n", "t", "login.unknown", {"status": 502}) == (
        "Something went wrong (502). Try again."
    )
    assert call(page, "i18n", "t", "login.unknown") == "Something went wrong ({status}). Try again."
    assert call(page, "i18n", "t", "no.such.key") == "no.such.key"
    assert call(page, "i18n", "language") == "en"
    assert call(page, "i18n", "LANGUAGES") == ["en", "ja", "ko"]
    call(page, "i18n", "loadLanguage", "ja")
    assert call(page, "i18n", "language") == "ja"
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert call(page, "i18n", "t", "weak.too_short", {"limit": 12}) == "12 文字以上にしてください。"
