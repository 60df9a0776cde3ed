#!/usr/bin/env python3
"""Lists the Rust functions longer than LIMIT lines, from the `fn` line to its closing brace, longest first.

Usage: python3 bench/long_functions.py [DIR=src] [LIMIT=100]

Braces are matched after blanking strings, raw strings, character literals and comments, so a brace inside text
does not count. Issue 23 asks for no function in src/ over 100 lines except where docs/architecture.md says why."""
import os, re, sys
root = sys.argv[1] if len(sys.argv) > 1 else "src"
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 100
FN = re.compile(r'^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?(extern\s+"[^"]*"\s+)?fn\s+(\w+)')
def strip(src):
    out = []; i = 0; n = len(src)
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i); j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif src.startswith("/*", i):
            j = src.find("*/", i) + 2
            out.append(re.sub(r'[^\n]', ' ', src[i:j])); i = j
        elif c == 'r' and re.match(r'r#*"', src[i:i+10]) and (i == 0 or not (src[i-1].isalnum() or src[i-1]=='_')):
            m = re.match(r'r(#*)"', src[i:]); hashes = m.group(1)
            end = src.find('"' + hashes, i + len(m.group(0))) + 1 + len(hashes)
            out.append(re.sub(r'[^\n]', ' ', src[i:end])); i = end
        elif c == '"':
            j = i + 1
            while src[j] != '"':
                j += 2 if src[j] == '\\' else 1
            out.append(re.sub(r'[^\n]', ' ', src[i:j+1])); i = j + 1
        elif c == "'":
            m = re.match(r"'(\\.[^']*|[^'\\])'", src[i:])
            if m: out.append(" " * len(m.group(0))); i += len(m.group(0))
            else: out.append(c); i += 1
        else:
            out.append(c); i += 1
    return "".join(out)
rows = []
for d, _, fs in os.walk(root):
    for f in fs:
        if not f.endswith(".rs"): continue
        p = os.path.join(d, f)
        lines = strip(open(p).read()).split("\n")
        for k, line in enumerate(lines):
            m = FN.match(line)
            if not m: continue
            depth = 0; started = False
            for e in range(k, len(lines)):
                for ch in lines[e]:
                    if ch == '{': depth += 1; started = True
                    elif ch == '}': depth -= 1
                    elif ch == ';' and not started and depth == 0: break
                else:
                    if started and depth == 0: break
                    continue
                if not started: e = None
                break
            if e is None or not started: continue
            length = e - k + 1
            if length > limit: rows.append((length, p, k + 1, m.group(7)))
for r in sorted(rows, reverse=True): print(f"{r[0]:4d}  {r[1]}:{r[2]}  {r[3]}")
