"""Drive JupyterLab in a real browser the way a trainee meets the course.

The server is started with `make lab`, the command trainees are given, and the browser opens the
page that command hands to a browser (the server's "open this file" redirect page), so the test
lands exactly where a trainee lands.

Browser tests are marked `@pytest.mark.browser` and run only when selected with `-m browser`
(`make test-browser` does that). A plain `pytest tests` (`make test`) skips them, because they need
Debian's chromium and a free minute.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest
from playwright.sync_api import Locator, Page, Playwright, expect, sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACT_ROOT = REPO_ROOT / "test-artifacts" / "browser"

# Debian's chromium, installed with apt (.ci/run does it): the test never downloads a browser.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Belt and braces for "no traffic except to 127.0.0.1": no other host name resolves.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
VIEWPORT = {"width": 1280, "height": 900}

# `make lab` may first have to check the environment and the plant tables.
SERVER_START_TIMEOUT_S = 120
UI_TIMEOUT_MS = 30_000
# A whole module runs in under 60 s on a 2-core laptop (house style); this is the bound for one run.
RUN_TIMEOUT_S = 60

# A trainee's JupyterLab preferences, written fresh for every server.
LAB_USER_SETTINGS = {
    # No "Would you like to get notified about official Jupyter news?" toast over the notebook.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # The browser types answers into the course's own notebooks; they must stay as generated.
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # When `-m` names the browser marker, that expression alone decides what runs.
    if "browser" in config.getoption("markexpr").split():
        return
    skip_browser = pytest.mark.skip(reason="browser test: run it with `make test-browser`")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip_browser)


# Set on each test item once its body ran, so fixtures can keep a screenshot of a failure.
CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


# --------------------------------------------------------------------------------------------
# The JupyterLab server, started with `make lab`
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabServer:
    base_url: str
    token: str
    root_dir: Path
    # The file:// page `make lab` would open in the trainee's browser; it redirects into the lab.
    landing_url: str
    log_path: Path


def trainee_environment(home: Path) -> dict[str, str]:
    """Environment of a trainee's first session: no Jupyter state from earlier runs or the host."""
    folders = {
        "JUPYTER_CONFIG_DIR": home / "jupyter-config",
        "JUPYTER_DATA_DIR": home / "jupyter-data",
        "JUPYTER_RUNTIME_DIR": home / "jupyter-runtime",
        "JUPYTERLAB_SETTINGS_DIR": home / "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": home / "lab-workspaces",
        "IPYTHONDIR": home / "ipython",
        "MPLCONFIGDIR": home / "matplotlib",
    }
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    for relative_path, settings in LAB_USER_SETTINGS.items():
        settings_file = folders["JUPYTERLAB_SETTINGS_DIR"] / relative_path
        settings_file.parent.mkdir(parents=True, exist_ok=True)
        settings_file.write_text(json.dumps(settings, indent=2))
    return {**os.environ, **{name: str(folder) for name, folder in folders.items()}, "PYTHONHASHSEED": "0"}


@contextmanager
def lab_started_by_make(home: Path, make_variables: Sequence[str] = ()) -> Iterator[LabServer]:
    """Run `make lab` with a token and a free port on 127.0.0.1; stop it and its kernels after.

    `make_variables` are extra `NAME=value` overrides, e.g. another LAB_ROOT and FIRST_NOTEBOOK.
    """
    environment = trainee_environment(home)
    runtime_dir = Path(environment["JUPYTER_RUNTIME_DIR"])
    token = secrets.token_hex(24)
    checkpoints_dir = home / "checkpoints"
    lab_flags = " ".join([
        "--no-browser --ServerApp.ip=127.0.0.1 --port=0",
        f"--IdentityProvider.token={token}",
        # JupyterLab keeps a checkpoint copy of each notebook it opens: keep it out of the course folder.
        f"--FileCheckpoints.checkpoint_dir={checkpoints_dir}",
    ])
    command = ["make", "--no-print-directory", "-C", str(REPO_ROOT), "lab", f"LAB_FLAGS={lab_flags}"]
    command += make_variables
    log_path = home / "make-lab.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=environment
        )
    try:
        yield _wait_for_server(process, runtime_dir, token, log_path)
    finally:
        _stop_process_tree(process)


