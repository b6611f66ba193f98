"""Driving the real Label Studio web UI in headless Chromium (Debian's, through Playwright; no browser download).

Only what an annotator does: log in, open a task, select a region, click a label, select text with the mouse's
selection, tick a choice, type an identity, submit. Selectors are Label Studio 1.23.2's own class names.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
# Offline and quiet: without these Chromium keeps trying to reach Google services the machine cannot reach.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
TIMEOUT_MS = 90_000
NOTHING_SELECTED = "Select a region in the text to see"  # the side column's line while no region is selected

# Selects the `nth` occurrence of `needle` in the task text as a person's mouse would leave it, then releases the
# button: Label Studio reads window.getSelection() on mouseup.
_SELECT_TEXT = """([needle, nth]) => {
  const root = document.querySelector('.lsf-richtext__container');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = []; let text = '';
  while (walker.nextNode()) { nodes.push([walker.currentNode, text.length]); text += walker.currentNode.data; }
  let at = -1;
  for (let i = 0; i <= nth; i++) { at = text.indexOf(needle, at + 1); if (at < 0) throw new Error('not found: ' + needle); }
  const locate = (offset) => {
    for (let i = nodes.length - 1; i >= 0; i--) if (nodes[i][1] <= offset) return [nodes[i][0], offset - nodes[i][1]];
  };
  const [startNode, startOffset] = locate(at), [endNode, endOffset] = locate(at + needle.length - 1);
  const range = document.createRange();
  range.setStart(startNode, startOffset); range.setEnd(endNode, endOffset + 1);
  const selection = window.getSelection(); selection.removeAllRanges(); selection.addRange(range);
  startNode.parentElement.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
}"""


@contextmanager
def chromium(user_data: Path | None = None) -> Iterator[Any]:
    """A fresh headless Chromium profile; closed (and its processes ended) on exit."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="damascus-ie-chromium-") as fresh, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(user_data or fresh), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1600, "height": 1000})
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


class Labeling:
    """One logged-in annotator's page."""

    def __init__(self, context: Any, url: str):
        self.page, self.url = context.new_page(), url

    def log_in(self, email: str, password: str) -> None:
        self.page.goto(f"{self.url}/user/login/")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", password)
        self.page.click("button[type=submit], input[type=submit]")
        self.page.wait_for_url(lambda url: "/user/login" not in url)

    def open_task(self, project: int, task: int) -> None:
        self.page.goto(f"{self.url}/projects/{project}/data?task={task}")
        self.page.wait_for_selector(".lsf-richtext__container .htx-highlight")

    def open_stream(self, project: int) -> None:
        """The project's Label All Tasks stream: the next task this person has not annotated yet."""
        self.page.goto(f"{self.url}/projects/{project}/data")
        self.page.get_by_text("Label All Tasks").click()
        self.page.wait_for_selector(".lsf-richtext__container .htx-highlight")

    def visible_text(self) -> str:
        return str(self.page.inner_text("body"))

    def region(self, region_id: str) -> Any:
        return self.page.locator(f'span[class*="htx-highlight-{region_id}-"]').first

    def select_region(self, region_id: str) -> None:
        self.region(region_id).click()
        self.page.get_by_text(NOTHING_SELECTED).wait_for(state="hidden")

    def region_selected(self) -> bool:
        return not self.page.get_by_text(NOTHING_SELECTED).is_visible()

    def select_region_with_text(self, text: str) -> None:
        """A region Label Studio numbered itself (drawn just now): the first highlight showing `text`, unless the
        drawing left it selected already (a click would deselect it)."""
        for _ in range(10):  # a click right after drawing can be swallowed while the region is being created
            self.page.wait_for_timeout(500)
            if self.region_selected():
                return
            self.page.locator("span.htx-highlight", has_text=text).first.click()
        self.page.get_by_text(NOTHING_SELECTED).wait_for(state="hidden")

    def click_label(self, group: int, label: str) -> None:
        """The label button `label` in the `group`-th label row (0 mentions, 1 triggers, 2 attributions)."""
        row = self.page.locator(".lsf-labels").nth(group)
        row.locator(".lsf-label", has_text=label).filter(has=self.page.get_by_text(label, exact=True)).first.click()

    def select_text(self, needle: str, nth: int = 0) -> None:
        self.page.evaluate(_SELECT_TEXT, [needle, nth])

    def tick(self, choice: str) -> None:
        self.page.locator(f'input[type=checkbox][name="{choice}"]').check()

    def type_identity(self, value: str) -> None:
        box = self.page.locator('[placeholder^="Identity id"]').first
        box.fill(value)
        box.press("Enter")

    def deselect(self) -> None:
        self.page.keyboard.press("Escape")

    def submit(self) -> None:
        button = self.page.get_by_test_id("bottombar-submit-button")
        with self.page.expect_response(lambda r: "/annotations" in r.url and r.request.method == "POST"):
            button.click()

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path))
