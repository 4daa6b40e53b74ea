"""Facts of a frontend file from tree-sitter alone, for the files that need no more.

Most files outside the Convex folder (pages, UI components, data files) give the rules only
their imports and exports, their string facts (literals, templates and ``+`` concatenations,
with the deployment-URL kind of each expression: ``frontend/cloud-domain-for-http``,
``storage/manual-url``, ``security/hardcoded-secret``) and a ``"use node"`` directive. Those are
read here from tree-sitter's tree, in C, instead of building an esprima tree in Python, which
costs about twenty times as long.

The facts are the ones ``extract.extractor.FileExtractor`` gives the same file, field for field (a test
compares both on every frontend file of the fixtures and the corpus): what esprima would read
(TypeScript blanked by ``parsing``), with strings unescaped and positioned as esprima does (lines
split at ``\\r\\n``, ``\\r``, ``\\n``, U+2028 and U+2029; columns in characters). A TypeScript file is
read off its own tree, one query giving both what the blanking blanks and the facts, and what lies
inside blanked text left out (``_typescript_read``); the hooks, and the files the blanking rewrites,
are read off the tree of the blanked text.

A file that imports from ``convex/react`` or a project hook (``client.needs_client_extraction``)
also gets its hook facts here (``clienthooks``); ``client_facts`` gives them
alone for a frontend file esprima reads.

A file gets ``None`` here, and goes through esprima, when tree-sitter finds a syntax error
(esprima decides what the error is; a bare ``&`` in JSX text, which JSX allows and tree-sitter's
grammar does not, is read as a space first), when its text holds what may be a legacy octal
escape, or when it is not TypeScript or JavaScript that tree-sitter's grammars read.
"""

from __future__ import annotations

import bisect
import functools
import operator
import re

import tree_sitter
from esprima.xhtml_entities import XHTMLEntities

from auditor.engine.client import needs_client_extraction
from auditor.engine.extract import CONVEX_URL_VARS, URL_TEXT
from auditor.engine.extract.drafts import ModuleDraft
from auditor.engine.model import FrozenDict, HookCall, HookWrapper, Location, ModuleFacts, StringFact
from auditor.engine.parsing import (
    REWRITES,
    TS_LANGUAGE,
    TSX_LANGUAGE,
    CharOffsets,
    blank_edits,
    blank_for_light_read,
    blank_query_source,
    blanked_text,
    edited,
    named_children,
    newline_starts,
)

Node = tree_sitter.Node

_JSX_GRAMMAR_EXTENSIONS = (".tsx", ".js", ".jsx")
_LIGHT_EXTENSIONS = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
_LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029]")
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0",
                   "\n": "", "\r\n": "", "\r": "", "\u2028": "", "\u2029": ""}
_JSX_ENTITY = re.compile("&([^;<{&\"' \t\r\n\u2028\u2029]*);")
_TEMPLATE_BREAK = re.compile(r"\r\n?")
_LEGACY_OCTAL = re.compile(r"\\(?:[1-7]|0[0-9])")
_MAX_AMPERSAND_ROUNDS = 16
_STRING_ORDER = operator.itemgetter(0, 1, 2, 3)
_FACT_CAPTURES = ("string", "template", "plus", "declarator", "for_in")
# Expressions whose TypeScript part the blanking blanks (`x as T`, `x satisfies T`, `x!`, `<T>x`):
# esprima reads the expression inside. Only a tree of the file as written holds them.
_TYPED_EXPRESSIONS = frozenset({"as_expression", "satisfies_expression", "non_null_expression", "type_assertion"})
_NOT_EXPRESSIONS = frozenset({"comment", "type_arguments"})
# Declarations that export their name (an abstract class is a class once "abstract" is blanked).
_NAMED_DECLARATIONS = frozenset({"function_declaration", "generator_function_declaration", "class_declaration",
                                 "abstract_class_declaration"})
