#!/usr/bin/env python3
# test-include-cycles.py: no two modules under src/ include each other,
# directly or through others.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A module is a .c and its .h (tr-foo.c + tr-foo.h; a private header
# tr-foo-private.h and the tr-foo-*.c files split from it belong to
# tr-foo too). Module A depends on B when any file of A includes a
# header of B. A cycle (A → B → … → A) means neither can be understood,
# tested or replaced without the other: Preferences calling back into
# the application that opens it was one (issue 19). Every strongly
# connected set of two or more modules is reported with the includes
# that close it. Prints TAP.

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
SKIP_DIRS = {'node_modules', '.git'}


def stem_of(path):
    stem = os.path.splitext(os.path.basename(path))[0]
    return stem[:-len('-private')] if stem.endswith('-private') else stem


def module_of(path, header_stems):
    """The module a file belongs to: its own when it has a header
    (tr-ticket-card.c), else the longest module with a header that its
    name extends (tr-foh-view-actions.c, tr-op-apply.c)."""
    stem = stem_of(path)
    if stem in header_stems:
        return stem
    best = stem
    for module in header_stems:
        if stem.startswith(module + '-') and (best == stem or len(module) > len(best)):
            best = module
    return best


def scan(src_root):
    """Returns ({file path: [included names]}, {basename: path})."""
    includes = {}
    by_name = {}
    for dirpath, dirnames, filenames in os.walk(src_root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            if not name.endswith(('.c', '.h')):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding='utf-8') as f:
                includes[path] = INCLUDE.findall(f.read())
            by_name[name] = path
    return includes, by_name


def module_graph(includes, by_name):
    """{module: {module: [(file, header)]}}: the edges, each with the
    #include lines that make it."""
    header_stems = {stem_of(path) for path in includes if path.endswith('.h')}
    graph = {}
    for path, names in includes.items():
        a = module_of(path, header_stems)
        graph.setdefault(a, {})
        for name in names:
            target = by_name.get(os.path.basename(name))
            if target is None:
                continue  # config.h, generated resources
            b = module_of(target, header_stems)
            if b != a:
                graph[a].setdefault(b, []).append((os.path.basename(path), name))
    return graph


def find_cycles(graph):
    """Tarjan's strongly connected components of two or more nodes."""
    index = {}
    low = {}
    stack = []
    on_stack = set()
    cycles = []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, {})):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return cycles


def describe(cycle, graph):
    lines = []
    members = set(cycle)
    for a in cycle:
        for b, how in sorted(graph.get(a, {}).items()):
            if b in members:
                lines.append('  %s → %s (%s)' % (a, b, ', '.join(
                    '%s includes %s' % pair for pair in how)))
    return '\n'.join(lines)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..')
    results = []

    # The check itself: it must see a cycle where there is one, through
    # a private header and a split file too.
    sample = {
        'src/a/tr-one.c': ['tr-one.h', 'tr-two.h'],
        'src/a/tr-one.h': [],
        'src/a/tr-two-private.h': ['tr-two.h'],
        'src/a/tr-two.h': [],
        'src/a/tr-two-actions.c': ['tr-two-private.h', 'tr-three.h'],
        'src/a/tr-three.h': ['tr-one.h'],
        'src/a/tr-four.c': ['tr-one.h', 'config.h'],
    }
    sample_names = {os.path.basename(p): p for p in sample}
    found = find_cycles(module_graph(sample, sample_names))
    results.append((found == [['tr-one', 'tr-three', 'tr-two']],
                    'the check finds a cycle through a private header and a split file',
                    'found %r' % found))

    includes, by_name = scan(os.path.join(root, 'src'))
    graph = module_graph(includes, by_name)
    n_edges = sum(len(targets) for targets in graph.values())
    results.append((n_edges >= 50, 'src/ has a module graph to check',
                    'only %d edges between %d modules: is the path right?' % (n_edges, len(graph))))
    cycles = find_cycles(graph)
    results.append((not cycles, 'no include cycle among the modules in src/',
                    '\n'.join('cycle: %s\n%s' % (' ↔ '.join(c), describe(c, graph))
                              for c in cycles)))

    print('1..%d' % len(results))
    failed = 0
    for i, (ok, name, detail) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, name))
        if not ok:
            failed += 1
            for line in detail.splitlines():
                print('# ' + line)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
