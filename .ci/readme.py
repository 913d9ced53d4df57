#!/usr/bin/env python3
"""Runs the README's shell commands as a reader would: every command of its
fenced ```sh blocks (also ```bash and ```shell), in order, in one shell, in a
scratch copy of the repository — and fails, naming the command and showing
its output, when one fails.

    python3 .ci/readme.py --bin DIR [--mpi-bin DIR] [--readme README.md]

Commands are the blocks' lines (a trailing backslash joins the next; blank
and comment lines are ignored), run by one bash process in the copy's root,
so `export` and `cd` carry over as in a terminal; each command's output goes
to a log that is shown only when it fails. Nothing here depends on the prose
around the blocks.

The scratch copy holds the repository's files as they are in the working
tree (tracked and untracked, not ignored: no .build), and HOME is a scratch
directory, so `make install PREFIX=$HOME/.local` installs there. The
environment drops Open MPI's run-as-root and oversubscription variables
(OMPI_ALLOW_RUN_AS_ROOT…, OMPI_MCA_rmaps_base_oversubscribe), which .ci/test
sets for the MPI tests: the README must work without them.

Substitutions, each printed when it applies, so commands run against what
the test command already built instead of building again:
  - `swift run [-c release] weightinit …` runs `weightinit …` from --bin
    (the debug build: slower than release, the same output);
  - `MPI/.build/release/weightinit-mpi` is weightinit-mpi from --mpi-bin;
  - `make install` sees CONFIGURATION=debug and a SWIFT that runs swift on
    the checked-out package, so it installs the debug library already built
    (as .ci/test's own install does) rather than making a release build.
Skipped, each with its reason printed: the commands on SKIPS below. Without
--mpi-bin, the MPI commands are skipped too (MPI is not installed). Every
other command must succeed. A skip pattern that matches no command is
reported (the README changed), not an error.
"""

import argparse
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# (pattern searched in the command, reason)
SKIPS = [
    (r"^bash \.ci/test\b", "the set-up command itself: this check runs inside it"),
    (r"^bash \.ci/demo\b", "the set-up demo: a release build and its own checks (run it on its own)"),
    (r"^swift build -c release --package-path MPI\b",
     "a release build of the MPI package takes minutes; the mpirun lines run the debug build .ci/test made"),
    (r"^bash MPI/bench\.sh\b", "a benchmark: minutes of timed runs, ranks oversubscribed"),
    (r"^python3 python/examples/fsdp_llama\.py\b",
     "needs torch and transformers, which the test command does not install; python/tests/test_init_module.py "
     "runs this example where they are importable"),
]

# (pattern, replacement, explanation)
SUBSTITUTIONS = [
    (r"^swift run (?:-c release )?weightinit(?= |$)", "weightinit",
     "`swift run weightinit` runs the weightinit already built (--bin)"),
    (r"MPI/\.build/release/weightinit-mpi", "weightinit-mpi",
     "the MPI package's weightinit-mpi already built (--mpi-bin)"),
]

# All the commands together, in seconds: a command that hangs fails the check.
TIMEOUT = 900

FENCE = re.compile(r"^```(sh|bash|shell)\s*$")


