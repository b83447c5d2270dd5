"""Bounds on a YAML document, checked on its event stream before anything is built from it.

PyYAML shares an aliased node instead of copying it, so an alias bomb (each level listing the
previous anchor ten times) loads in a few bytes; but every walk over the result (interpolation,
validation, dumps) expands it, in memory and time exponential in the number of levels. Deep
nesting makes PyYAML's recursive composer and our own walks raise RecursionError. The parser
itself is a state machine, so reading the events is safe: here each node is counted as often
as aliases would repeat it, and depth is tracked, in one linear pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from mlsecops.errors import UsageError

MAX_DEPTH = 64
MAX_ALIASES = 1_000
MAX_EXPANDED_NODES = 100_000


@dataclass(frozen=True)
class YamlLimits:
    max_depth: int = MAX_DEPTH
    max_aliases: int = MAX_ALIASES
    max_expanded_nodes: int = MAX_EXPANDED_NODES  # scalars and collections, aliases counted expanded


def check_yaml_bounds(text: str, source: str, limits: YamlLimits | None = None) -> None:
    """UsageError naming `source` and the line when the document nests or expands past the limits.

    A syntax error is left to the loader (yaml.YAMLError propagates), which reports it with its line.
    """
    limits = limits or YamlLimits()
    sizes: dict[str, int] = {}  # anchor -> its node's expanded size, once the node is complete
    open_nodes: list[tuple[str | None, int]] = []  # (anchor, expanded size so far) of unfinished collections
    open_anchors: set[str] = set()
    expanded = 0
    aliases = 0

    def refuse(event: yaml.Event, why: str) -> UsageError:
        line = f":{event.start_mark.line + 1}" if event.start_mark else ""
        return UsageError(f"{source}{line}: {why}: refused")

    def add(event: yaml.Event, count: int) -> None:
        nonlocal expanded
        expanded += count
        if expanded > limits.max_expanded_nodes:
            raise refuse(event, f"the YAML expands to more than {limits.max_expanded_nodes} values "
                                "(aliases counted as copies: an alias bomb?)")
        if open_nodes:
            anchor, size = open_nodes[-1]
            open_nodes[-1] = (anchor, size + count)

    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > limits.max_aliases:
                raise refuse(event, f"more than {limits.max_aliases} YAML aliases")
            if event.anchor in open_anchors:
                raise refuse(event, f"alias *{event.anchor} refers to a node that contains it (a cycle)")
            add(event, sizes.get(event.anchor, 1))  # an unknown anchor is the loader's error to report
        elif isinstance(event, yaml.ScalarEvent):
            add(event, 1)
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            if len(open_nodes) >= limits.max_depth:
                raise refuse(event, f"YAML nested deeper than {limits.max_depth} levels")
            add(event, 1)
            open_nodes.append((event.anchor, 0))
            if event.anchor:
                open_anchors.add(event.anchor)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            anchor, size = open_nodes.pop()
            if anchor:
                open_anchors.discard(anchor)
                sizes[anchor] = size + 1
            if open_nodes:  # the parent's count already holds this node's own 1 and its content
                parent_anchor, parent_size = open_nodes[-1]
                open_nodes[-1] = (parent_anchor, parent_size + size)
