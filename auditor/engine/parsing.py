"""Turn a TypeScript or JavaScript source file into an ESTree (esprima) tree.

esprima reads modern JavaScript but no TypeScript, and tree-sitter reads TypeScript but gives a
concrete syntax tree that the rest of the engine does not want to code against. So a file is
parsed twice: tree-sitter finds every piece of type-only syntax, that text is replaced by spaces
(newlines kept, character count kept), and esprima parses the result. Because nothing moves, every
line, column and range in the esprima tree is also a position in the original file.

Positions: every node carries ``_start`` and ``_end`` (offsets), ``_line``, ``_column``,
``_end_line`` and ``_end_column``, in place of esprima's ``range`` and ``loc`` objects (three per
node, a tenth of the parse). Lines are 1-based, columns and offsets 0-based and counted in Python
characters (code points, esprima's ``positionEncoding="scalar"``), so ``source[node._start:node._end]``
is the node's text even when the file has emoji or other non-ASCII text.

Which grammar: ``.ts``/``.mts``/``.cts`` use tree-sitter's typescript grammar and esprima without
JSX; ``.tsx`` the tsx grammar and esprima with JSX; ``.js``/``.mjs``/``.cjs``/``.jsx`` are not
blanked and go to esprima directly, with JSX for ``.js`` and ``.jsx`` (React apps put JSX in .js);
``.js``/``.cjs``/``.cts`` fall back to the script goal when the module goal fails (``with``,
legacy octal). ``.d.ts`` files are blanked whole: an empty program. Any other extension is read
as TypeScript.

A few TypeScript constructs carry runtime meaning and are rewritten rather than blanked, always
to text of the same length:

* ``enum E { A, B = 2 }`` becomes ``var  E={    B : 2 }``: the name stays bound to an object
  literal that holds the members with an initialiser; members without one (whose value is an
  auto-incremented number) are dropped, since writing their value would need more characters.
  ``const enum`` keeps ``const``. If no space follows the name (``enum E{``), only ``var  E`` is
  kept and the body is blanked.
* ``import x = require("y")`` (and ``import x = A.B``) becomes ``const  x = require("y")``.
* ``export = x;`` loses ``export`` and ``=``, leaving the expression statement ``x;``.
* An arrow function whose return type spans lines would leave a line break before ``=>``, which
  JavaScript forbids; the ``=>`` is moved to just after the parameters.

Errors: when esprima fails, the position is tree-sitter's first ERROR or MISSING node (line
1-based, column 0-based in characters), unless esprima's own position lies inside that ERROR node,
which then pinpoints the same problem. Files nested too deeply for Python's recursion limit
(about 50 levels of calls-with-object-arguments, far deeper for arrays and plain blocks) fail with
"Nesting too deep to analyse".

Not handled (the file then fails to parse, with the position reported): non-ambient
``namespace``/``module`` blocks with values in them, decorators, ``using`` declarations (esprima
lacks them), and TypeScript that tree-sitter-typescript 0.23 itself misreads: ``tag<T>`...```
(read as comparisons, which still parse) and ``export import``-style rarities.
"""

from __future__ import annotations

import bisect
import functools
import gc
import operator
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, NamedTuple

import tree_sitter
import tree_sitter_typescript
from esprima.error_handler import Error as EsprimaError
from esprima.jsx_parser import JSXParser
from esprima.parser import Marker
from esprima.parser import Parser as EsprimaParser
from esprima.scanner import _TRIVIA_STARTS, RawToken, Scanner
from esprima.token import Token

from auditor.engine.model import ParseFailure
from auditor.engine.safefiles import decode_source

__all__ = ["CharOffsets", "ParsedSource", "blank_for_light_read", "blank_types", "decode_source", "parse_source"]

TS_SUFFIX = " (TypeScript syntax the auditor could not read)"
TOO_DEEP = "Nesting too deep to analyse"

TS_LANGUAGE = _TS_LANGUAGE = tree_sitter.Language(tree_sitter_typescript.language_typescript())
TSX_LANGUAGE = _TSX_LANGUAGE = tree_sitter.Language(tree_sitter_typescript.language_tsx())

