"""HTML pages from Jinja2 templates; every value is escaped unless marked safe."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from ruhrtimeline.i18n import word

if TYPE_CHECKING:
    import jinja2


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    current: bool = False
    lang: str | None = None  # the language of the page it leads to, if not the page's own


@dataclass(frozen=True)
class Nav:
    """What a page links to: the site's pages, the same page in the other language, and the
    previous and next page of a series (the yearly reports)."""

    links: tuple[Link, ...] = ()
    switch: Link | None = None
    previous: Link | None = None
    next: Link | None = None


@cache
def environment() -> jinja2.Environment:
    import jinja2  # only the commands that write pages pay for it

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ruhrtimeline", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["word"] = word
    return env


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)
