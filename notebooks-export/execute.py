"""Executes a notebook headless and writes it back with its outputs; exit 1 on any cell error.

    python3 notebooks-export/execute.py notebooks-export/central_asia.ipynb [--check-only]

Needs: pip install nbformat nbclient ipykernel pandas matplotlib
--check-only validates against the nbformat 4 schema and executes without writing.
"""
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main() -> int:
    path = sys.argv[1]
    check_only = "--check-only" in sys.argv[2:]
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    import os

    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    try:
        client.execute()
    except CellExecutionError as e:
        print(f"{path}: a cell failed:\n{e}", file=sys.stderr)
        return 1
    nbformat.validate(nb)
    if not check_only:
        nbformat.write(nb, path)
    print(f"{path}: {len(nb.cells)} cells executed without error")
    return 0


if __name__ == "__main__":
    sys.exit(main())
