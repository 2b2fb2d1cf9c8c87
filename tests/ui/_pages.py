"""What the media tests do in a notebook page beyond tests/jupyter.py: run one cell without
waiting on it, ask the kernel for a value, measure the page's JavaScript heap, switch off the
HTTP cache. Every wait is bounded (tests/browser.py)."""

from __future__ import annotations

import json
from typing import Any

import playwright.sync_api

from tests.browser import fire, wait_js
from tests.jupyter import KERNEL_IDLE, PANEL


def open_notebook(page: playwright.sync_api.Page, url: str, cells: int) -> None:
    """Open ``url`` and wait (bounded) for its ``cells`` cells and a connected, idle kernel."""
    page.goto(url, timeout=60_000)
    wait_js(page, f"window.jupyterapp && {PANEL} && {PANEL}.content", "the notebook", 60)
    wait_js(page, f"{PANEL}.content.widgets.length === {cells}", f"{cells} cells", 30)
    wait_js(page, KERNEL_IDLE, "the notebook's kernel to be connected and idle", 60)


def run_cell(page: playwright.sync_api.Page, index: int) -> None:
    """Run cell ``index`` without awaiting the run (its outputs are waited for one by one);
    ``window.__soraRunAt`` records when, on the page's clock."""
    fire(
        page,
        f"(() => {{ const nb = {PANEL}.content; nb.deselectAll(); nb.activeCellIndex = {index};"
        " window.__soraRunAt = performance.now();"
        " return window.jupyterapp.commands.execute('notebook:run-cell'); })()",
    )


def wait_idle(page: playwright.sync_api.Page, what: str, timeout_s: float = 60) -> None:
    """Wait (bounded) for the kernel to finish ``what``."""
    wait_js(page, KERNEL_IDLE, f"the kernel to finish {what}", timeout_s)


def kernel_value(page: playwright.sync_api.Page, expression: str, timeout_s: float = 30) -> Any:
    """The value of a Python ``expression`` in the notebook's kernel (its repr, read back)."""
    text = page.evaluate(
        f"""async () => {{
          const kernel = {PANEL}.sessionContext.session.kernel;
          const future = kernel.requestExecute({{
            code: '', silent: true, store_history: false,
            user_expressions: {{ value: {json.dumps(expression)} }},
          }});
          const timeout = new Promise((_, reject) => setTimeout(
            () => reject(new Error('no answer from the kernel in {timeout_s} s')),
            {timeout_s * 1000}));
          const reply = await Promise.race([future.done, timeout]);
          const value = reply.content.user_expressions.value;
          if (value.status !== 'ok') throw new Error(value.ename + ': ' + value.evalue);
          return value.data['text/plain'];
        }}"""
    )
    return json.loads(text) if text[:1] in "-0123456789[{" else text


def js_heap_mb(page: playwright.sync_api.Page) -> float:
    """The page's JavaScript heap in MB after a full garbage collection (Chrome DevTools)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("HeapProfiler.enable")
        cdp.send("HeapProfiler.collectGarbage")
        used = cdp.send("Runtime.getHeapUsage")["usedSize"]
    finally:
        cdp.detach()
    return float(used) / 1e6


def disable_http_cache(page: playwright.sync_api.Page) -> playwright.sync_api.CDPSession:
    """No HTTP cache for this page (while the returned session lives), so a second load of the
    same files costs what the first did."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    return cdp
