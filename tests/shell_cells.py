"""Running a notebook cell in an in-process IPython shell, as the kernel does, for the check tests."""
from __future__ import annotations


def run_cell(shell, code: str, cell_id: str | None = None) -> str:
    """Run one cell as the kernel does; what it shows (checks included) as text."""
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        shell.run_cell(code, store_history=True, cell_id=cell_id)
    return captured.stdout + "".join(output.data.get("text/plain", "") for output in captured.outputs)
