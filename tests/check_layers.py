#!/usr/bin/env python3
"""Holds the code to its layers (docs/architecture.md).

Each folder below is a layer; a file may include headers of its own layer
and of the layers under it, never of one above. The build enforces most of
this already (a layer's library sees only the include folders of the layers
it links), but it cannot see an include that happens to resolve through a
folder a test or the app added, nor a header name that exists twice, which
would make a quoted include ambiguous. This check reads the sources.

Also: core/base includes no Qt header (the Qt-free base), and the models of
the window (widgets/models) none of Qt Charts.

Usage: check_layers.py SOURCE_DIR   (exit 1 with one line per violation)
"""
import os
import re
import sys

# Lowest first. A layer may use every layer before it in this list, except
# that the widgets' diagram and charts do not use each other.
LAYERS = [
    "core/base",
    "core/ipc",
    "core/manager",
    "core/engine",
    "core/lessons",
    "core/cli",
    "app/bench/roles",
    "widgets/models",
    "widgets/diagram",
    "widgets/charts",
    "widgets/window",
]
# Pairs (user, used) that the order above would allow but the design does not.
FORBIDDEN = {("widgets/charts", "widgets/diagram"), ("app/bench/roles", "core/cli")}
NO_QT = {"core/base"}
NO_QT_CHARTS = {"core/base", "core/ipc", "core/manager", "core/engine", "core/lessons", "core/cli",
                "widgets/models", "widgets/diagram"}

INCLUDE = re.compile(r'^\s*#\s*include\s+([<"])([^>"]+)[>"]')


def layer_of(rel):
    best = None
    for layer in LAYERS:
        if rel == layer or rel.startswith(layer + "/"):
            if best is None or len(layer) > len(best):
                best = layer
    return best


def main(root):
    problems = []
    sources = []
    headers = {}  # basename -> [rel paths]
    for layer in LAYERS:
        top = os.path.join(root, layer)
        if not os.path.isdir(top):
            problems.append(f"{layer}: the layer's folder is missing")
            continue
        for folder, _, files in os.walk(top):
            for f in files:
                rel = os.path.relpath(os.path.join(folder, f), root)
                if layer_of(rel) != layer:
                    continue  # a deeper layer's file (app/bench/roles in app/bench)
                if f.endswith((".h", ".cpp")):
                    sources.append((rel, layer))
                if f.endswith(".h"):
                    headers.setdefault(f, []).append(rel)
    for name, paths in sorted(headers.items()):
        if len(paths) > 1:
            problems.append(f"{name}: one header name in {len(paths)} places ({', '.join(paths)}): "
                            "a quoted include of it is ambiguous")
    order = {layer: i for i, layer in enumerate(LAYERS)}
    for rel, layer in sources:
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                kind, name = m.groups()
                where = f"{rel}:{number}"
                if kind == "<":
                    top = name.split("/")[0]
                    if layer in NO_QT and top.startswith("Q"):
                        problems.append(f"{where}: includes <{name}>, but {layer} is Qt-free")
                    if layer in NO_QT_CHARTS and (top.startswith("QChart") or top == "QtCharts"
                                                  or name.startswith("Q") and "Series" in name):
                        problems.append(f"{where}: includes <{name}>, but {layer} uses no Qt Charts")
                    continue
                base = os.path.basename(name)
                if name.endswith(".moc") or base.startswith("ui_"):
                    continue
                found = headers.get(base)
                if not found:
                    continue  # a generated or test header
                used = layer_of(found[0])
                if order[used] > order[layer] or (layer, used) in FORBIDDEN:
                    problems.append(f'{where}: includes "{name}" of {used}, a layer above {layer} '
                                    "(move the code down, or pass what it needs in from above)")
    for p in problems:
        print(p)
    if not problems:
        print(f"{len(sources)} files in {len(LAYERS)} layers: every include points down")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
