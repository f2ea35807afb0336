"""Every text a person reads is marked for translation: a scan of the screens, dialogs,
widgets and commands for string literals handed to what shows them (notifications, labels,
buttons, titles, click's output and help, one-line errors) that are not inside ``_()``,
``N_()``, ``ngettext()`` or ``pgettext()``.

A literal with no letters (" · ", "—") needs no translation. A line that shows something
that must stay as it is (a key name, data) says so with ``# literal:`` and why."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "ordertui"

#: where people read what the code writes
SCANNED = ("tui", "cli")
#: the calls that put their text in front of a person (the last part of the called name)
SHOWS = {"notify", "Static", "Label", "Button", "echo", "secho", "fail", "Radio",
         "RadioButton", "Checkbox", "Switch", "Option", "Rule", "Markdown", "Tab",
         "TabPane", "Collapsible", "DialogText", "confirm", "prompt", "ValidationError",
         "ConfigError", "ActionError", "UsageError", "BadParameter", "ClickException",
         "Hit", "DiscoveryHit", "set_status", "say", "Header", "Title"}
#: keywords whose value a person reads, whatever the call
READ_KEYWORDS = {"title", "sub_title", "placeholder", "label", "help", "tooltip",
                 "description", "message", "prompt", "text", "header", "border_title",
                 "border_subtitle"}
#: calls whose shown text is not their first argument: (field, message)
MESSAGE_AT = {"ValidationError": 1, "ConfigError": 1}
MARKERS = {"_", "N_", "ngettext", "pgettext"}
#: what stays as it is in every language: the program's name before a one-line error, click's
#: version line and a command's own option, examples of what to type (a path, an address)
LITERAL = {"ordertui: ", " --help", "%(prog)s %(version)s", "/home/anna/photos/lamp.jpg",
           "accountant@example.com"}
#: the command that starts the simulators: a tool for testing integrations, spoken of in
#: the suppliers' own terms
SKIP = {"cli/simulate.py"}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _words(node: ast.expr) -> str:
    """The literal text of a string or f-string node ("" for anything else)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values
                       if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return ""


def _has_words(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 2


def _texts(node: ast.expr) -> Iterator[ast.expr]:
    """The string literals of an expression that end up in what is shown: a nested call's
    first argument and read keywords (not its styles or ids), both sides of ``+`` and of a
    conditional, a tuple's first element (``(text, style)``)."""
    if isinstance(node, ast.Constant | ast.JoinedStr):
        yield node
    elif isinstance(node, ast.Call):
        if _name(node.func) in MARKERS:
            return
        if isinstance(node.func, ast.Attribute):  # "…".format(…), "…".join(…)
            yield from _texts(node.func.value)
        if node.args:
            yield from _texts(node.args[0])
        for k in node.keywords:
            if k.arg in READ_KEYWORDS:
                yield from _texts(k.value)
    elif isinstance(node, ast.BinOp):
        yield from _texts(node.left)
        yield from _texts(node.right)
    elif isinstance(node, ast.IfExp):
        yield from _texts(node.body)
        yield from _texts(node.orelse)
    elif isinstance(node, ast.BoolOp):
        for v in node.values:
            yield from _texts(v)
    elif isinstance(node, ast.Tuple | ast.List) and node.elts:
        yield from _texts(node.elts[0])


def unmarked(path: Path) -> Iterator[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or _name(node.func) in MARKERS:
            continue
        shown: list[ast.expr] = []
        if _name(node.func) in SHOWS:
            at = MESSAGE_AT.get(_name(node.func), 0)
            shown.extend(node.args[at:at + 1])
        shown.extend(k.value for k in node.keywords if k.arg in READ_KEYWORDS)
        for value in shown:
            for part in _texts(value):
                words = _words(part)
                if words in LITERAL or words.strip().startswith("\b"):  # click: examples
                    continue
                if _has_words(words) and "# literal:" not in lines[part.lineno - 1]:
                    yield part.lineno, words


def test_every_text_shown_is_marked_for_translation() -> None:
    found = []
    for area in SCANNED:
        for path in sorted((SRC / area).rglob("*.py")):
            rel = str(path.relative_to(SRC))
            if rel in SKIP:
                continue
            found.extend(f"{rel}:{line}: {text!r}" for line, text in unmarked(path))
    assert not found, "not marked for translation:\n" + "\n".join(found)


def test_the_scan_finds_what_it_is_for(tmp_path: Path) -> None:
    """A shown literal is found; a marked one, a key name marked as literal and a
    letterless separator are not."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        'self.notify("Export written")\n'
        'self.notify(_("Export written"))\n'
        'Button(_("Save"), id="save")\n'
        'Static(f"{count} orders")\n'
        'Label(" · ")\n'
        'Input(placeholder="search")\n'
        'click.echo(_("{n} orders").format(n=1))\n'
        'Label("ctrl+s")  # literal: a key\n'
        'raise ValidationError("ids", "Paste an id")\n', encoding="utf-8")
    assert [(line, text) for line, text in unmarked(sample)] == [
        (1, "Export written"), (4, " orders"), (6, "search"), (9, "Paste an id")]
