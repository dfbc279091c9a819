"""Reading HTML the way a browser tokenises it (the standard library's HTMLParser): which
elements and attributes a page really has, what its text says, what its scripts hold."""

from __future__ import annotations

from html.parser import HTMLParser


class Scan(HTMLParser):
    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self.comments: list[str] = []
        self._text: list[str] = []
        self._raw: str | None = None  # inside <script> or <style>
        self._raw_attrs: dict[str, str | None] = {}
        self._raw_parts: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):  # noqa: ANN001 - HTMLParser's signature
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag in ("script", "style"):
            self._raw, self._raw_attrs, self._raw_parts = tag, attributes, []

    def handle_endtag(self, tag):  # noqa: ANN001
        if tag == self._raw:
            content = "".join(self._raw_parts)
            if tag == "script":
                self.scripts.append((self._raw_attrs, content))
            else:
                self.styles.append(content)
            self._raw = None

    def handle_data(self, data):  # noqa: ANN001
        (self._raw_parts if self._raw else self._text).append(data)

    def handle_comment(self, data):  # noqa: ANN001
        self.comments.append(data)

    @property
    def text(self) -> str:
        return "".join(self._text)

    def tags(self) -> set[str]:
        return {tag for tag, _ in self.elements}

    def with_attribute(self, name: str) -> list[tuple[str, dict[str, str | None]]]:
        return [(tag, attrs) for tag, attrs in self.elements if name in attrs]

    def event_handlers(self) -> list[str]:
        """Every on* attribute (onerror, onload ...): none may come from event text."""
        return [
            f"{tag} {name}"
            for tag, attrs in self.elements
            for name in attrs
            if name.startswith("on")
        ]
