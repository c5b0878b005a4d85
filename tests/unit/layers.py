#!/usr/bin/env python3
"""The layer rules of doc/ARCHITECTURE.md, checked on every include line.

Reads the table between the "layers: begin/end" markers: for each folder,
the tree paths it may include and the libraries it may use. Every .c/.h
file under src/, db/, sync/ and ui/ belongs to the deepest folder of the
table that holds it; each of its #include lines must name an allowed path
(a folder prefix such as `db/`, or one file such as `sync/worker.h`), and
each library header it includes must belong to an allowed library. Any
`#include "..."` must name its folder from the top of the tree, and
`db/db_int.h` is for db/ alone. Exit 1 with one line per violation."""
import os, re, sys

top = sys.argv[1] if len(sys.argv) > 1 else '.'
doc = open(os.path.join(top, 'doc', 'ARCHITECTURE.md'), encoding='utf-8').read()
m = re.search(r'<!-- layers: begin[^>]*-->(.*?)<!-- layers: end -->', doc, re.S)
if not m:
    sys.exit('layers: no layer table in doc/ARCHITECTURE.md')

# The headers that identify each library tern links.
LIBS = {
    'libetpan': ('libetpan/',),
    'curl': ('curl/',),
    'cJSON': ('cjson/',),
    'curses': ('curses.h', 'ncurses.h', 'ncursesw/', 'term.h'),
    'SQLite': ('sqlite3.h',),
    'GnuTLS': ('gnutls/',),
    'gpgme': ('gpgme.h',),
}

rules = {}
for line in m.group(1).splitlines():
    cells = [c.strip() for c in line.strip().strip('|').split('|')]
    if len(cells) != 4 or not cells[0].startswith('`'):
        continue
    folder = cells[0].strip('`').rstrip('/')
    paths = re.findall(r'`([^`]+)`', cells[2])
    anything = cells[2].strip() == 'everything'
    libs = cells[3].split()
    for lib in libs:
        if lib not in LIBS:
            sys.exit(f'layers: unknown library {lib!r} in the table ({folder})')
    rules[folder] = (anything, paths, libs)
if len(rules) < 5:
    sys.exit(f'layers: the table has {len(rules)} rows; expected every folder')

def folder_of(path):
    best = None
    for f in rules:
        if path.startswith(f + '/') and '/' not in path[len(f) + 1:]:
            best = f
    return best

bad = []
checked = 0
for d in ('src', 'db', 'sync', 'ui'):
    for root, dirs, files in os.walk(os.path.join(top, d)):
        dirs[:] = [x for x in dirs if not x.startswith('.')]
        for fn in sorted(files):
            if not fn.endswith(('.c', '.h')):
                continue
            full = os.path.join(root, fn)
            rel = os.path.relpath(full, top)
            f = folder_of(rel)
            if f is None:
                bad.append(f'{rel}: in no folder of the layer table')
                continue
            anything, paths, libs = rules[f]
            checked += 1
            for n, line in enumerate(open(full, encoding='utf-8', errors='replace'), 1):
                im = re.match(r'\s*#\s*include\s*([<"])([^>"]+)[>"]', line)
                if not im:
                    continue
                kind, name = im.groups()
                where = f'{rel}:{n}'
                if kind == '"':
                    if name == 'config.h':
                        continue
                    if not os.path.exists(os.path.join(top, name)):
                        bad.append(f'{where}: "{name}" does not name its folder from the top of the tree')
                        continue
                    if name == 'db/db_int.h' and f != 'db':
                        bad.append(f'{where}: db/db_int.h is for db/ only')
                        continue
                    if anything:
                        continue
                    ok = any(name == p or (p.endswith('/') and name.startswith(p) and '/' not in name[len(p):])
                             for p in paths)
                    if not ok:
                        bad.append(f'{where}: {f}/ may not include {name}')
                else:
                    for lib, heads in LIBS.items():
                        if any(name == h or (h.endswith('/') and name.startswith(h)) for h in heads):
                            if lib not in libs:
                                bad.append(f'{where}: {f}/ may not use {lib} (<{name}>)')
for b in bad:
    print(b)
print(f'layers: {checked} files checked, {len(bad)} violations')
sys.exit(1 if bad else 0)
