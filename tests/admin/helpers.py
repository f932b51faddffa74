"""Driving the admin as a browser would: read a page's form, post it back, read the messages."""

from html.parser import HTMLParser

from django.contrib.messages import get_messages


class _FormReader(HTMLParser):
    """The values a browser would submit from the page's form with the given id."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.data.setdefault(name, []).append(attrs.get("value") or default)
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea:
                self.data[self._textarea][0] = self.data[self._textarea][0].lstrip("\n")
            self._textarea = None


def change_form_data(client, url: str, form_id: str) -> dict[str, list[str]]:
    """GET the admin's change (or add) form at url and return what submitting it would post."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    reader = _FormReader(form_id)
    reader.feed(page.content.decode())
    assert reader.data, f"no form {form_id} on {url}"
    return reader.data


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def delete_confirmed(client, app: str, model: str, pk: int):
    """Confirm the deletion of one record on its delete page."""
    return client.post(f"/admin/{app}/{model}/{pk}/delete/", {"post": "yes"}, follow=True)


def bulk_delete(client, app: str, model: str, pks: list[int]):
    """The change list's "delete selected" action, confirmed."""
    return client.post(
        f"/admin/{app}/{model}/",
        {"action": "delete_selected", "_selected_action": [str(pk) for pk in pks], "post": "yes"},
        follow=True,
    )
