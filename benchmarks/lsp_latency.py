"""How long ``ssot-lsp`` takes from an edit to its diagnostics, against its baselines.

    python benchmarks/lsp_latency.py [--edits 60] [--file PATH] [--repeat 5]

Starts the server over stdio with a pygls client, opens a typical
integration test module (by default the one of median length among the
integration modules of a 200-file suite from ``generate_suite.py``, about
300 lines), then applies ``--edits`` edits one after the other and times
each from sending ``textDocument/didChange`` to receiving the
``textDocument/publishDiagnostics`` for that version.  The debounce is set
to 0 for the run: the time is the server's work and the round trip, not
the pause an editor session waits for typing to stop (150 ms by default).

In the same run, side by side, for ratios that mean something on a noisy
machine:

* the checking core in-process on the same text (``check_lines``): what
  the server adds on top of it (ranges, diagnostics, JSON-RPC);
* one ``ssot-check`` subprocess on the file: what an editor pays that runs
  the linter per check;
* one ``flake8 --select=SOT`` subprocess on the file: what editors do today
  (the VS Code flake8 extension, pylsp, ALE), on save only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import generate_suite
from lsprotocol import types
from pygls.lsp.client import LanguageClient

from flake8_ssot.project import load_settings
from flake8_ssot.runner import check_lines
from flake8_ssot.server.ranges import Lines


def typical_module(root: Path) -> Path:
    """The integration test module of median length, among those with findings, in a generated suite."""
    settings = load_settings(cwd=str(root), paths=[str(root)])
    modules = []
    for path in root.rglob("test_*.py"):
        if "integration" not in path.parts:
            continue
        lines = Lines(path.read_text(encoding="utf-8", errors="replace")).checked()
        if any(f.code.startswith("SOT") for f in check_lines(str(path), lines, settings)):
            modules.append((len(lines), str(path)))
    return Path(sorted(modules)[len(modules) // 2][1])


async def edit_latencies(path: Path, root: Path, edits: int, warmup: int = 5) -> tuple[list[float], list[float], int]:
    """Seconds from each didChange to its diagnostics, seconds of the checking
    core on the same text in this process (timed just before, side by side),
    and the findings published."""
    settings = load_settings(cwd=str(root), paths=[str(path)])
    client = LanguageClient("lsp-latency", "1")
    published: dict[int, asyncio.Future[int]] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def diagnostics(params: types.PublishDiagnosticsParams) -> None:
        waiting = published.get(params.version) if params.version is not None else None
        if waiting is not None and not waiting.done():
            waiting.set_result(len(params.diagnostics))

    await client.start_io(sys.executable, "-m", "flake8_ssot.server")
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=root.as_uri(), initialization_options={"debounceMs": 0},
    ))
    client.initialized(types.InitializedParams())
    uri, text = path.as_uri(), path.read_text(encoding="utf-8")
    loop = asyncio.get_running_loop()
    published[1] = loop.create_future()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
    found = await asyncio.wait_for(published[1], 30)
    times, core = [], []
    for number in range(2, warmup + edits + 2):
        published[number] = loop.create_future()
        edited = text + f"\n\nEDIT_MARKER = {number}\n" if number % 2 else text
        start = time.perf_counter()
        check_lines(str(path), Lines(edited).checked(), settings)
        checked = time.perf_counter() - start
        start = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=number),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)],
        ))
        await asyncio.wait_for(published[number], 30)
        if number > warmup + 1:
            times.append(time.perf_counter() - start)
            core.append(checked)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return times, core, found


def subprocess_times(command: list[str], root: Path, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=60, help="edits timed (after 5 not timed)")
    parser.add_argument("--file", type=Path, help="a test module in a project (default: a generated one)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each subprocess baseline")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if args.file is not None:
            path = args.file.resolve()
            root = path.parent
        else:
            root = Path(scratch)
            generate_suite.generate(scratch, 200)
            path = typical_module(root)
        latencies, core, found = asyncio.run(edit_latencies(path, root, args.edits))
        relative = os.path.relpath(path, root)
        ssot_check = subprocess_times([sys.executable, "-m", "flake8_ssot.cli", "--no-cache", relative], root,
                                      args.repeat)
        flake8 = subprocess_times([sys.executable, "-m", "flake8", "--select=SOT", relative], root, args.repeat)
        lines = len(path.read_text(encoding="utf-8").splitlines())
    median = statistics.median(latencies)
    rows = [
        ("checking core in-process (check_lines)", statistics.median(core)),
        ("ssot-check subprocess on the file", statistics.median(ssot_check)),
        ("flake8 --select=SOT subprocess on the file", statistics.median(flake8)),
    ]
    print(f"module: {relative} ({lines} lines, {found} findings), {len(latencies)} edits timed")
    print(f"edit -> diagnostics (ssot-lsp, debounce 0): median {median * 1000:.1f} ms, "
          f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms")
    for label, value in rows:
        print(f"{label}: median {value * 1000:.1f} ms; ssot-lsp / this = {median / value:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
