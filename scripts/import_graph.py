"""Print what issue 12's layout targets measure, from the import graph of src/rejectlens.

    python scripts/import_graph.py            # human-readable report
    python scripts/import_graph.py --json     # the same as JSON
    python scripts/import_graph.py --strict   # exit 1 unless every target is met

It reads the source with ``ast`` (nothing is imported) and prints:

1. import cycles among the package's modules, as strongly connected groups
   plus the shortest cycle through each edge of a group. An edge is an import
   anywhere in a module: at the top (runs on import), inside a function
   ("lazy", runs on first call) or under ``if TYPE_CHECKING:`` ("typing",
   never runs). Cycles are counted over top + lazy edges, since a lazy import
   still couples the two modules; the cycles that are top-level only (the ones
   that can break an import) are listed too. Typing-only edges are ignored.
2. modules importing the package ``__init__`` (``from . import __version__``,
   ``import rejectlens``) at run time (typing-only imports do not count): they
   depend on the package's public face instead of the module that owns the
   name. ``from . import submodule`` is an edge to that submodule, not to
   ``__init__``; a subpackage re-exporting its own names (``from .mailbox
   import report``) is not counted. The package ``__init__``'s lazy
   ``import_module`` table is dynamic and not read.
3. modules over the line limit (350 by default).
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "rejectlens"
LIMIT = 350


def module_files(src: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every .py under the package."""
    out = {}
    for path in sorted((src / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _is_package(name: str, files: dict[str, Path]) -> bool:
    return name in files and files[name].name == "__init__.py"


def _resolve(module: str, level: int, target: str | None, files: dict[str, Path]) -> str:
    """The absolute name of ``from <level dots><target> import ...`` inside ``module``."""
    if level == 0:
        return target or ""
    base = module.split(".") if _is_package(module, files) else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(module: str, path: Path, files: dict[str, Path]) -> list[tuple[str, str, int]]:
    """(imported module, kind, line) for every import of a package module in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[str, str, int]] = []

    def add(name: str, kind: str, line: int) -> None:
        # the longest prefix that is a module of ours ("rejectlens.model.Classifier" -> model)
        parts = name.split(".")
        while parts and ".".join(parts) not in files:
            parts.pop()
        if parts and parts[0] == PACKAGE:
            found.append((".".join(parts), kind, line))

    def visit(node: ast.AST, kind: str) -> None:
        for child in ast.iter_child_nodes(node):
            k = kind
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and kind == "top":
                k = "lazy"
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for sub in child.body:
                    visit_stmt(sub, "typing")
                for sub in child.orelse:
                    visit_stmt(sub, k)
                continue
            visit_stmt(child, k)

    def visit_stmt(node: ast.AST, kind: str) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, kind, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node.level, node.module, files)
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                # "from . import persist" imports the submodule; "from . import __version__"
                # reads a name of the package __init__
                add(sub if sub in files else target, kind, node.lineno)
        visit(node, kind)

    visit(tree, "top")
    return found


def build_graph(src: Path) -> tuple[dict[str, Path], dict[tuple[str, str], dict]]:
    files = module_files(src)
    edges: dict[tuple[str, str], dict] = {}
    for mod, path in files.items():
        for target, kind, line in imports(mod, path, files):
            if target == mod:
                continue
            e = edges.setdefault((mod, target), {"kinds": set(), "lines": []})
            e["kinds"].add(kind)
            e["lines"].append(line)
    return files, edges


def strongly_connected(nodes, adj: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative); groups of two or more modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(adj.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(adj.get(w, ())))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                group = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    group.append(w)
                    if w == v:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return sorted(groups)


def shortest_path(adj: dict[str, set[str]], start: str, goal: str, allowed: set[str]) -> list[str] | None:
    prev: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        v = queue.popleft()
        if v == goal:
            path = [v]
            while prev[path[-1]] is not None:
                path.append(prev[path[-1]])  # type: ignore[arg-type]
            return path[::-1]
        for w in sorted(adj.get(v, ())):
            if w in allowed and w not in prev:
                prev[w] = v
                queue.append(w)
    return None


def cycles(edges: dict[tuple[str, str], dict], kinds: set[str]) -> tuple[list[list[str]], list[list[str]]]:
    """(strongly connected groups, one shortest cycle per edge inside a group, deduplicated)."""
    adj: dict[str, set[str]] = {}
    for (a, b), e in edges.items():
        if e["kinds"] & kinds:
            adj.setdefault(a, set()).add(b)
    nodes = set(adj) | {b for bs in adj.values() for b in bs}
    groups = strongly_connected(nodes, adj)
    found: dict[tuple[str, ...], list[str]] = {}
    for group in groups:
        members = set(group)
        for a in group:
            for b in sorted(adj.get(a, ())):
                if b not in members:
                    continue
                back = shortest_path(adj, b, a, members)
                if back is None:
                    continue
                cycle = [a, *back]  # a -> b -> ... -> a
                ring = cycle[:-1]
                k = ring.index(min(ring))
                canon = (*ring[k:], *ring[:k])
                found.setdefault(canon, [*canon, canon[0]])
    return groups, sorted(found.values(), key=lambda c: (len(c), c))


def report(src: Path, limit: int) -> dict:
    files, edges = build_graph(src)
    groups, all_cycles = cycles(edges, {"top", "lazy"})
    _, top_cycles = cycles(edges, {"top"})
    init_importers = sorted(
        (a, min(e["lines"]), "/".join(sorted(e["kinds"])))
        for (a, b), e in edges.items()
        if b == PACKAGE and e["kinds"] - {"typing"}
    )
    long = sorted(
        ((m, sum(1 for _ in p.open(encoding="utf-8"))) for m, p in files.items()),
        key=lambda x: -x[1],
    )
    return {
        "modules": len(files),
        "edges": len(edges),
        "cycle_groups": groups,
        "cycles": all_cycles,
        "top_level_cycles": top_cycles,
        "init_importers": [
            {"module": a, "line": line, "kind": kind} for a, line, kind in init_importers
        ],
        "over_limit": [{"module": m, "lines": n} for m, n in long if n > limit],
        "limit": limit,
    }


def _short(name: str) -> str:
    return name[len(PACKAGE) + 1:] if name.startswith(PACKAGE + ".") else name


def print_report(r: dict) -> None:
    print(f"{r['modules']} modules, {r['edges']} import edges inside {PACKAGE}")
    print()
    print(f"import cycles (top-level + lazy imports): {len(r['cycles'])} "
          f"in {len(r['cycle_groups'])} strongly connected group(s)")
    for g in r["cycle_groups"]:
        print("  group: " + ", ".join(map(_short, g)))
    for c in r["cycles"]:
        print("  cycle: " + " -> ".join(map(_short, c)))
    print(f"  of which top-level only (can break an import): {len(r['top_level_cycles'])}")
    for c in r["top_level_cycles"]:
        print("  cycle: " + " -> ".join(map(_short, c)))
    print()
    print(f"modules importing the package __init__ ({PACKAGE}): {len(r['init_importers'])}")
    for e in r["init_importers"]:
        print(f"  {_short(e['module'])} (line {e['line']}, {e['kind']})")
    print()
    print(f"modules over {r['limit']} lines: {len(r['over_limit'])}")
    for e in r["over_limit"]:
        print(f"  {_short(e['module'])}: {e['lines']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="folder holding the package")
    ap.add_argument("--limit", type=int, default=LIMIT, help="line limit per module")
    ap.add_argument("--json", action="store_true", help="print JSON")
    ap.add_argument("--strict", action="store_true", help="exit 1 unless all three lists are empty")
    args = ap.parse_args(argv)
    r = report(args.src, args.limit)
    if args.json:
        print(json.dumps(r, indent=1))
    else:
        print_report(r)
    failed = r["cycles"] or r["init_importers"] or r["over_limit"]
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