# Capture names say what to do with the node:
#   blank        the whole node
#   blank_comma  the node and the comma after it, so that a list keeps its shape
#   tail         from the end of the node's first child to the node's end (`x as T` -> `x`)
#   enum, import_require, arrow_return   rewritten in Python (see the module docstring)
_QUERY_SOURCE = r"""
[
  (type_annotation)
  (type_predicate_annotation)
  (asserts_annotation)
  (type_arguments)
  (type_parameters)
  (interface_declaration)
  (type_alias_declaration)
  (ambient_declaration)
  (function_signature)
  (method_signature)
  (abstract_method_signature)
  (index_signature)
  (accessibility_modifier)
  (override_modifier)
  (implements_clause)
] @blank

(export_statement declaration: [
  (interface_declaration)
  (type_alias_declaration)
  (ambient_declaration)
  (function_signature)
]) @blank
(export_statement "type") @blank
(export_statement (ERROR "type")) @blank
(export_statement "as" "namespace") @blank
(import_statement "type") @blank
(public_field_definition "declare") @blank
(public_field_definition "abstract") @blank

(import_specifier "type") @blank_comma
(export_specifier "type") @blank_comma
(required_parameter pattern: (this)) @blank_comma

(optional_parameter "?" @blank)
(required_parameter "readonly" @blank)
(optional_parameter "readonly" @blank)
(public_field_definition ["?" "!" "readonly" "accessor"] @blank)
((public_field_definition name: (property_identifier) @blank . (ERROR (identifier)))
 (#eq? @blank "accessor"))
(method_definition "?" @blank)
(non_null_expression "!" @blank)
(variable_declarator "!" @blank)
(abstract_class_declaration "abstract" @blank)
(ERROR "abstract" @blank . "class")
(export_statement "export" @blank "=" @blank)

[(as_expression) (satisfies_expression)] @tail

(enum_declaration) @enum
(import_statement "import" @import_require (import_require_clause))
(import_alias "import" @import_require)
(arrow_function return_type: (_) @arrow_return)
"""

# `<T>expr` assertions exist only in the non-JSX grammar.
_TS_ONLY_QUERY_SOURCE = "(type_assertion (type_arguments) @blank)"



@functools.cache
def _query(tsx: bool) -> tree_sitter.Query:
    # Compiled on first use (about 0.1 s): an audit served from the facts cache never needs it.
    return tree_sitter.Query(_TSX_LANGUAGE if tsx else _TS_LANGUAGE, blank_query_source(tsx=tsx))


_JS_EXTENSIONS = {".js", ".mjs", ".cjs", ".jsx"}
_JSX_EXTENSIONS = {".js", ".jsx"}
_SCRIPT_FALLBACK_EXTENSIONS = {".js", ".cjs", ".cts"}
_DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")

