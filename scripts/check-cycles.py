#!/usr/bin/env python3
"""Fail when library units call each other in a cycle.

A unit is one object file of src/lib. Unit A depends on unit B when A
references a symbol B defines (read with nm). Any strongly connected group
of more than one unit is printed, with the edges inside it, and the exit
code is 1. Usage: check-cycles.py OBJECT_DIR
"""
import collections
import glob
import os
import subprocess
import sys


def graph(obj_dir):
    defined, wanted = {}, collections.defaultdict(set)
    for obj in glob.glob(os.path.join(obj_dir, "**", "*.o"), recursive=True):
        unit = os.path.basename(obj)[:-len(".c.o")] if obj.endswith(".c.o") else os.path.basename(obj)
        out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            f = line.split()
            if len(f) == 3 and f[1] in "TDBR":
                defined[f[2]] = unit
            elif len(f) == 2 and f[0] == "U":
                wanted[unit].add(f[1])
    edges = collections.defaultdict(set)
    for unit, syms in wanted.items():
        for sym in syms:
            if sym in defined and defined[sym] != unit:
                edges[unit].add(defined[sym])
    return edges


def cycles(edges):
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10000)
    for v in list(edges):
        if v not in index:
            visit(v)
    return found


def main():
    edges = graph(sys.argv[1])
    if not edges:
        print("no object files in " + sys.argv[1])
        return 1
    bad = cycles(edges)
    for group in bad:
        print("cycle: " + " ".join(group))
        for unit in group:
            print("  %s -> %s" % (unit, " ".join(sorted(w for w in edges[unit] if w in group))))
    print("%d units, %d cycles" % (len(edges), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