def commands(readme):
    """The commands of the shell blocks, in order, as (line number, text)."""
    found, inside, pending, start = [], False, "", 0
    for number, line in enumerate(open(readme, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not inside:
            inside = bool(FENCE.match(line))
            continue
        if line.startswith("```"):
            inside = False
            continue
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        text = (pending + line).strip()
        pending = ""
        if text and not text.startswith("#"):
            found.append((start, text))
    return found


def copy_repository(root, destination):
    listed = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            check=True, capture_output=True).stdout.split(b"\0")
    for name in (n.decode() for n in listed if n):
        source = os.path.join(root, name)
        if not os.path.lexists(source):
            continue  # deleted in the working tree
        target = os.path.join(destination, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", required=True, help="directory of the built weightinit")
    parser.add_argument("--mpi-bin", help="directory of the built weightinit-mpi (the MPI commands are skipped without it)")
    parser.add_argument("--readme", default="README.md")
    arguments = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # in order with the shell's output
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    readme = os.path.join(root, arguments.readme)
    shown = os.path.basename(readme)
    binary = os.path.abspath(arguments.bin)
    if not os.access(os.path.join(binary, "weightinit"), os.X_OK):
        sys.exit(f"readme: no weightinit in {binary}")
    mpi = os.path.abspath(arguments.mpi_bin) if arguments.mpi_bin else None
    if mpi and not os.access(os.path.join(mpi, "weightinit-mpi"), os.X_OK):
        sys.exit(f"readme: no weightinit-mpi in {mpi}")

    steps, used = [], set()
    for number, text in commands(readme):
        skip = next((i for i, (pattern, _) in enumerate(SKIPS) if re.search(pattern, text)), None)
        if skip is not None:
            used.add(skip)
            print(f"readme: skipped ({shown}:{number}) {text}\n        because {SKIPS[skip][1]}")
            continue
        if mpi is None and re.search(r"\bmpirun\b|weightinit-mpi|--package-path MPI", text):
            print(f"readme: skipped ({shown}:{number}) {text}\n        because the MPI package was not built (no Open MPI here)")
            continue
        run = text
        for pattern, replacement, why in SUBSTITUTIONS:
            substituted = re.sub(pattern, replacement, run)
            if substituted != run:
                print(f"readme: substituted ({shown}:{number}): {why}")
                run = substituted
        steps.append((number, text, run))
    for index, (pattern, _) in enumerate(SKIPS):
        if index not in used:
            print(f"readme: note: the skip pattern {pattern!r} matched no command (the README changed?)")
    if not steps:
        sys.exit("readme: found no commands to run in the README's shell blocks")

    scratch = tempfile.mkdtemp(prefix="weightinit-readme-")
    try:
        repository, home = os.path.join(scratch, "repository"), os.path.join(scratch, "home")
        os.makedirs(home)
        copy_repository(root, repository)
        # `make install`'s $(SWIFT) build … runs here on the checked-out package's own build.
        shim = os.path.join(scratch, "swift-on-package")
        with open(shim, "w") as f:
            f.write(f'#!/bin/sh\ncommand="$1"; shift\nexec swift "$command" --package-path {shlex.quote(root)} "$@"\n')
        os.chmod(shim, 0o755)
        environment = {k: v for k, v in os.environ.items()
                       if not k.startswith("OMPI_ALLOW_RUN_AS_ROOT") and k != "OMPI_MCA_rmaps_base_oversubscribe"}
        environment.update(HOME=home, CONFIGURATION="debug", SWIFT=shim,
                           PATH=os.pathsep.join([binary] + ([mpi] if mpi else []) + [environment.get("PATH", "")]))
        environment.pop("PKG_CONFIG_PATH", None)

        log = os.path.join(scratch, "output.log")
        script = ["log=" + shlex.quote(log)]
        for index, (number, text, run) in enumerate(steps):
            script += [
                f"printf 'readme: $ %s\\n' {shlex.quote(text)}",
                "offset=$(stat -c %s \"$log\" 2>/dev/null || echo 0); started=$(date +%s%N)",
                # A brace group runs in this shell (exports and cd stay); the newline ends a trailing comment.
                "{ " + run + "\n} </dev/null >>\"$log\" 2>&1",
                "status=$?",
                "tenths=$(( ($(date +%s%N) - started) / 100000000 ))",
                "printf 'readme:   %d.%d s\\n' $((tenths / 10)) $((tenths % 10))",
                "if [ \"$status\" -ne 0 ]; then",
                f"    printf 'readme: FAILED with status %s ({shown}:{number}): %s\\n' \"$status\" {shlex.quote(text)} >&2",
                "    tail -c +$((offset + 1)) \"$log\" | tail -n 40 >&2",
                "    exit 1",
                "fi",
            ]
        started = time.monotonic()
        # Its own session, so that a command that hangs is ended with everything it started.
        shell = subprocess.Popen(["bash", "-c", "\n".join(script)], cwd=repository, env=environment,
                                 start_new_session=True)
        try:
            status = shell.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(shell.pid, signal.SIGKILL)
            shell.wait()
            print(f"readme: the commands did not finish within {TIMEOUT} s; the last one started is above", file=sys.stderr)
            return 1
        elapsed = time.monotonic() - started
        if status != 0:
            print(f"readme: a README command failed (above), after {elapsed:.0f} s", file=sys.stderr)
            return 1
        print(f"readme: {len(steps)} README commands ran as written (substitutions above) in {elapsed:.0f} s")
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