# The line terminators esprima counts, so that our line numbers agree with the tree's.
_LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029]")
_NOT_LINE_BREAK = re.compile(r"[^\r\n\u2028\u2029]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ESPRIMA_LINE_PREFIX = re.compile(r"^Line \d+: ")


@dataclass(slots=True)
class ParsedSource:
    """One file, parsed or not: exactly one of ``tree`` and ``error`` is set.

    ``blanked`` is the text esprima read: same length and same line breaks as ``source``, so
    every position in ``tree`` is also a position in ``source``.
    """

    path: str
    source: str
    blanked: str
    tree: Any | None
    error: ParseFailure | None


def blank_types(source: str, *, tsx: bool) -> str:
    """Return ``source`` with TypeScript-only syntax replaced by spaces (see the module docstring).

    Unlike ``parse_source`` this does not guard against every failure; it is for tests and
    debugging. A file tree-sitter cannot read at all comes back unchanged.
    """
    return _blank(source, tsx=tsx)[0]


@dataclass(frozen=True, slots=True)
class LightText:
    """The text esprima would read for a TypeScript file, and how to give it to tree-sitter cheaply.

    ``tree`` is tree-sitter's tree of the source as written, with the blanking's edits applied
    (``Tree.edit``): parsing ``text`` with it as the old tree reuses every subtree the blanking did
    not touch, about a fifth of the cost of a fresh parse. None when a byte offset is not a
    character offset (non-ASCII text), where the edits would need converting; parse afresh then.
    ``line_starts``: where each line of ``text`` starts, lines split at "\\n" alone, when the edits
    needed them (the light read's line numbers reuse them).
    """

    text: str
    tree: tree_sitter.Tree | None
    line_starts: list[int] | None = None


def blank_for_light_read(source: str, *, tsx: bool) -> LightText | None:
    """The blanked text of a TypeScript file, or None when tree-sitter finds an error in it."""
    try:
        blanked, error, tree, changed = _blank_with_tree(source, tsx=tsx)
    except RecursionError:
        return None
    if error is not None:
        return None
    if tree is None or not changed:
        return LightText(blanked, tree)
    line_starts = newline_starts(blanked)
    return LightText(blanked, edited(tree, line_starts, changed), line_starts)


def edited(tree: tree_sitter.Tree, line_starts: list[int], changed: list[tuple[int, int]]) -> tree_sitter.Tree:
    """``tree`` told of each same-length rewrite in ``changed`` (ASCII text: bytes are characters),
    given the line starts of the text after them."""
    # Blanking keeps every line break (see ParsedSource), so the text before it has the same rows:
    # one list of line starts serves both sides of each edit.

    def point(offset: int) -> tuple[int, int]:
        row = bisect.bisect_right(line_starts, offset) - 1
        return row, offset - line_starts[row]

    for start, end in changed:
        end_point = point(end)
        tree.edit(start, end, end, point(start), end_point, end_point)
    return tree


def newline_starts(text: str) -> list[int]:
    """Where each line of ``text`` starts, lines split at "\n" alone (as tree-sitter counts rows)."""
    # Summed in C: a generator step per line cost more.
    lines = text.split("\n")
    return list(map(operator.add, accumulate(map(len, lines), initial=0), range(len(lines))))


def parse_source(path: str, source: str) -> ParsedSource:
    """Parse one file; never raises. ``tree`` is None and ``error`` set when it cannot be read."""
    try:
        return _parse(path, source)
    except RecursionError:
        return _failure(path, source, source, TOO_DEEP, 1, 0)
    except Exception as exc:  # a bug in a parser must cost one file, not the whole audit
        return _failure(path, source, source, f"Internal parser error: {type(exc).__name__}", 1, 0)


# --- the pipeline ---------------------------------------------------------------------------


def _parse(path: str, source: str) -> ParsedSource:
    lowered = path.lower()
    extension = lowered[lowered.rfind(".") :] if "." in lowered.rsplit("/", 1)[-1] else ""
    if lowered.endswith(_DECLARATION_SUFFIXES):
        # Declaration files hold nothing but types; esprima only has to see whitespace.
        blanked = _NOT_LINE_BREAK.sub(" ", source)
        return _run_esprima(path, source, blanked, jsx=False, script_fallback=False, typescript=True)
    if extension in _JS_EXTENSIONS:
        return _run_esprima(
            path,
            source,
            source,
            jsx=extension in _JSX_EXTENSIONS,
            script_fallback=extension in _SCRIPT_FALLBACK_EXTENSIONS,
            typescript=False,
        )
    # .ts/.mts/.cts, .tsx, and anything unknown (TypeScript is the most lenient reading).
    tsx = extension == ".tsx"
    try:
        blanked, ts_error = _blank(source, tsx=tsx)
    except RecursionError:
        return _failure(path, source, source, TOO_DEEP, 1, 0)
    if ts_error is not None and ts_error.hopeless:
        line, column = _line_column(source, ts_error.start)
        return _failure(path, source, source, ts_error.message, line, column)
    return _run_esprima(
        path,
        source,
        blanked,
        jsx=tsx,
        script_fallback=extension in _SCRIPT_FALLBACK_EXTENSIONS,
        typescript=True,
        ts_error=ts_error,
    )


def _run_esprima(
    path: str,
    source: str,
    blanked: str,
    *,
    jsx: bool,
    script_fallback: bool,
    typescript: bool,
    ts_error: _SyntaxError | None = None,
) -> ParsedSource:
    try:
        tree = _esprima(blanked, jsx=jsx, module=True)
    except (EsprimaError, RecursionError) as first:
        error: EsprimaError | RecursionError = first
        tree = None
        if script_fallback:
            # On failure the module-goal error is the more useful one to report.
            with suppress(EsprimaError, RecursionError):
                tree = _esprima(blanked, jsx=jsx, module=False)
        if tree is None:
            return _esprima_failure(path, source, blanked, error, typescript=typescript, ts_error=ts_error)
    return ParsedSource(path=path, source=source, blanked=blanked, tree=tree, error=None)


_STRICT_RESERVED_WORDS = frozenset(Scanner.isStrictModeReservedWord.set)  # type: ignore[attr-defined]

# The tokens most of a file is made of, each read by one match in C: ASCII names and keywords,
# punctuators, strings without escapes or line breaks, and short decimal integers. Whatever else
# comes (templates, regular expressions, escapes, other numbers, non-ASCII names, a `}` that may
# close a template's `${`, `/` and `/=`, which the parser may rescan as a regular expression) and
# whatever would be an error is left to esprima's scanner, which reads it as before.
_COMMON_TOKEN = re.compile(r"""
    (?P<word>[$A-Za-z_][$A-Za-z_0-9]*+)(?![\\\x80-\U0010FFFF])
  | (?P<punctuator>
        [(),;\[\]:~{}]
      | >>>=|>>>|>>=|>>|>=|<<=|<<|<=|===|==|=>|!==|!=|&&=|&&|&=|\|\|=|\|\||\|=|\?\?=|\?\?
      | \?\.(?![0-9])|\*\*=|\*\*|\*=|\+\+|\+=|--|-=|%=|\^=|\.\.\.|\.(?![0-9])|[<>=!&|?*+\-%^])
  | "(?P<double>[^"\\\r\n\u2028\u2029]*+)"
  | '(?P<single>[^'\\\r\n\u2028\u2029]*+)'
  | (?P<number>0|[1-9][0-9]{0,14}+)(?![0-9_.eExXbBoOn$A-Za-z\\\x80-\U0010FFFF])
""", re.VERBOSE)
# esprima's type of each name that is not a plain identifier.
_WORD_TYPES = {**dict.fromkeys(Scanner.isKeyword.set, Token.Keyword),  # type: ignore[attr-defined]
               "null": Token.NullLiteral, "true": Token.BooleanLiteral, "false": Token.BooleanLiteral}


class _CommonToken(RawToken):  # type: ignore[misc]
    """A token of ``_COMMON_TOKEN``: esprima's RawToken with its rarely set fields left at their defaults."""

    bigint = None
    private = False
    invalidEscape = False
    escaped = False
    pattern = None
    flags = None
    regex = None
    octal = False
    cooked = None
    head = None
    tail = None

    def __init__(self, type: int, value: Any, lineNumber: int, lineStart: int, start: int, end: int) -> None:
        self.type = type
        self.value = value
        self.lineNumber = lineNumber
        self.lineStart = lineStart
        self.start = start
        self.end = end


class _ParserFixes:
    """Cheaper ``finalize``/``startNode`` for the one configuration used here, and one bug fix.

    esprima's versions re-check options and encodings for every node; with no delegate, no
    ``source`` and ``positionEncoding="scalar"`` they reduce to the code below. Positions are kept
    as six numbers per node (see the module docstring) rather than a ``range`` list and a ``loc``
    of three objects: the tests compare them with the ranges and locations of esprima's own tree.
    """

    lastMarker: Any
    startMarker: Any
    lookahead: Any
    hasLineTerminator: bool
    scanner: Any
    context: Any
    _lineStarts: list[int]

    def nextToken(self, allowEscaped: bool = False) -> Any:
        # esprima's, for a parser that keeps no comments and no token list (as here), with the
        # scanner's trivia check made before the call rather than inside it: a third of tokens
        # follow another at once. Common tokens are read by _common_token.
        token = self.lookahead
        if token.escaped:
            return EsprimaParser.nextToken(self, allowEscaped)  # type: ignore[arg-type]
        scanner = self.scanner
        index = scanner.index
        last = self.lastMarker
        last.index = index
        last.line = scanner.lineNumber
        last.column = index - scanner.lineStart
        source = scanner.source
        if index < scanner.length and source[index] in _TRIVIA_STARTS:
            if source[index] == " " and source[index + 1:index + 2] not in _TRIVIA_STARTS:
                index += 1  # one space between two tokens, most trivia: no comment can start here
                scanner.index = index
            else:
                scanner.scanComments()
                index = scanner.index
        marker = self.startMarker
        if index != marker.index:
            marker.index = index
            marker.line = scanner.lineNumber
            marker.column = index - scanner.lineStart
        following = self._common_token(scanner, index)
        if following is None:
            following = scanner.lex()
        self.hasLineTerminator = token.lineNumber != following.lineNumber
        if following.type is Token.Identifier and self.context.strict \
                and following.value in _STRICT_RESERVED_WORDS:
            following.type = Token.Keyword
        self.lookahead = following
        return token

    @staticmethod
    def _common_token(scanner: Any, index: int) -> _CommonToken | None:
        """The token at ``index`` when ``_COMMON_TOKEN`` reads it, as esprima's scanner would; else None."""
        source = scanner.source
        match = _COMMON_TOKEN.match(source, index)
        if match is None:
            return None
        kind = match.lastgroup
        end = match.end()
        if kind == "word":
            value: Any = match.group()
            token_type = Token.Identifier if end - index == 1 else _WORD_TYPES.get(value, Token.Identifier)
        elif kind == "punctuator":
            value = match.group()
            if value == "{":
                scanner.curlyStack.append("{")
            elif value == "}":
                curly = scanner.curlyStack
                if curly and curly[-1] == "${":
                    return None  # the rest of a template
                if curly:
                    curly.pop()
            token_type = Token.Punctuator
        elif kind == "number":
            value = int(match.group())
            token_type = Token.NumericLiteral
        else:
            value = match.group(kind)
            token_type = Token.StringLiteral
        scanner.index = end
        return _CommonToken(token_type, value, scanner.lineNumber, scanner.lineStart, index, end)

    def expectKeyword(self, keyword: str) -> None:
        EsprimaParser.expectKeyword(self, keyword)  # type: ignore[arg-type]
        if keyword == "throw" or keyword == "yield":
            following = self.lookahead
            if following.type is Token.Template or following.type is Token.StringLiteral:
                # esprima-fork takes a string's or template's line from its END, so a template
                # that starts on this line and spans several reads as "after a line break":
                # `throw `a\nb`` became "Illegal newline after throw" and `yield `a\nb`` lost
                # its argument. (Fixed here rather than in nextToken, which is too hot.)
                start_line = bisect.bisect_right(self._lineStarts, following.start)
                self.hasLineTerminator = self.lastMarker.line != start_line

    def finalize(self, marker: Any, node: Any) -> Any:
        last = self.lastMarker
        node._start = marker.index
        node._end = last.index
        node._line = marker.line
        node._column = marker.column
        node._end_line = last.line
        node._end_column = last.column
        return node

    def startNode(self, token: Any, lastLineStart: int = 0) -> Marker:
        line_starts = self._lineStarts
        start = token.start
        line = bisect.bisect_right(line_starts, start)
        return Marker(start, line, start - line_starts[line - 1])


class _Parser(_ParserFixes, EsprimaParser):
    pass


class _JSXParser(_ParserFixes, JSXParser):
    pass


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    """Keep the cyclic GC off while esprima builds a tree.

    esprima allocates hundreds of thousands of small objects that all stay alive in the tree; with
    the collector on, it keeps rescanning that growing tree and parsing takes ~1.7x as long. The counter makes
    concurrent parses in threads restore the collector only when the last one finishes, and only
    if it was on to begin with.
    """
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


def _esprima(text: str, *, jsx: bool, module: bool) -> Any:
    # The Parser class is used directly rather than esprima.parseModule: the facade then runs a
    # whole-program scope validation that rejects valid TypeScript once its types are blanked
    # (`export { SomeInterface }`, names that only a `declare` statement bound). Syntax errors
    # are still raised by the parser itself.
    options = {
        "range": True,
        "loc": True,
        "sourceType": "module" if module else "script",
        "positionEncoding": "scalar",
    }
    parser = _JSXParser(text, options, None) if jsx else _Parser(text, options, None)
    with gc_paused():
        tree = parser.parseModule() if module else parser.parseScript()
    if parser.scanner.hashbang is not None:
        tree.hashbang = parser.scanner.hashbang
    return tree


def _esprima_failure(
    path: str,
    source: str,
    blanked: str,
    error: EsprimaError | RecursionError,
    *,
    typescript: bool,
    ts_error: _SyntaxError | None,
) -> ParsedSource:
    if isinstance(error, RecursionError):
        return _failure(path, source, blanked, TOO_DEEP, 1, 0)
    index = error.index if isinstance(error.index, int) and 0 <= error.index <= len(source) else None
    if ts_error is not None and (index is None or not ts_error.start <= index <= ts_error.end):
        # tree-sitter saw invalid (or unsupported) TypeScript: its position is the real cause,
        # whereas esprima's is wherever the blanked text stopped making sense. When esprima's
        # position lies inside tree-sitter's ERROR node it is the same problem, pinpointed
        # (an ERROR node often spans the whole statement), so esprima's is reported.
        line, column = _line_column(source, ts_error.start)
        return _failure(path, source, blanked, ts_error.message, line, column)
    description = _describe(str(error.message or "Syntax error"))
    if "resource limit" in description:
        description = TOO_DEEP
    elif typescript:
        description += TS_SUFFIX
    if index is not None:
        line, column = _line_column(source, index)
    else:
        line, column = int(error.lineNumber or 1), max(int(error.column or 1) - 1, 0)
    return _failure(path, source, blanked, description, line, column)


def _describe(esprima_message: str) -> str:
    description = _ESPRIMA_LINE_PREFIX.sub("", esprima_message)
    if description == "Unexpected token ILLEGAL":
        return "Invalid or unexpected character"
    if description.startswith("Unexpected token ") and "'" not in description:
        return f"Unexpected token '{description[len('Unexpected token ') :]}'"
    return description


def _failure(path: str, source: str, blanked: str, message: str, line: int, column: int) -> ParsedSource:
    return ParsedSource(
        path=path,
        source=source,
        blanked=blanked,
        tree=None,
        error=ParseFailure(path=path, message=message, line=line, column=column),
    )


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line_start = 0
    line = 1
    for match in _LINE_BREAK.finditer(text, 0, offset):
        line += 1
        line_start = match.end()
    return line, offset - line_start


# --- blanking -------------------------------------------------------------------------------


class CharOffsets:
    """Converts tree-sitter's UTF-8 byte offsets to character offsets into the source string."""

    __slots__ = ("_extra", "_starts")

    def __init__(self, text: str) -> None:
        # For each non-ASCII character: the byte offset where it starts, and how many bytes
        # more than characters lie up to and including it. ASCII files skip all of this.
        self._starts: list[int] = []
        self._extra: list[int] = []
        extra = 0
        for match in _NON_ASCII.finditer(text):
            index = match.start()
            code = ord(text[index])
            width = 2 if code < 0x800 else 3 if code < 0x10000 else 4
            self._starts.append(index + extra)
            extra += width - 1
            self._extra.append(extra)

    def __call__(self, byte_offset: int) -> int:
        if not self._starts:
            return byte_offset
        before = bisect.bisect_left(self._starts, byte_offset)
        return byte_offset - (self._extra[before - 1] if before else 0)


def _blank(source: str, *, tsx: bool) -> tuple[str, _SyntaxError | None]:
    """Blank ``source``; also return tree-sitter's first unhandled syntax error, if any."""
    blanked, error, _, _ = _blank_with_tree(source, tsx=tsx)
    return blanked, error


def _blank_with_tree(source: str, *, tsx: bool) -> tuple[str, _SyntaxError | None, tree_sitter.Tree | None,
                                                          list[tuple[int, int]]]:
    """``_blank``, with tree-sitter's tree of ``source`` and the spans the blanking rewrote.

    The tree is None unless its byte offsets are the text's character offsets."""
    # A BOM is whitespace to esprima but an error to tree-sitter.
    text = " " + source[1:] if source.startswith("\ufeff") else source
    data = text.encode("utf-8", errors="surrogatepass")
    parser = tree_sitter.Parser(_TSX_LANGUAGE if tsx else _TS_LANGUAGE)
    tree = parser.parse(data)
    root = tree.root_node
    chars = CharOffsets(text) if len(data) != len(text) else None

    def pos(byte_offset: int) -> int:
        return chars(byte_offset) if chars is not None else byte_offset

    ts_error = _first_syntax_error(root, text, pos) if root.has_error else None
    if ts_error is not None and ts_error.hopeless:
        return source, ts_error, None, []

    captures = tree_sitter.QueryCursor(_query(tsx)).captures(root)
    blanks, early, late = blank_edits(captures, text, pos)
    blanked, changed = blanked_text(text, blanks, early, late)
    return blanked, ts_error, tree if chars is None and text is source else None, changed


def blank_query_source(*, tsx: bool) -> str:
    """The patterns of the blanking query (capture names as in ``_QUERY_SOURCE``), for a query that
    also captures what its caller reads (``frontend``): a query costs one walk of the tree, whatever
    its patterns."""
    return _QUERY_SOURCE if tsx else _QUERY_SOURCE + _TS_ONLY_QUERY_SOURCE


# The captures blanking rewrites rather than blanks (see the module docstring).
REWRITES = ("enum", "import_require", "arrow_return")


def blank_edits(captures: dict[str, list[tree_sitter.Node]], text: str, pos: Callable[[int], int]
                ) -> tuple[list[tuple[int, int]], list[tuple[int, str]], list[tuple[int, str]]]:
    """What blanking the captures of the blanking query does to ``text``: the spans to blank, the
    rewrites a blank over them cancels, and those that land inside blanked text (``blanked_text``
    applies them). ``pos`` turns a byte offset of the tree into a character offset of ``text``."""
    blanks: list[tuple[int, int]] = []
    early: list[tuple[int, str]] = []
    late: list[tuple[int, str]] = []
    for node in captures.get("blank", ()):
        blanks.append((pos(node.start_byte), pos(node.end_byte)))
    for node in captures.get("blank_comma", ()):
        end = node.end_byte
        sibling = node.next_sibling
        if sibling is not None and sibling.type == ",":
            end = sibling.end_byte
        blanks.append((pos(node.start_byte), pos(end)))
    for node in captures.get("tail", ()):
        first = node.child(0)
        if first is not None:
            blanks.append((pos(first.end_byte), pos(node.end_byte)))
    for node in captures.get("import_require", ()):
        early.append((pos(node.start_byte), "const "))
    for node in captures.get("enum", ()):
        _rewrite_enum(node, text, pos, blanks, early)
    for node in captures.get("arrow_return", ()):
        _move_arrow(node, text, pos, late)
    return blanks, early, late


def _rewrite_enum(
    node: tree_sitter.Node,
    text: str,
    pos: Any,
    blanks: list[tuple[int, int]],
    early: list[tuple[int, str]],
) -> None:
    keyword = name = body = None
    is_const = False
    for child in node.children:
        if child.type == "enum":
            keyword = child
        elif child.type == "const":
            is_const = True
        elif name is None and child.is_named and child.type != "enum_body":
            name = child
        elif child.type == "enum_body":
            body = child
    if keyword is None or name is None or body is None:
        blanks.append((pos(node.start_byte), pos(node.end_byte)))
        return
    keyword_start = pos(keyword.start_byte)
    name_end = pos(name.end_byte)
    body_start = pos(body.start_byte)
    gap = text[name_end:body_start]
    equals_at = -1
    if gap.strip() == "":
        for index, char in enumerate(gap):
            if char in " \t":
                equals_at = name_end + index
                break
    if equals_at < 0:
        # No room for `=`: bind the name to undefined and drop the members.
        if is_const:
            early.append((pos(node.start_byte), "var  "))
            blanks.append((keyword_start, keyword_start + 4))
        else:
            early.append((keyword_start, "var "))
        blanks.append((body_start, pos(body.end_byte)))
        return
    if is_const:
        blanks.append((keyword_start, keyword_start + 4))
    else:
        early.append((keyword_start, "var "))
    early.append((equals_at, "="))
    for member in body.named_children:
        if member.type == "enum_assignment":
            for part in member.children:
                if part.type == "=":
                    early.append((pos(part.start_byte), ":"))
                    break
        elif member.type != "comment":
            end = member.end_byte
            sibling = member.next_sibling
            if sibling is not None and sibling.type == ",":
                end = sibling.end_byte
            blanks.append((pos(member.start_byte), pos(end)))


def _move_arrow(node: tree_sitter.Node, text: str, pos: Any, late: list[tuple[int, str]]) -> None:
    start, end = pos(node.start_byte), pos(node.end_byte)
    annotation = text[start:end]
    first_break = _LINE_BREAK.search(annotation)
    if first_break is None or first_break.start() < 2:
        return
    arrow = node.next_sibling
    while arrow is not None and arrow.type != "=>":
        arrow = arrow.next_sibling
    if arrow is None:
        return
    arrow_start = pos(arrow.start_byte)
    late.append((start, "=>"))
    late.append((arrow_start, "  "))


def blanked_text(
    text: str,
    blanks: list[tuple[int, int]],
    early: list[tuple[int, str]],
    late: list[tuple[int, str]],
) -> tuple[str, list[tuple[int, int]]]:
    """The text with ``blanks`` blanked and the rewrites made, and the spans that may have changed."""
    if not blanks and not early and not late:
        return text, []
    merged: list[list[int]] = []
    for start, end in sorted(blanks):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1][1] = end
        else:
            merged.append([start, end])
    starts = [interval[0] for interval in merged]

    def inside_blank(offset: int, length: int) -> bool:
        index = bisect.bisect_right(starts, offset + length - 1) - 1
        return index >= 0 and merged[index][1] > offset

    edits: list[tuple[int, int, str]] = [(start, end, _blank_text(text[start:end])) for start, end in merged]
    replacements = [(at, new) for at, new in early if not inside_blank(at, len(new))]
    rewrites = [(at, at + len(new), new) for at, new in [*replacements, *late]]
    text = _splice(text, edits)
    if rewrites:
        text = _splice(text, rewrites)
    return text, [(start, end) for start, end in merged] + [(start, end) for start, end, _ in rewrites]