_QUERY_SOURCE = """
(string) @string
(template_string) @template
(binary_expression operator: "+") @plus
(variable_declarator name: (identifier)) @declarator
(for_in_statement) @for_in
"""


@functools.cache
def _query(tsx: bool) -> tree_sitter.Query:
    return tree_sitter.Query(TSX_LANGUAGE if tsx else TS_LANGUAGE, _QUERY_SOURCE)


@functools.cache
def _typescript_query(tsx: bool) -> tree_sitter.Query:
    """The blanking query and ours in one: one walk of the tree gives both (see ``_typescript_read``)."""
    return tree_sitter.Query(TSX_LANGUAGE if tsx else TS_LANGUAGE, blank_query_source(tsx=tsx) + _QUERY_SOURCE)

_PARSERS = {tsx: tree_sitter.Parser(TSX_LANGUAGE if tsx else TS_LANGUAGE) for tsx in (False, True)}


def light_facts(path: str, source: str) -> ModuleFacts | None:
    """The file's facts when tree-sitter alone can give them all, else None (see the module docstring)."""
    read = _read(path, source)
    if read is None or _LEGACY_OCTAL.search(read.text):
        return None  # TypeScript tree-sitter cannot read, or escapes esprima reads its own way
    facts = ModuleDraft(path=path, module=None, source=source)
    read.scope(facts)
    facts.use_node = read.use_node()
    facts.strings = read.strings()
    if not _read_hooks(read, facts):
        return None
    return facts.freeze()


def client_facts(path: str, source: str) -> tuple[FrozenDict[str, HookWrapper], tuple[HookCall, ...]]:
    """The hook wrappers and hook calls of a frontend file esprima reads (see ``reading``); none when
    tree-sitter cannot read it."""
    read = _read(path, source)
    if read is None:
        return FrozenDict(), ()
    facts = ModuleDraft(path=path, module=None, source=source)
    read.scope(facts)
    if not _read_hooks(read, facts):
        return FrozenDict(), ()
    return FrozenDict(facts.hook_wrappers), tuple(facts.hook_calls)


def _read_hooks(read: TreeReader, facts: ModuleDraft) -> bool:
    """The hook wrappers and calls of a file that imports convex/react or a project hook; False when
    tree-sitter cannot read the file's blanked text, which ``clienthooks`` reads."""
    if needs_client_extraction(facts.imports):
        from auditor.engine.clienthooks import read_client_facts  # most frontend files need none of it

        blanked = read.blanked_reader()
        if blanked is None:
            return False
        read_client_facts(blanked, facts)
    return True


def _read(path: str, source: str) -> TreeReader | None:
    lowered = path.lower()
    if not lowered.endswith(_LIGHT_EXTENSIONS) or lowered.endswith((".d.ts", ".d.mts", ".d.cts")):
        return None
    tsx = lowered.endswith(_JSX_GRAMMAR_EXTENSIONS)
    typescript = lowered.endswith((".ts", ".tsx", ".mts", ".cts"))
    read = _parsed(path, source, source, tsx, typescript)
    if read is None and tsx and "&" in source:
        readable = _without_bare_ampersands(source)
        if readable is not None:
            read = _parsed(path, readable, source, tsx, typescript)
    return read


def _parsed(path: str, readable: str, source: str, tsx: bool, typescript: bool) -> TreeReader | None:
    if typescript:
        read = _typescript_read(path, readable, source, tsx)
        if read is not None:
            return read
    old_tree = None
    line_starts = None
    if typescript:
        light = blank_for_light_read(readable, tsx=tsx)
        if light is None:
            return None
        text, old_tree, line_starts = light.text, light.tree, light.line_starts
    else:
        text = readable
    data = text.encode("utf-8", errors="surrogatepass")
    parser = _PARSERS[tsx]
    root = parser.parse(data, old_tree).root_node if old_tree is not None else parser.parse(data).root_node
    if root.has_error and old_tree is not None:
        root = parser.parse(data).root_node  # a fresh parse decides what an error is
    if root.has_error:
        return None
    return TreeReader(path, text, data, root, tsx, source, line_starts)


