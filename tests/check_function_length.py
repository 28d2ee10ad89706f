#!/usr/bin/env python3
"""Lists every function in core/ and widgets/ longer than the limit.

A function is the body after a parameter list, opened at namespace or class
scope; its length counts from the line of its name to its closing brace.
Comments and string literals are skipped when braces are matched. A function
that is a table of data (one row per line, no logic) may be let through by
a marker comment on the line before it: `// table:` followed by why.

Usage: check_function_length.py SOURCE_DIR [LIMIT]   (exit 1 if any is over)
"""
import os
import re
import sys

LIMIT = 80
FOLDERS = ["core", "widgets"]
FUNCTION_TAIL = re.compile(
    r"\)\s*(const|noexcept|override|final|mutable|&|&&|\s|->\s*[\w:<>,\s\*&]+|\[\[[^\]]*\]\])*$")
SCOPE_HEAD = re.compile(r"\b(namespace|class|struct|union|enum)\b[^()]*$")


def code_only(text):
    """The text with comments and literals blanked, line breaks kept."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        elif c == 'R' and text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        elif c == "'" and i > 0 and text[i - 1].isalnum() and i + 1 < n and text[i + 1].isalnum():
            out.append(c)  # a digit separator: 10'000
            i += 1
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(" " * (j + 1 - i))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path):
    """(name line, length, signature) of each function defined in path."""
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    text = code_only(raw)
    lines = raw.split("\n")
    stack = []  # "scope", "function" or "other"
    last_break = 0  # index after the last ; { or }
    found = []
    for i, c in enumerate(text):
        if c == "{":
            head = text[last_break:i].strip()
            inside_function = any(kind == "function" for kind, _, _ in stack)
            if inside_function:
                kind = "other"
            elif SCOPE_HEAD.search(head) or head.startswith("extern"):
                kind = "scope"
            elif FUNCTION_TAIL.search(head) and not head.startswith("=") and "=" not in head.split("(")[0]:
                kind = "function"
                # The line of the name: where the head's first token is.
                start = i - len(text[last_break:i].lstrip())
                stack.append(("function", text.count("\n", 0, start), head))
                last_break = i + 1
                continue
            else:
                kind = "other"
            stack.append((kind, None, None))
            last_break = i + 1
        elif c == "}":
            if stack:
                kind, first, head = stack.pop()
                if kind == "function":
                    last = text.count("\n", 0, i)
                    marker = lines[first - 1].strip() if first > 0 else ""
                    found.append((first + 1, last - first + 1, " ".join(head.split())[:90],
                                  marker.startswith("// table:")))
            last_break = i + 1
        elif c == ";":
            last_break = i + 1
    return found


def main(root, limit):
    over = []
    for folder in FOLDERS:
        for directory, _, files in os.walk(os.path.join(root, folder)):
            for name in sorted(files):
                if not name.endswith((".cpp", ".h")):
                    continue
                path = os.path.join(directory, name)
                for line, length, head, table in functions(path):
                    if length > limit and not table:
                        over.append((length, f"{os.path.relpath(path, root)}:{line}", head))
    for length, where, head in sorted(over, reverse=True):
        print(f"{where}: {length} lines (limit {limit}): {head}")
    if not over:
        print(f"every function in {', '.join(FOLDERS)} has at most {limit} lines")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".", int(sys.argv[2]) if len(sys.argv) > 2 else LIMIT))