def _wait_for_server(process: subprocess.Popen, runtime_dir: Path, token: str, log_path: Path) -> LabServer:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            log = log_path.read_text()
            raise RuntimeError(f"`make lab` exited with code {process.returncode} before serving:\n{log}")
        server = _server_from_runtime_files(runtime_dir, token, log_path)
        if server is not None and _answers_status(server):
            return server
        if time.monotonic() > deadline:
            raise TimeoutError(f"`make lab` did not serve within {SERVER_START_TIMEOUT_S} s:\n{log_path.read_text()}")
        time.sleep(0.2)


def _server_from_runtime_files(runtime_dir: Path, token: str, log_path: Path) -> LabServer | None:
    info_files = sorted(runtime_dir.glob("jpserver-*.json"))
    landing_pages = sorted(runtime_dir.glob("jpserver-file-to-run-*-open.html"))
    if not info_files or not landing_pages:
        return None
    try:
        info = json.loads(info_files[0].read_text())
    except json.JSONDecodeError:  # caught while the server was still writing it
        return None
    return LabServer(
        base_url=info["url"],
        token=token,
        root_dir=Path(info["root_dir"]),
        landing_url=landing_pages[0].as_uri(),
        log_path=log_path,
    )


def _answers_status(server: LabServer) -> bool:
    request = urllib.request.Request(
        f"{server.base_url}api/status", headers={"Authorization": f"token {server.token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _stop_process_tree(process: subprocess.Popen) -> None:
    """Stop `make`'s children (the server and its kernels), then let `make` itself end.

    Kernels run in sessions of their own, so a signal to the process group would miss them.
    """
    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    for child in children:
        with suppress(psutil.NoSuchProcess):
            child.terminate()
    _, still_running = psutil.wait_procs(children, timeout=15)
    for child in still_running:
        with suppress(psutil.NoSuchProcess):
            child.kill()
    psutil.wait_procs(still_running, timeout=5)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --------------------------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`, as .ci/run does)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def artifact_dir(request: pytest.FixtureRequest) -> Iterator[Path]:
    """test-artifacts/browser/<test>/, emptied first so screenshots are from this run only."""
    folder = ARTIFACT_ROOT / re.sub(r"[^\w.\-\[\]]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    yield folder
    if not any(folder.iterdir()):  # a skipped test leaves nothing to look at
        folder.rmdir()


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"file", "data", "blob", "about", "chrome-error"}:
        return True
    return parts.hostname == "127.0.0.1"


@pytest.fixture
def browser_page(
    playwright_driver: Playwright, tmp_path: Path, artifact_dir: Path, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A fresh chromium profile and page; fails the test if the page reached beyond 127.0.0.1."""
    context = playwright_driver.chromium.launch_persistent_context(
        tmp_path / "chromium-profile",
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_FLAGS,
        viewport=VIEWPORT,
        locale="en-US",
        timezone_id="UTC",
    )
    outside_requests: list[str] = []
    console_lines: list[str] = []

    def note_if_outside(url: str) -> None:
        if not _is_local(url):
            outside_requests.append(url)

    context.on("request", lambda request_: note_if_outside(request_.url))
    page = context.pages[0] if context.pages else context.new_page()
    page.on("websocket", lambda socket: note_if_outside(socket.url))
    page.on("console", lambda message: console_lines.append(f"[{message.type}] {message.text}"))
    page.set_default_timeout(UI_TIMEOUT_MS)
    try:
        yield page
    finally:
        if request.node.stash.get(CALL_FAILED, False):
            with suppress(Exception):
                page.screenshot(path=artifact_dir / "failure.png")
        (artifact_dir / "browser-console.log").write_text("\n".join(console_lines) + "\n")
        context.close()
    assert not outside_requests, f"the browser reached beyond 127.0.0.1: {outside_requests}"


# --------------------------------------------------------------------------------------------
# A notebook open in JupyterLab, operated through the page as a trainee would
# --------------------------------------------------------------------------------------------

# The toolbar's execution indicator already says "idle" while the notebook has no kernel yet,
# so idle also needs the kernel's name in the toolbar.
_KERNEL_IDLE_JS = """
(panel) => {
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const kernelName = panel.querySelector('.jp-Toolbar-kernelName');
  return indicator !== null && indicator.dataset.status === 'idle'
    && kernelName !== null && !['', 'No Kernel'].includes(kernelName.getAttribute('aria-label') ?? '');
}
"""

# Execution count shown by each code cell's prompt: [3]: is 3, [*]: is running, [ ]: never ran.
_PROMPT_STATE_JS = f"""
(panel) => {{
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim());
  const counts = prompts.map(text => {{ const m = /^\\[(\\d+)\\]:$/.exec(text); return m ? Number(m[1]) : null; }});
  return {{ counts, running: prompts.some(text => text.includes('*')), idle: ({_KERNEL_IDLE_JS})(panel) }};
}}
"""


class NotebookInLab:
    """The notebook open in the page. Cell indices count every cell, markdown included, as in the .ipynb."""

    def __init__(self, page: Page, artifact_dir: Path) -> None:
        self.page = page
        self.artifact_dir = artifact_dir
        self.panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")

    # -- reading -------------------------------------------------------------------------

    def cell(self, index: int) -> Locator:
        return self.panel.locator(".jp-Notebook-cell").nth(index)

    def opened_path(self) -> str:
        """The notebook's path under the server root, from the address bar."""
        path = urlsplit(self.page.url).path
        marker = "/lab/tree/"
        assert marker in path, f"not a notebook page: {self.page.url}"
        return urllib.request.url2pathname(path.split(marker, 1)[1])

    def source(self, index: int) -> str:
        return self.cell(index).locator(".cm-content").inner_text()

    def output_area(self, index: int) -> Locator:
        return self.cell(index).locator(".jp-Cell-outputArea")

    def output_text(self, index: int) -> str:
        """The text a trainee reads under the cell (which must show some)."""
        area = self.output_area(index)
        area.scroll_into_view_if_needed()
        # JupyterLab skips drawing cells out of view (content-visibility), so a long notebook's
        # output has no rendered text until a moment after it is scrolled to.
        self.page.wait_for_function("area => area.innerText.trim() !== ''", arg=area.element_handle())
        return area.inner_text()

    @staticmethod
    def rendered_images(scope: Locator) -> list[Locator]:
        """Images under `scope` that the browser decoded and drew with a real size."""
        images = scope.locator("img").all()
        return [image for image in images if image.evaluate("img => img.complete && img.naturalWidth > 0")]

    def error_outputs(self) -> list[str]:
        errors = self.panel.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        return [text for text in errors.all_inner_texts() if "Traceback" in text or "Error" in text]

    def _prompt_state(self) -> dict:
        return self.panel.evaluate(_PROMPT_STATE_JS)

    def _latest_execution_count(self) -> int:
        return max((count for count in self._prompt_state()["counts"] if count is not None), default=0)

    # -- waiting -------------------------------------------------------------------------

    def wait_until_open(self) -> None:
        """The landing page redirected into JupyterLab, the notebook shows and its kernel is idle."""
        self.page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/lab/tree/"), timeout=UI_TIMEOUT_MS)
        expect(self.panel.locator(".jp-Notebook-cell").first).to_be_visible(timeout=UI_TIMEOUT_MS)
        self.wait_for_idle_kernel()

    def wait_for_idle_kernel(self) -> None:
        self.page.wait_for_function(_KERNEL_IDLE_JS, arg=self.panel.element_handle(), timeout=RUN_TIMEOUT_S * 1000)

    def _wait_until_executed(self, code_cell_positions: Sequence[int] | None, after_count: int, what: str) -> None:
        """Wait until the given code cells (all when None) show an execution count above `after_count`.

        Gives up early, with the failing cell's output, when the kernel went idle with cells left
        unrun (JupyterLab stops a run at the first error).
        """
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while True:
            state = self._prompt_state()
            counts = state["counts"]
            wanted = range(len(counts)) if code_cell_positions is None else code_cell_positions
            fresh = [counts[position] is not None and counts[position] > after_count for position in wanted]
            if all(fresh) and state["idle"] and not state["running"]:
                return
            if any(fresh) and state["idle"] and not state["running"]:
                errors = "\n".join(self.error_outputs()) or "(no error output)"
                raise AssertionError(f"{what} stopped before every cell ran:\n{errors}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} did not finish: prompts {counts}")
            self.page.wait_for_timeout(100)

    # -- acting --------------------------------------------------------------------------

    def run_all_cells(self) -> None:
        """Run ▸ Run All Cells, then wait until every code cell has run and the kernel is idle."""
        after_count = self._latest_execution_count()
        self.page.get_by_role("menuitem", name="Run", exact=True).click()
        self.page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        self._wait_until_executed(None, after_count, "Run All Cells")

    def run_cell(self, index: int) -> None:
        """Click into the cell and press Shift+Enter, as a trainee re-runs one cell."""
        after_count = self._latest_execution_count()
        position = self._code_cell_position(index)
        self.cell(index).locator(".cm-content").click()
        self.page.keyboard.press("Shift+Enter")
        self._wait_until_executed([position], after_count, f"cell {index}")

    def replace_source(self, index: int, source: str) -> None:
        """Select everything in the cell's editor and type `source` over it."""
        editor = self.cell(index).locator(".cm-content")
        editor.scroll_into_view_if_needed()
        editor.click()
        self.page.keyboard.press("ControlOrMeta+a")
        # insert_text types the whole text at once, so the editor's auto-indent cannot re-indent it.
        self.page.keyboard.insert_text(source)
        expect(editor).to_have_text(source, use_inner_text=True)  # waits; compares collapsed whitespace
        typed = self.source(index)
        assert typed.strip() == source.strip(), f"the editor holds {typed!r}, not {source!r}"

    def drag_slider(self, slider: Locator, fraction: float) -> None:
        """Drag the slider's handle with the mouse to `fraction` (0 to 1) of the track."""
        handle = slider.locator(".noUi-handle")
        track = slider.locator(".noUi-base")
        handle.scroll_into_view_if_needed()
        handle_box, track_box = handle.bounding_box(), track.bounding_box()
        assert handle_box and track_box, "the slider is not drawn"
        y = handle_box["y"] + handle_box["height"] / 2
        self.page.mouse.move(handle_box["x"] + handle_box["width"] / 2, y)
        self.page.mouse.down()
        self.page.mouse.move(track_box["x"] + track_box["width"] * fraction, y, steps=12)
        self.page.mouse.up()

    def choose_other_option(self, dropdown: Locator) -> None:
        """Pick the first option of a dropdown that is not the selected one."""
        select = dropdown.locator("select")
        current = select.input_value()
        options = select.locator("option").all()
        other = next(option for option in options if option.get_attribute("value") != current)
        select.select_option(label=other.inner_text())

    def screenshot(self, name: str, target: Locator | None = None) -> Path:
        path = self.artifact_dir / f"{name}.png"
        if target is None:
            self.page.screenshot(path=path)
        else:
            target.scroll_into_view_if_needed()
            target.screenshot(path=path)
        return path

    def _code_cell_position(self, index: int) -> int:
        """Position of cell `index` among the code cells only (how prompts are counted)."""
        is_code = self.panel.locator(".jp-Notebook-cell").evaluate_all(
            "cells => cells.map(c => c.classList.contains('jp-CodeCell'))"
        )
        assert is_code[index], f"cell {index} is not a code cell"
        return sum(is_code[:index])


@pytest.fixture
def start_lab(artifact_dir: Path):
    """`start_lab(home, make_variables=())`: serve through `make lab`; its log joins the artifacts."""

    @contextmanager
    def start(home: Path, make_variables: Sequence[str] = ()) -> Iterator[LabServer]:
        try:
            with lab_started_by_make(home, make_variables) as server:
                yield server
        finally:
            with suppress(FileNotFoundError):
                shutil.copy(home / "make-lab.log", artifact_dir / "make-lab.log")

    return start


@pytest.fixture
def open_landing_notebook(browser_page: Page, artifact_dir: Path):
    """Open a server's landing page as the trainee's browser would, and return the notebook there."""

    def open_notebook(server: LabServer) -> NotebookInLab:
        browser_page.goto(server.landing_url)
        notebook = NotebookInLab(browser_page, artifact_dir)
        notebook.wait_until_open()
        return notebook

    return open_notebook