def _typescript_read(path: str, readable: str, source: str, tsx: bool) -> TreeReader | None:
    """A reader of the TypeScript file's own tree, with one query for both the blanking and the
    facts; None when the blanked text must be parsed again instead (``_parsed``).

    The blanking costs a walk of the tree, and so does the facts query, and parsing the blanked
    text costs a fifth of a fresh parse: together more than half of what a frontend file takes.
    Reading the facts off the tree as written gives the same facts for what the blanking only
    blanks: the reader leaves out what lies inside blanked text and looks through the expressions
    whose type part it blanks (``_expression``). Files the blanking rewrites (enums, ``import x =
    require()``, arrow return types moved), a BOM or any syntax error take the other way."""
    if readable.startswith("\ufeff"):
        return None
    data = readable.encode("utf-8", errors="surrogatepass")
    tree = _PARSERS[tsx].parse(data)
    root = tree.root_node
    if root.has_error:
        return None
    captures = tree_sitter.QueryCursor(_typescript_query(tsx)).captures(root)
    if any(name in captures for name in REWRITES):
        return None
    chars = CharOffsets(readable) if len(data) != len(readable) else None
    blanks, _, _ = blank_edits(captures, readable, chars if chars is not None else _same_offset)
    text, blanked = blanked_text(readable, blanks, [], [])
    return TreeReader(path, text, data, root, tsx, source, newline_starts(text), captures=captures, blanked=blanked,
                      tree=tree, chars=chars)


def _same_offset(offset: int) -> int:
    return offset


def _line_starts(text: str, known: list[int] | None = None) -> list[int]:
    """Where each line starts, lines split as esprima splits them (``_LINE_BREAK``); ``known``,
    when given, are the text's ``newline_starts``."""
    if "\r" in text or "\u2028" in text or "\u2029" in text:
        return [0, *(match.end() for match in _LINE_BREAK.finditer(text))]
    # Only "\n" breaks lines here: the cheaper split (a generator step per line over _LINE_BREAK
    # took about 4% of the light read).
    return known if known is not None else newline_starts(text)


def _without_bare_ampersands(source: str) -> str | None:
    """The source with each ``&`` of JSX text that starts no character reference made a space.

    tree-sitter's grammar refuses ``Tom & Jerry`` between tags, which JSX allows; JSX text is no
    fact, and a space keeps every offset. None when that is not what stops tree-sitter.
    """
    data = bytearray(source.encode("utf-8", errors="surrogatepass"))
    changed = False
    for _ in range(_MAX_AMPERSAND_ROUNDS):
        root = _PARSERS[True].parse(bytes(data)).root_node
        if not root.has_error:
            break
        spots = []
        stack = [root]
        while stack:
            node = stack.pop()
            if node.type == "ERROR" and node.child_count and node.children[0].type == "&" \
                    and node.parent is not None and node.parent.type == "jsx_element":
                spots.append(node.start_byte)
            elif node.has_error:
                stack.extend(node.children)
        if not spots:
            return None
        for spot in spots:
            data[spot] = 0x20
        changed = True
    return data.decode("utf-8", errors="surrogatepass") if changed else None


