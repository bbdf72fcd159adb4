"""An independent Python import graph for checking Helios's (not grimp).

Parses every .py file with CPython's own `ast` and resolves imports with grimp's rules,
implemented here separately: `import a.b.c` -> a.b.c only; `from X import n` -> X.n when it is a
module, else X; relative imports from the importer's package; source roots '' and 'src'.
With --grimp, builds the graph with grimp instead (where it is installed).
Prints {"file": ["imported file", ...]} for local edges, as JSON.
"""
import ast
import json
import os
import sys

ROOTS = ["", "src"]


def list_files(root):
    out = []
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if not x.startswith(".") and x not in ("__pycache__", "venv", "node_modules"))
        for f in files:
            if f.endswith(".py"):
                out.append(os.path.relpath(os.path.join(d, f), root).replace(os.sep, "/"))
    return sorted(out)


def module_file(files, base):
    cands = ["__init__.py"] if base == "" else [base + "/__init__.py", base + ".py"]
    return next((c for c in cands if c in files), None)


def join(*parts):
    return "/".join(p for p in parts if p)


def resolve_absolute(files, dotted, name):
    rest = dotted.replace(".", "/")
    for root in ROOTS:
        if name and name != "*":
            f = module_file(files, join(root, rest, name))
            if f:
                return f
        f = module_file(files, join(root, rest))
        if f:
            return f
    return None


def oracle(root):
    files = set(list_files(root))
    graph = {}
    for f in sorted(files):
        with open(os.path.join(root, f), encoding="utf-8") as h:
            tree = ast.parse(h.read(), filename=f)
        targets = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    t = resolve_absolute(files, a.name, None)
                    if t:
                        targets.add(t)
            elif isinstance(node, ast.ImportFrom):
                for a in node.names:
                    if node.level:
                        segs = f.split("/")[:-1]
                        if node.level - 1 > len(segs):
                            continue
                        base = join("/".join(segs[: len(segs) - (node.level - 1)]), (node.module or "").replace(".", "/"))
                        t = (module_file(files, join(base, a.name)) if a.name != "*" else None) or module_file(files, base)
                    else:
                        t = resolve_absolute(files, node.module or "", a.name)
                    if t:
                        targets.add(t)
        graph[f] = sorted(targets)
    return graph


def with_grimp(root):
    import grimp  # noqa: only where installed

    files = list_files(root)
    by_module = {}
    for f in files:
        rel = f[4:] if f.startswith("src/") else f
        by_module[rel[:-3].replace("/__init__", "").replace("/", ".")] = f
    tops = set()
    for base in ("", "src"):
        d = os.path.join(root, base)
        for name in os.listdir(d) if os.path.isdir(d) else []:
            if os.path.exists(os.path.join(d, name, "__init__.py")):
                tops.add(name)
    sys.path[:0] = [os.path.join(root, "src"), root]
    graph = grimp.build_graph(*sorted(tops), include_external_packages=False)
    out = {}
    for m in graph.modules:
        if m in by_module:
            out[by_module[m]] = sorted(by_module[t] for t in graph.find_modules_directly_imported_by(m) if t in by_module)
    return out


if __name__ == "__main__":
    root = sys.argv[1]
    print(json.dumps(with_grimp(root) if "--grimp" in sys.argv else oracle(root)))