def _splice(text: str, edits: Iterable[tuple[int, int, str]]) -> str:
    pieces: list[str] = []
    cursor = 0
    for start, end, new in sorted(edits):
        if start < cursor:
            continue  # overlapping rewrites cannot happen in valid trees; keep the first
        pieces.append(text[cursor:start])
        pieces.append(new)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _blank_text(segment: str) -> str:
    if "\n" in segment or "\r" in segment or "\u2028" in segment or "\u2029" in segment:
        return _NOT_LINE_BREAK.sub(" ", segment)
    return " " * len(segment)


class _SyntaxError(NamedTuple):
    """tree-sitter's first unhandled ERROR or MISSING node, in character offsets."""

    start: int
    end: int
    message: str
    hopeless: bool  # so large that neither blanking nor esprima is worth running


# tree-sitter's query cursor slows down quadratically in a node with very many children, and an
# ERROR node that size is a file nobody can read (a 2 MB line of garbage took 7 s to query).
_HOPELESS_ERROR_SIZE = 50_000


_HANDLED_ERROR_TOKENS = frozenset({"type", "abstract", "class"})


def _first_syntax_error(root: tree_sitter.Node, text: str, pos: Any) -> _SyntaxError | None:
    """The first ERROR or MISSING node in document order, skipping the ones blanking handles."""
    cursor = root.walk()
    while True:
        node = cursor.node
        if node is not None:
            if node.is_missing:
                start = pos(node.start_byte)
                return _SyntaxError(start, start, f"Missing {node.type!r}{TS_SUFFIX}", hopeless=False)
            if node.is_error and not _is_handled_error(node):
                start, end = pos(node.start_byte), pos(node.end_byte)
                snippet = text[start:end].strip().split("\n", 1)[0][:40]
                what = f"Unexpected {snippet!r}" if snippet else "Syntax error"
                hopeless = node.descendant_count > _HOPELESS_ERROR_SIZE
                return _SyntaxError(start, end, f"{what}{TS_SUFFIX}", hopeless=hopeless)
            if node.has_error and cursor.goto_first_child():
                continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return None


def _is_handled_error(node: tree_sitter.Node) -> bool:
    # tree-sitter-typescript 0.23 has no rule for `export type * from` or
    # `export default abstract class`; the query blanks those, so they are not errors.
    children = node.children
    return bool(children) and all(not child.is_named and child.type in _HANDLED_ERROR_TOKENS for child in children)


def named_children(node: tree_sitter.Node | None) -> list[tree_sitter.Node]:
    """A tree-sitter node's named children, comments left out."""
    return [child for child in node.named_children if child.type != "comment"] if node is not None else []


def unparenthesised(node: tree_sitter.Node | None) -> tree_sitter.Node | None:
    """The expression inside any parentheses around a tree-sitter node."""
    while node is not None and node.type == "parenthesized_expression":
        node = next((child for child in node.named_children if child.type != "comment"), None)
    return node
