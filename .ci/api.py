#!/usr/bin/env python3
"""The committed listing of each library product's public API, and its check.

The public API is a promise: every public declaration of the products below
is listed, one per line, in api/<Module>.txt, generated from the compiler's
symbol graph (swift package dump-symbol-graph, public only, no SPI, no
synthesized members). `.ci/test` runs this with --check, which fails when the
code's public API differs from the committed listing, so every public change
shows up in review (like Kotlin's binary-compatibility validator or
cargo-public-api).

  python3 .ci/api.py --check    # compare (what .ci/test runs)
  python3 .ci/api.py --write    # regenerate api/*.txt after a deliberate change
"""
import difflib
import glob
import json
import os
import subprocess
import sys
import time

MODULES = ["WeightInit", "WeightInitAnalysis", "WeightInitModels", "WeightInitCLI", "WeightInitC"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def symbol_graphs():
    """Builds and dumps the symbol graphs; returns their directory.

    The command also tries the test modules, which fail when the tests have
    not been built (a fresh clone): that is fine as long as every listed
    module's graph was written by this run."""
    started = time.time()
    out = subprocess.run(
        ["swift", "package", "dump-symbol-graph", "--minimum-access-level", "public", "--skip-synthesized-members"],
        cwd=ROOT, capture_output=True, text=True)
    directory = None
    for line in out.stdout.splitlines():
        if line.startswith("Files written to "):
            directory = line[len("Files written to "):].strip()
    fresh = directory is not None and all(
        os.path.exists(path) and os.path.getmtime(path) >= started - 1
        for path in (os.path.join(directory, module + ".symbols.json") for module in MODULES))
    if not fresh:
        sys.exit("api: swift package dump-symbol-graph did not write every listed module's graph:\n"
                 + out.stdout + out.stderr)
    return directory


def declaration(symbol):
    text = "".join(f["spelling"] for f in symbol.get("declarationFragments", []))
    return " ".join(text.split())


def listing(directory, module):
    """One line per public declaration and per conformance of `module`."""
    lines = set()
    names = {}
    files = [os.path.join(directory, module + ".symbols.json")]
    files += sorted(glob.glob(os.path.join(directory, module + "@*.symbols.json")))
    graphs = [json.load(open(f)) for f in files if os.path.exists(f)]
    for graph in graphs:
        for symbol in graph["symbols"]:
            names[symbol["identifier"]["precise"]] = ".".join(symbol["pathComponents"])
    for graph in graphs:
        for symbol in graph["symbols"]:
            if symbol.get("accessLevel") not in ("public", "open") or symbol.get("spi"):
                continue
            lines.add(".".join(symbol["pathComponents"]) + " | " + declaration(symbol))
        for relation in graph.get("relationships", []):
            if relation["kind"] not in ("conformsTo", "inheritsFrom"):
                continue
            source = names.get(relation["source"])
            if source is None or "." in source:
                continue  # a member's requirement, not a type's conformance
            target = names.get(relation["target"]) or relation.get("targetFallback") or relation["target"]
            target = target.split(".")[-1]
            if target in ("Copyable", "Escapable"):
                continue  # implicit for every type; the graph lists them only sometimes
            lines.add(f"{source} | conforms to {target}")
    return sorted(lines)


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "--check"
    if mode not in ("--check", "--write"):
        sys.exit(__doc__)
    directory = symbol_graphs()
    changed = False
    for module in MODULES:
        path = os.path.join(ROOT, "api", module + ".txt")
        lines = listing(directory, module)
        text = "".join(line + "\n" for line in lines)
        if mode == "--write":
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            print(f"api: wrote {os.path.relpath(path, ROOT)} ({len(lines)} declarations)")
            continue
        old = open(path).read() if os.path.exists(path) else ""
        if old != text:
            changed = True
            diff = difflib.unified_diff(old.splitlines(), lines, f"api/{module}.txt (committed)",
                                        f"api/{module}.txt (code)", lineterm="", n=0)
            print("\n".join(diff))
        else:
            print(f"api: {module}: {len(lines)} public declarations, as listed in api/{module}.txt")
    if changed:
        sys.exit("api: the public API differs from the committed listing (above). If the change is deliberate, "
                 "run `python3 .ci/api.py --write` and commit api/*.txt with a note saying why.")


if __name__ == "__main__":
    main()
