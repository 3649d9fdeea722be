"""Load the perfbudget dashboard in headless Chromium and report what each chart shows, as JSON.

Run by tests/bi/test_dashboard_browser.py with bi/.venv's Python (playwright lives there, never in
the project's venv). Drives Debian's /usr/bin/chromium (no `playwright install`): logs in through
the login form (log_in: up to three tries, each one's pages listed if it fails), opens the dashboard,
waits until every chart has finished loading, saves a screenshot and prints, per chart, whether it
drew something and whether it shows an error. Any request to a host other than the server is
aborted and listed (the page must fetch nothing else).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

# where the login page says what went wrong (Superset's toasts, antd's messages and alerts)
ALERTS = '[data-test="toast-container"], .ant-message, .ant-alert, [role=alert]'

CHARTS_JS = """() => Array.from(document.querySelectorAll('[data-test-chart-id]')).map(node => ({
    id: node.getAttribute('data-test-chart-id'),
    name: node.getAttribute('data-test-chart-name'),
    error: Array.from(node.querySelectorAll('.ant-alert-error, [data-test="error-message"], .alert-danger'))
        .map(e => e.innerText).join(' | '),
    empty: node.querySelectorAll('.ant-empty, [data-test="empty-state"]').length > 0,
    loading: node.querySelectorAll('.loading, [data-test="loading-indicator"]').length > 0,
    drawn: node.querySelectorAll('canvas, svg, table').length > 0,
    text: node.innerText.slice(0, 300),
}))"""


def _alerts(page: Page) -> list[str]:
    """What the page's alerts say now; nothing while the page is being replaced (the form's post
    navigates: a read that meets the navigation has no page to read)."""
    try:
        return [text.strip() for text in page.locator(ALERTS).all_inner_texts() if text.strip()]
    except PlaywrightError:
        return []


def log_in(page: Page, base: str, user: str, password: str, timeout_ms: float, tries: int = 3) -> int:
    """Sign in through Superset's login form; return the number of tries it took.

    The form is a React page: its button fetches a CSRF token, then posts a plain form to /login/,
    and the server redirects to the welcome page. Under load (CI runs the whole test suite beside
    this) one try once stayed on /login/ for its whole timeout with nothing to say why, so each try
    waits for the rendered form, checks the fields took the text, clicks the button, and on failure
    keeps the page's own message and every page the browser was sent to; after the last try those
    notes are the error."""
    notes: list[str] = []
    for attempt in range(1, tries + 1):
        documents: list[str] = []

        def seen(response, documents=documents):
            if response.request.resource_type == "document":
                url = urlsplit(response.url)
                documents.append(f"{response.status} {response.request.method} {url.path}"
                                 f"{'?' + url.query if url.query else ''}")

        page.on("response", seen)
        try:
            page.goto(f"{base}/login/", timeout=timeout_ms)
            button = page.locator('[data-test="login-button"]')
            button.wait_for(state="visible", timeout=timeout_ms)
            fields = (("#username, input[name=username]", user), ("#password, input[name=password]", password))
            for selector, text in fields:
                page.fill(selector, text)
                if page.input_value(selector) != text:
                    raise RuntimeError(f"{selector} did not take the text typed into it")
            button.click()
            # signed in once the page leaves /login/; a try has failed once the page says so
            # (its toast shows for a few seconds only) or after its share of the timeout
            deadline, said = time.monotonic() + timeout_ms / tries / 1000, []
            while time.monotonic() < deadline and not said:
                if not urlsplit(page.url).path.startswith("/login"):
                    return attempt
                said = _alerts(page)
                page.wait_for_timeout(200)
            notes.append(f"try {attempt}: still on {page.url}; pages: {documents}; the page says: {said}")
        except (PlaywrightError, RuntimeError) as error:  # a timeout, or a page that did not load
            notes.append(f"try {attempt}: {str(error).splitlines()[0]}; pages: {documents}")
        finally:
            page.remove_listener("response", seen)
    raise RuntimeError("could not sign in:\n" + "\n".join(notes))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--dashboard", default="perfbudget")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", required=True)
    parser.add_argument("--charts", type=int, required=True, help="how many charts the dashboard has")
    parser.add_argument("--profile", required=True, help="empty folder for Chromium's --user-data-dir")
    parser.add_argument("--screenshot", required=True)
    parser.add_argument("--timeout", type=float, default=180)
    args = parser.parse_args()

    server = urlsplit(args.base).netloc
    external: list[str] = []
    console: list[str] = []

    def route(request_route):
        url = request_route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).netloc == server:
            request_route.continue_()
        else:
            external.append(url)
            request_route.abort()

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            args.profile, executable_path="/usr/bin/chromium", headless=True, args=FLAGS,
            viewport={"width": 1500, "height": 2700}, locale="zh-CN", timezone_id="UTC")
        try:
            page = context.new_page()
            page.route("**/*", route)
            page.on("console", lambda message: console.append(f"{message.type}: {message.text}")
                    if message.type == "error" else None)
            login_tries = log_in(page, args.base, args.user, args.password, args.timeout * 1000)
            started = time.monotonic()
            page.goto(f"{args.base}/superset/dashboard/{args.dashboard}/", timeout=args.timeout * 1000)
            page.wait_for_function(
                """n => {
                    const charts = document.querySelectorAll('[data-test-chart-id]');
                    if (charts.length < n) return false;
                    return Array.from(charts).every(c =>
                        c.querySelectorAll('.loading, [data-test="loading-indicator"]').length === 0 &&
                        (c.querySelectorAll('canvas, svg, table').length > 0 ||
                         c.querySelectorAll('.ant-alert-error, [data-test="error-message"], .ant-empty').length > 0));
                }""", arg=args.charts, timeout=args.timeout * 1000, polling=500)
            page.wait_for_timeout(2000)  # let ECharts finish its entry animation before the screenshot
            seconds = time.monotonic() - started
            charts = page.evaluate(CHARTS_JS)
            title = page.title()
            page.screenshot(path=args.screenshot)
        finally:
            context.close()
    json.dump({"title": title, "login_tries": login_tries, "seconds": round(seconds, 1), "charts": charts,
               "external_requests": external, "console_errors": console}, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
