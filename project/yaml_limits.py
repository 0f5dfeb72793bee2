"""project.yaml's aliases, bounded before the file is built into Python objects.

YAML lets a value be named (``&name``) and repeated (``*name``). Nested repeats multiply: nine
lines can stand for a billion values (the "billion laughs"), which the model's validation would then
walk one by one. :func:`check_aliases` counts the values the aliases expand to, from the parser's
events (nothing is built), and refuses a file past :data:`MAX_VALUES`.
"""

from __future__ import annotations

import yaml

from project.errors import ConfigError

#: More values than any project file holds (the example has about 5,000).
MAX_VALUES = 1_000_000


def check_aliases(text: str, loader: type, source: str = "project.yaml") -> None:
    """Raise :class:`ConfigError` when the aliases of ``text`` expand past :data:`MAX_VALUES`.

    A file that is not YAML passes: loading it gives the message that names the line.
    """
    if "&" not in text or "*" not in text:
        return
    sizes: dict[str, int] = {}
    stack: list[list] = [[None, 0]]
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                stack.append([event.anchor, 1])
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                anchor, n = stack.pop()
            elif isinstance(event, yaml.ScalarEvent):
                anchor, n = event.anchor, 1
            elif isinstance(event, yaml.AliasEvent):
                anchor, n = None, sizes.get(event.anchor or "", 1)
            else:
                continue
            if anchor:
                sizes[anchor] = n
            stack[-1][1] += n
            if stack[-1][1] > MAX_VALUES:
                raise ConfigError(
                    f"{source}: its aliases (*name) expand to more than {MAX_VALUES:,} values "
                    f"(a 'billion laughs'). Expected a plain project file. Hint: write the "
                    f"values out instead of repeating anchors (&name)."
                )
    except yaml.YAMLError:
        return
