"""The console's confirmation step as a browser without JavaScript goes through it: read the form
the preview page shows, and submit it as it is (or as staff edited it)."""
from __future__ import annotations

import html
from html.parser import HTMLParser

from tests.integration.console_support import StaffClient


class _FormFields(HTMLParser):
    """The fields of the form with id `form_id`: inputs, textareas and selected options."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        elif self.inside and tag == "input" and a.get("name") and a.get("type") != "submit":
            self.fields[a["name"]] = a.get("value", "")
        elif self.inside and tag == "textarea":
            self._textarea = a.get("name")
            self.fields[self._textarea or ""] = ""
        elif self.inside and tag == "select":
            self._select = a.get("name")
        elif self.inside and tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_fields(page: str, form_id: str = "confirm-action") -> dict[str, str]:
    parser = _FormFields(form_id)
    parser.feed(page)
    return parser.fields


def preview_text(page: str) -> str | None:
    """The text the preview says the citizen will receive, as the page shows it."""
    start = page.find('id="citizen-preview"')
    if start < 0:
        return None
    body = page[page.index(">", start) + 1:page.index("</pre>", start)]
    return html.unescape(body)


def act(client: StaffClient, code: str, name: str, fields: dict[str, str]) -> tuple[str | None, str]:
    """Post an action; when the console shows a preview first, confirm it as shown.

    Returns (the preview page or None, the page after the action)."""
    page = client.post(f"/console/cases/{code}/actions/{name}", fields).text
    if 'id="confirm-action"' not in page:
        return None, page
    confirmed = dict(form_fields(page), step="confirm")
    return page, client.post(f"/console/cases/{code}/actions/{name}", confirmed).text
