"""Execute one notebook with real Jupyter (nbclient) and export it as a standalone HTML page.

Called by lib/notebooks/runner.ts with the Python that runs the `jupyter` command. Prints one JSON line
on stdout: {"ok": bool, "seconds": float, "failed_cell": int|null, "source": str, "error": str, "stderr": str}.
The executed notebook and the HTML page are written even when a cell fails, so the failure can be read.

`--export PAGES_JSON MATHJAX_URL REQUIRE_JS_URL` only exports executed notebooks, with the page scripts at the given
(relative) URLs, for the course website (lib/notebooks/site.ts): PAGES_JSON is [[ipynb, html], ...].
"""
import json
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert import HTMLExporter


# Exported pages must work offline. Debian's nbconvert loads require.js and MathJax from Debian's packages;
# pip's nbconvert (the project's .venv) from a CDN: point it at Debian's copies where they are installed.
LOCAL_SCRIPTS = {
    "require_js_url": ("/usr/share/javascript/requirejs/require.min.js", ""),
    "mathjax_url": ("/usr/share/javascript/mathjax/MathJax.js", "?config=TeX-AMS_CHTML-full,Safe"),
}


def html_exporter(urls=None):
    """The page exporter; `urls` overrides where the pages load require.js and MathJax from."""
    if urls is None:
        urls = {key: f"file://{path}{query}" for key, (path, query) in LOCAL_SCRIPTS.items() if os.path.exists(path)}
    return HTMLExporter(**urls)


def export_pages(pages_json, mathjax_url, require_js_url):
    exporter = html_exporter({"mathjax_url": mathjax_url, "require_js_url": require_js_url})
    for ipynb_path, html_path in json.loads(pages_json):
        body, _ = exporter.from_notebook_node(nbformat.read(ipynb_path, as_version=4))
        with open(html_path, "w", encoding="utf-8") as f:
            f.write(body)
    print(json.dumps({"ok": True}))


def cell_report(nb, index):
    """Source, error text and stderr of cell `index`. tslab attaches no error output to a failing cell: it
    prints the real error to the cell's stderr, so the error line is taken from there when present."""
    cell = nb.cells[index]
    outputs = cell.get("outputs", [])
    stderr = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr")
    errors = [o for o in outputs if o.get("output_type") == "error"]
    text = ""
    for line in stderr.splitlines():
        if re.match(r"^\s*([A-Za-z_.]*(Error|Exception)|Uncaught)\b", line) or "error TS" in line:
            text = line.strip()
            break
    if not text and errors:
        text = f"{errors[0].get('ename', '')}: {errors[0].get('evalue', '')}".strip(": ")
    return cell.source, text, stderr


def last_executed(nb):
    counts = [(c.get("execution_count") or 0, i) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    best = max(counts, default=(0, None))
    return best[1]


def main():
    if sys.argv[1] == "--export":
        return export_pages(*sys.argv[2:5])
    source_path, ipynb_path, html_path, timeout, kernel_name, cwd = sys.argv[1:7]
    nb = nbformat.read(source_path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=int(timeout),
        kernel_name=kernel_name,
        resources={"metadata": {"path": cwd}},
    )
    start = time.time()
    result = {"ok": True, "failed_cell": None, "source": "", "error": "", "stderr": ""}
    failed = []
    client.on_cell_error = lambda cell, cell_index, execute_reply: failed.append(cell_index)
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        result["ok"] = False
        index = failed[0] if failed else last_executed(nb)
        result["failed_cell"] = index
        if index is not None:
            result["source"], result["error"], result["stderr"] = cell_report(nb, index)
        if isinstance(exc, CellTimeoutError):
            result["error"] = f"timed out after {timeout} s: " + (result["error"] or "the cell did not finish")
        elif isinstance(exc, DeadKernelError):
            result["error"] = "the kernel died: " + (result["error"] or str(exc).strip().splitlines()[-1])
        if not result["error"]:
            lines = [l for l in str(exc).strip().splitlines() if l.strip()]
            result["error"] = lines[-1] if lines else type(exc).__name__
    result["seconds"] = round(time.time() - start, 2)
    nbformat.write(nb, ipynb_path)
    body, _ = html_exporter().from_notebook_node(nb)
    with open(html_path, "w", encoding="utf-8") as f:
        f.write(body)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
