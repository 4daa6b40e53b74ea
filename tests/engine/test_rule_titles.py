"""A rule's title has one source: the first line of its module's docstring."""

from __future__ import annotations

from auditor.engine.rules import all_rules, rule_by_id, rule_docs, rule_modules
from auditor.engine.rules.base import parse_doc


def test_it_titles_every_rule_with_its_docstring_s_first_line():
    docs = rule_docs()
    for module, rule in zip(rule_modules(), all_rules(), strict=True):
        title = parse_doc(module).title
        assert title, f"{rule.id}: the module docstring has no first line"
        assert rule.title == title == docs[rule.id].title


def test_it_gives_each_rule_one_title_wherever_it_is_looked_up():
    for rule in all_rules():
        assert rule_by_id(rule.id) is not None
        assert rule_by_id(rule.id).title == rule.title  # type: ignore[union-attr]