class TreeReader:
    """The facts of one tree-sitter tree of a frontend file.

    The tree is either that of the blanked text (the text esprima reads) or, given ``blanked``, that
    of the file as written (``_typescript_read``): then ``blanked`` lists the spans the blanking
    blanked, in characters, and what lies wholly inside one is no fact; ``captures`` are those of
    ``_typescript_query`` over it, and ``chars`` converts its byte offsets (of the file as written)."""

    def __init__(self, path: str, text: str, data: bytes, root: Node, tsx: bool, source: str,
                 line_starts: list[int] | None = None, *, captures: dict[str, list[Node]] | None = None,
                 blanked: list[tuple[int, int]] | None = None, tree: tree_sitter.Tree | None = None,
                 chars: CharOffsets | None = None) -> None:
        self.path = path
        self.text = text  # the source with TypeScript blanked, as esprima reads it
        self.data = data  # what tree-sitter read, in UTF-8, which node offsets count in
        self.source = source
        self.root = root
        self.tsx = tsx
        self.tree = tree  # given with ``blanked``: the tree of the file as written
        if blanked is None:
            self.chars = CharOffsets(text) if len(data) != len(text) else None
        else:
            self.chars = chars
        self.line_starts = _line_starts(text, line_starts)
        self.newlines = line_starts  # the text's newline_starts, when given
        self.blanked = blanked
        self._blanked_starts = [start for start, _ in blanked] if blanked else []
        self._blanked_ends = [end for _, end in blanked] if blanked else []
        if captures is None:
            captures = tree_sitter.QueryCursor(_query(tsx)).captures(root)
        elif self._blanked_starts:
            hidden = self.hidden
            captures = {name: [node for node in captures.get(name, ()) if not hidden(node)] for name in _FACT_CAPTURES}
        self.captures = captures
        self.consts: dict[str, Node] = {}
        self.ambiguous: set[str] = set()
        self._read_declarations()

    def hidden(self, node: Node) -> bool:
        """Whether the node lies wholly inside blanked text (a type, an ``import type``...): esprima
        never sees it."""
        starts = self._blanked_starts
        if not starts:
            return False
        start, end = node.start_byte, node.end_byte
        chars = self.chars
        if chars is not None:
            start, end = chars(start), chars(end)
        index = bisect.bisect_right(starts, start) - 1
        return index >= 0 and end <= self._blanked_ends[index]

    def blanked_reader(self) -> TreeReader | None:
        """A reader of the blanked text's own tree, for ``clienthooks``, which reads the tree's shapes
        and searches its text as esprima's; None when tree-sitter finds an error in that text."""
        if not self.blanked:
            return self  # its tree is that of the blanked text already: nothing was blanked
        data = self.text.encode("utf-8", errors="surrogatepass")
        parser = _PARSERS[self.tsx]
        old_tree = None
        if self.chars is None and self.tree is not None:
            # As in parsing.blank_for_light_read: told of the blanked spans, the tree as written
            # spares most of a fresh parse (ASCII text: its byte offsets are character offsets).
            newlines = self.newlines if self.newlines is not None else newline_starts(self.text)
            old_tree = edited(self.tree.copy(), newlines, self.blanked)
        root = parser.parse(data, old_tree).root_node if old_tree is not None else parser.parse(data).root_node
        if root.has_error and old_tree is not None:
            root = parser.parse(data).root_node
        if root.has_error:
            return None
        return TreeReader(self.path, self.text, data, root, self.tsx, self.source, self.newlines, captures={})

    # Positions -------------------------------------------------------------------------------

    def offset(self, byte_offset: int) -> int:
        return self.chars(byte_offset) if self.chars is not None else byte_offset

    # loc and source_of run for every string and name: they convert offsets inline, and not at
    # all in an ASCII file, rather than through offset().
    def loc(self, node: Node) -> Location:
        start, end = node.start_byte, node.end_byte
        chars = self.chars
        if chars is not None:
            start, end = chars(start), chars(end)
        if self.blanked:
            # A node of the file as written may begin or end in blanked text (`<T>a + b`, `a + b!`);
            # esprima's begins and ends where the text it reads does.
            text = self.text
            while end > start and text[end - 1].isspace():
                end -= 1
            while start < end and text[start].isspace():
                start += 1
        return self.span(start, end)

    def span(self, start: int, end: int) -> Location:
        """The location of the text between two character offsets."""
        line_starts = self.line_starts
        start_line = bisect.bisect_right(line_starts, start)
        end_line = bisect.bisect_right(line_starts, end)
        return Location(self.path, start_line, start - line_starts[start_line - 1],
                        end_line, end - line_starts[end_line - 1])

    def source_of(self, node: Node) -> str:
        chars = self.chars
        if chars is None:
            return self.text[node.start_byte:node.end_byte]
        return self.text[chars(node.start_byte):chars(node.end_byte)]

    def original_text(self, node: Node) -> str:
        """The node's text in the file as written (blanking keeps every offset)."""
        return self.source[self.offset(node.start_byte):self.offset(node.end_byte)]

    # Imports, exports, directives ------------------------------------------------------------

    def statements(self) -> list[Node]:
        """The file's top-level statements that esprima reads (none wholly blanked)."""
        statements = named_children(self.root)
        return [statement for statement in statements if not self.hidden(statement)] if self.blanked else statements

    def scope(self, facts: ModuleDraft) -> None:
        for statement in self.statements():
            if statement.type == "import_statement":
                self._import(statement, facts)
            elif statement.type == "export_statement":
                self._export(statement, facts)

    def _import(self, statement: Node, facts: ModuleDraft) -> None:
        source_node = statement.child_by_field_name("source")
        clause = next((child for child in statement.named_children if child.type == "import_clause"), None)
        if source_node is None or clause is None:
            return
        source = self.string(source_node)
        for part in named_children(clause):
            if part.type == "identifier":
                facts.imports[self.source_of(part)] = (source, "default")
            elif part.type == "namespace_import":
                local = next((c for c in part.named_children if c.type == "identifier"), None)
                if local is not None:
                    facts.imports[self.source_of(local)] = (source, "*")
            elif part.type == "named_imports":
                for spec in named_children(part):
                    if spec.type != "import_specifier" or self.hidden(spec):
                        continue
                    name = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias") or name
                    if name is not None and alias is not None:
                        imported = self._spec_name(name)
                        facts.imports[self.source_of(alias)] = (source, imported)
                        facts.import_specifiers.append((source, imported, self.loc(spec)))

    def _export(self, statement: Node, facts: ModuleDraft) -> None:
        source_node = statement.child_by_field_name("source")
        source = self.string(source_node) if source_node is not None else None
        children = statement.children
        if any(child.type == "default" for child in children):
            declaration = statement.child_by_field_name("declaration")
            value = _expression(statement.child_by_field_name("value"))
            if declaration is not None and declaration.type in _NAMED_DECLARATIONS:
                name = declaration.child_by_field_name("name")
                facts.exports["default"] = self.source_of(name) if name is not None else "default"
            elif value is not None and value.type == "identifier":
                facts.exports["default"] = self.source_of(value)
            else:
                facts.exports["default"] = "default"
            return
        clause = next((child for child in statement.named_children if child.type == "export_clause"), None)
        if clause is not None:
            for spec in named_children(clause):
                if spec.type != "export_specifier" or self.hidden(spec):
                    continue
                name = spec.child_by_field_name("name")
                alias = spec.child_by_field_name("alias") or name
                if name is None or alias is None:
                    continue
                if source is not None:
                    facts.reexports.append((self._spec_name(alias), source, self._spec_name(name)))
                else:
                    facts.exports[self._spec_name(alias)] = self._spec_name(name)
            return
        if source is not None:  # export * from "m", export * as ns from "m"
            namespace = next((child for child in statement.named_children if child.type == "namespace_export"), None)
            exported = "*"
            if namespace is not None:
                name = next((c for c in namespace.named_children if c.type in {"identifier", "string"}), None)
                exported = self._spec_name(name) if name is not None else "*"
            facts.reexports.append((exported, source, "*"))
            return
        declaration = statement.child_by_field_name("declaration")
        if declaration is None:
            return
        if declaration.type in {"lexical_declaration", "variable_declaration"}:
            for declarator in named_children(declaration):
                name = declarator.child_by_field_name("name") if declarator.type == "variable_declarator" else None
                if name is not None and name.type == "identifier":
                    exported_name = self.source_of(name)
                    facts.exports[exported_name] = exported_name
        elif declaration.type in _NAMED_DECLARATIONS:
            name = declaration.child_by_field_name("name")
            if name is not None:
                exported_name = self.source_of(name)
                facts.exports[exported_name] = exported_name

    def _spec_name(self, node: Node) -> str:
        return self.string(node) if node.type == "string" else self.source_of(node)

    def use_node(self) -> bool:
        for statement in self.statements():
            if statement.type == "hash_bang_line":
                continue
            expression = statement.named_children[0] if statement.type == "expression_statement" \
                and statement.named_child_count == 1 else None
            if expression is None or expression.type != "string":
                return False
            if self.source_of(expression)[1:-1] == "use node":
                return True
        return False

    # Values ----------------------------------------------------------------------------------

    def _read_declarations(self) -> None:
        for declarator in self.captures.get("declarator", ()):
            name = self.source_of(declarator.child_by_field_name("name"))
            kind = declarator.parent.child_by_field_name("kind") if declarator.parent is not None else None
            if declarator.parent is not None and (declarator.parent.type == "variable_declaration"
                                                  or (kind is not None and kind.type != "const")):
                self.ambiguous.add(name)
            value = declarator.child_by_field_name("value")
            if value is None:
                continue
            if name in self.consts:
                self.ambiguous.add(name)
            self.consts.setdefault(name, value)
        for loop in self.captures.get("for_in", ()):
            kind = loop.child_by_field_name("kind")
            left = loop.child_by_field_name("left")
            if kind is not None and kind.type in {"var", "let"} and left is not None and left.type == "identifier":
                self.ambiguous.add(self.source_of(left))

    def string(self, node: Node) -> str:
        raw = self.source_of(node)[1:-1]
        if "\\" not in raw and "&" not in raw:
            return raw  # nothing to read in either way below; most strings, and no parent to look up
        if node.parent is not None and node.parent.type == "jsx_attribute":
            # JSX attribute strings keep their backslashes, as in HTML, and read character references.
            return _JSX_ENTITY.sub(_jsx_entity, raw) if "&" in raw else raw
        return _ESCAPE.sub(_unescape, raw)

    def string_value(self, node: Node | None) -> str | None:
        node = _expression(node)
        if node is None:
            return None
        if node.type == "string":
            return self.string(node)
        if node.type == "template_string" and not any(c.type == "template_substitution" for c in node.children):
            return "".join(self.quasis(node)[0])
        return None

    def quasis(self, node: Node) -> tuple[list[str], list[Node]]:
        """A template's cooked text pieces and the expressions between them."""
        cooked: list[str] = []
        expressions: list[Node] = []
        start = node.start_byte + 1
        for child in node.children:
            if child.type == "template_substitution":
                cooked.append(self._cook(start, child.start_byte))
                inner = next((c for c in child.named_children if c.type != "comment"), None)
                if inner is not None:
                    expressions.append(inner)
                start = child.end_byte
        cooked.append(self._cook(start, node.end_byte - 1))
        return cooked, expressions

    def _cook(self, start: int, end: int) -> str:
        raw = self.text[self.offset(start):self.offset(end)]
        return _ESCAPE.sub(_unescape, _TEMPLATE_BREAK.sub("\n", raw))

    def strings(self) -> list[StringFact]:
        # esprima's order: by position, then templates, literals and sums (the order they are
        # collected in), and an outer sum before an inner one that starts at the same place.
        found: list[tuple[int, int, int, int, StringFact]] = []
        for node in self.captures.get("template", ()):
            fact = self._template_fact(node)
            found.append((fact.loc.line, fact.loc.column, 0, 0, fact))
        self._literal_facts(found)
        inner: set[int] = set()
        pluses = self.captures.get("plus", ())
        for node in pluses:
            for nested in self._nested_plus(node):
                inner.add(nested.id)
        for node in pluses:
            if node.id in inner:
                continue
            parts, built = self._concat_parts(node)
            if built:
                value = "".join(text if kind == "text" else "${}" for kind, text in parts)
                fact = StringFact(value, self.loc(node), parts=tuple(parts), is_template=True)
                found.append((fact.loc.line, fact.loc.column, 2, -node.end_byte, fact))
        found.sort(key=_STRING_ORDER)
        return [item[4] for item in found]

    def _literal_facts(self, found: list[tuple[int, int, int, int, StringFact]]) -> None:
        """Each string literal's fact, ranked 1, as ``string`` and ``loc`` give them: a file can hold
        thousands, so their offsets are converted once."""
        text, chars, span = self.text, self.chars, self.span
        for node in self.captures.get("string", ()):
            start, end = node.start_byte, node.end_byte
            if chars is not None:
                start, end = chars(start), chars(end)
            raw = text[start:end][1:-1]
            value = raw if "\\" not in raw and "&" not in raw else self.string(node)
            loc = span(start, end)
            found.append((loc.line, loc.column, 1, 0, StringFact(value, loc, (("text", value),))))

    def _template_fact(self, node: Node) -> StringFact:
        cooked, expressions = self.quasis(node)
        parts: list[tuple[str, str]] = []
        for index, text in enumerate(cooked):
            parts.append(("text", text))
            if index < len(expressions):
                parts.append(self._url_part(expressions[index]))
        value = "".join(text if kind == "text" else "${}" for kind, text in parts)
        return StringFact(value, self.loc(node), parts=tuple(parts), is_template=True)

    def _operands(self, node: Node) -> tuple[Node | None, Node | None]:
        return (_expression(node.child_by_field_name("left")),
                _expression(node.child_by_field_name("right")))

    def _nested_plus(self, node: Node) -> list[Node]:
        nested: list[Node] = []
        stack = list(self._operands(node))
        while stack:
            current = stack.pop()
            if current is not None and _is_plus(current):
                nested.append(current)
                stack.extend(self._operands(current))
        return nested

    def _concat_parts(self, node: Node) -> tuple[list[tuple[str, str]], bool]:
        """The operands of a ``+`` chain as parts, and whether any is not a literal (a string built in code)."""
        operands: list[Node] = []
        stack: list[Node | None] = [node]
        while stack:
            current = stack.pop()
            if current is None:
                continue
            if _is_plus(current):
                left, right = self._operands(current)
                stack.append(right)
                stack.append(left)
            else:
                operands.append(current)
        parts: list[tuple[str, str]] = []
        built = False
        for operand in operands:
            value = self.string_value(operand)
            built = built or value is None
            parts.append(("text", value) if value is not None else self._url_part(operand))
        return parts, built

    def _url_part(self, node: Node) -> tuple[str, str]:
        """``extract.strings.url_part``: a URL constant folded into the text, else its URL kind."""
        text = self._const_url(node)
        return ("text", text) if text is not None else ("expr", self._url_kind(node))

    def _const_url(self, node: Node | None, depth: int = 0) -> str | None:
        node = _expression(node)
        if node is None or depth > 6 or node.type != "identifier":
            return None
        name = self.source_of(node)
        if name not in self.consts or name in self.ambiguous:
            return None
        init = self.consts[name]
        value = self.string_value(init)
        if value is None:
            return self._const_url(init, depth + 1)
        return value if URL_TEXT.match(value) else None

    def _url_kind(self, node: Node | None, depth: int = 0) -> str:
        """``extract.strings._url_kind`` over tree-sitter nodes."""
        node = _expression(node)
        if depth > 6 or node is None:
            return "other"
        if node.type == "identifier":
            name = self.source_of(node)
            if name in self.consts and name not in self.ambiguous:
                return self._url_kind(self.consts[name], depth + 1)
        if node.type == "binary_expression":
            operator = node.child_by_field_name("operator")
            if operator is not None and operator.type in {"&&", "||", "??"}:
                return self._url_kind(node.child_by_field_name("left"), depth + 1)
        path = self.member_path(node)
        if path is None and _is_member(node) and _is_member(_expression(node.child_by_field_name("object"))):
            path = ["import.meta", self.member_name(_expression(node.child_by_field_name("object"))) or "",
                    self.member_name(node) or ""]
        if path and len(path) >= 3 and path[-1] in CONVEX_URL_VARS and path[-2] == "env":
            return "convex_cloud_url"
        if path and (path[-1] == "CONVEX_SITE_URL" or path[-1].endswith("_CONVEX_SITE_URL")):
            return "convex_site_url"
        if node.type == "call_expression":
            callee = _expression(node.child_by_field_name("function"))
            if callee is not None and _is_member(callee):
                method = self.member_name(callee)
                arguments = node.child_by_field_name("arguments")
                args = [a for a in named_children(arguments)] if arguments is not None else []
                if method in {"replace", "replaceAll"} and len(args) >= 2:
                    replaced = self.string_value(args[1]) or ""
                    if ".site" in replaced:
                        return "convex_site_url"
                if method in {"trim", "toString"}:
                    return self._url_kind(callee.child_by_field_name("object"), depth + 1)
                return "other"
        return "other"

    def member_name(self, node: Node | None) -> str | None:
        if node is None:
            return None
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            if prop is not None and prop.type in {"property_identifier", "private_property_identifier"}:
                return self.source_of(prop)
            return None
        index = node.child_by_field_name("index")
        return self.string_value(index)

    def member_path(self, node: Node | None) -> list[str] | None:
        parts: list[str] = []
        while node is not None:
            node = _expression(node)
            if node is None:
                return None
            if _is_member(node):
                name = self.member_name(node)
                if name is None:
                    return None
                parts.append(name)
                node = node.child_by_field_name("object")
            elif node.type == "identifier":
                parts.append(self.source_of(node))
                return parts[::-1]
            elif node.type == "this":
                parts.append("this")
                return parts[::-1]
            else:
                return None
        return None


