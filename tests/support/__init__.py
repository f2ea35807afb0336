"""What the tests share and that is not a fixture: helpers, fakes, servers and data.

Importable as ``support`` (``pythonpath`` in pyproject.toml puts ``tests/`` on the path):
``from support.tui import until``. Fixtures live in the ``conftest.py`` files."""