def _jsx_entity(match: re.Match[str]) -> str:
    """esprima's reading of a character reference in a JSX string (jsx_parser.scanXHTMLEntity)."""
    raw, name = match.group(0), match.group(1)
    if name in XHTMLEntities:
        return XHTMLEntities[name]
    base = 16 if name.startswith("#x") else 10
    digits = name[2:] if base == 16 else name[1:] if name.startswith("#") else ""
    allowed = "0123456789abcdefABCDEF" if base == 16 else "0123456789"
    if digits and all(char in allowed for char in digits):
        significant = digits.lstrip("0") or "0"
        if len(significant) > (6 if base == 16 else 7):
            return raw
        code = int(significant, base)
        return chr(code) if code <= 0x10FFFF else raw
    return raw


def _unescape(match: re.Match[str]) -> str:
    escape = match.group(1)
    simple = _SIMPLE_ESCAPES.get(escape)
    if simple is not None:
        return simple
    if escape.startswith("u{"):
        return chr(int(escape[2:-1], 16))
    if escape[0] in "ux" and len(escape) > 1:
        return chr(int(escape[1:], 16))
    return escape



def _expression(node: Node | None) -> Node | None:
    """The expression as esprima reads it: inside any parentheses (ESTree has none) and any typed
    expression (``_TYPED_EXPRESSIONS``)."""
    while node is not None and (node.type == "parenthesized_expression" or node.type in _TYPED_EXPRESSIONS):
        node = next((child for child in node.named_children if child.type not in _NOT_EXPRESSIONS), None)
    return node


def _is_member(node: Node | None) -> bool:
    return node is not None and node.type in {"member_expression", "subscript_expression"}


def _is_plus(node: Node) -> bool:
    if node.type != "binary_expression":
        return False
    operator = node.child_by_field_name("operator")
    return operator is not None and operator.type == "+"
