"""What the report pages show and how: links to the host, code in messages and fixes,
highlighting, the schema's notices, the endpoints' auth column."""

from __future__ import annotations

import copy
import re

import pytest
from django.urls import reverse

from auditor.engine.rules import rule_docs
from projects.forge import forge_for
from projects.highlight import highlight_lines, language_for
from reports.templatetags.reports_tags import fix_blocks, inline_code
from tests.factories import RepositoryFactory
from tests.reportdata import INVENTORY, add_findings, inventory, make_audit

SHA = "0123456789abcdef0123456789abcdef01234567"
AT = f"{SHA}/convex/a b.ts"


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("https://github.com/acme/chat.git", f"https://github.com/acme/chat/blob/{AT}#L7"),
        ("git@github.com:acme/chat.git", f"https://github.com/acme/chat/blob/{AT}#L7"),
        ("ssh://git@github.com/acme/chat.git", f"https://github.com/acme/chat/blob/{AT}#L7"),
        ("https://github.com/acme/chat/", f"https://github.com/acme/chat/blob/{AT}#L7"),
        ("git@gitlab.com:acme/group/chat.git", f"https://gitlab.com/acme/group/chat/-/blob/{AT}#L7"),
        ("ssh://git@bitbucket.org/acme/chat.git", f"https://bitbucket.org/acme/chat/src/{AT}#lines-7"),
        ("https://gitlab.com/acme/group/chat.git", f"https://gitlab.com/acme/group/chat/-/blob/{AT}#L7"),
        ("ssh://git@gitlab.example.com:2222/acme/chat.git", f"https://gitlab.example.com/acme/chat/-/blob/{AT}#L7"),
        ("https://gitlab.acme.io/acme/chat", f"https://gitlab.acme.io/acme/chat/-/blob/{AT}#L7"),
        ("https://jane@bitbucket.org/acme/chat.git", f"https://bitbucket.org/acme/chat/src/{AT}#lines-7"),
        ("git@bitbucket.org:acme/chat.git", f"https://bitbucket.org/acme/chat/src/{AT}#lines-7"),
        ("https://git.acme.io/acme/chat.git", None),
        ("/srv/git/chat", None),
    ],
)
def test_it_links_a_line_at_the_commit_in_each_hosts_url_form(remote, expected):
    host = forge_for(remote)
    url = host.file_url(SHA, "convex/a b.ts", 7) if host else None
    assert url == (expected.replace("a b", "a%20b") if expected else None)


def test_it_links_commits_in_each_hosts_url_form():
    assert forge_for("https://github.com/a/b.git").commit_url(SHA) == f"https://github.com/a/b/commit/{SHA}"
    assert forge_for("https://gitlab.com/a/b.git").commit_url(SHA) == f"https://gitlab.com/a/b/-/commit/{SHA}"
    assert forge_for("git@bitbucket.org:a/b.git").commit_url(SHA) == f"https://bitbucket.org/a/b/commits/{SHA}"


def test_it_renders_backticks_in_messages_as_code_and_escapes_everything_else():
    html = inline_code("Call `ctx.db.get(id)` <script>alert(1)</script> in `<b>`")
    assert "<code>ctx.db.get(id)</code>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<code>&lt;b&gt;</code>" in html


def test_it_shows_a_fixs_code_lines_as_a_highlighted_block_between_prose():
    fix = rule_docs()["auth/public-function-without-auth"].fix
    html = str(fix_blocks(fix))
    prose_before, block, prose_after = html.partition("<pre")[0], html, html.rpartition("</pre>")[2]
    assert "<p>Check the caller" in prose_before
    assert '<span class="kd">const</span> identity' in block
    assert "<p>Or make the function <code>internalMutation</code>" in prose_after


def test_it_keeps_a_code_span_running_over_lines_in_the_prose():
    html = str(fix_blocks("Use `a({ b })\n   .index(\"x\", [])`. Then stop."))
    assert "<pre" not in html and "<code>a({ b }) .index(&quot;x&quot;, [])</code>" in html


def test_it_highlights_typescript_and_tsx_line_by_line():
    assert language_for("convex/a.ts") == "typescript" and language_for("src/App.tsx") == "tsx"
    assert language_for("README.md") is None
    lines = highlight_lines(["const a = `x", "y` + 1; // <b>", ""], "typescript")
    assert len(lines) == 3
    assert lines[0].startswith('<span class="kd">const</span>')
    assert '<span class="sb">y</span>' in lines[1]  # still inside the template string
    assert '<span class="c1">// &lt;b&gt;</span>' in lines[1]
    tsx = highlight_lines(['return <div className="x">{a}</div>;'], "tsx")[0]
    assert '<span class="nt">div</span>' in tsx
    assert highlight_lines(["<b>"], None) == ["&lt;b&gt;"]


@pytest.fixture
def viewer(client, personas):
    client.force_login(personas.viewer)
    return client


def test_it_links_finding_locations_on_bitbucket_and_leaves_unknown_hosts_plain(viewer, personas):
    bitbucket = RepositoryFactory(team=personas.team, url="git@bitbucket.org:acme/chat.git")
    audit = make_audit(bitbucket, findings=0, commit_sha=SHA)
    add_findings(audit, 1, path="convex/chat.ts")
    page = viewer.get(reverse("reports:audit", args=[audit.pk])).content.decode()
    assert f'href="https://bitbucket.org/acme/chat/src/{SHA}/convex/chat.ts#lines-1"' in page
    assert f'href="https://bitbucket.org/acme/chat/commits/{SHA}"' in page
    unknown = RepositoryFactory(team=personas.team, url="https://git.acme.io/acme/chat.git")
    audit = make_audit(unknown, findings=0, commit_sha=SHA)
    add_findings(audit, 1, path="convex/chat.ts")
    page = viewer.get(reverse("reports:audit", args=[audit.pk])).content.decode()
    assert "convex/chat.ts:1" in page and "git.acme.io/acme/chat/" not in page.split("<main", 1)[1]


def test_it_says_n_a_for_the_auth_check_of_internal_functions(viewer, personas):
    audit = make_audit(RepositoryFactory(team=personas.team), findings=0)
    page = viewer.get(reverse("reports:endpoints", args=[audit.pk])).content.decode()
    rows = {row.split("</code>")[0]: row for row in page.split('<td data-label="Name"><code class="wrap">')[1:]}
    assert ">n/a<" in rows["users:store"]  # internal
    assert ">n/a<" not in rows["messages:send"] and '<span class="no">no</span>' in rows["messages:send"]


def _schema_page(viewer, personas, **schema_changes) -> str:
    schema = copy.deepcopy(INVENTORY["schema"]) | schema_changes
    audit = make_audit(RepositoryFactory(team=personas.team), findings=0, inventory_data=inventory(schema=schema))
    return viewer.get(reverse("reports:schema", args=[audit.pk])).content.decode()


def test_it_says_schema_validation_is_off_only_when_the_schema_says_so(viewer, personas):
    assert "is off</strong>" not in _schema_page(viewer, personas, open=True)  # open, but validated
    assert "is off</strong>" not in _schema_page(viewer, personas)  # an audit from before the flag
    assert "<code>schemaValidation</code> is off" in _schema_page(viewer, personas, validation=False)


def test_it_names_the_tables_defined_but_not_read(viewer, personas):
    page = _schema_page(viewer, personas, open=True, unread_spreads=["gameTables", "authTables"])
    assert "Tables defined but not read" in page
    assert "<code>...gameTables</code>, <code>...authTables</code>" in page
    assert "Tables defined but not read" not in _schema_page(viewer, personas, open=True)


def test_it_gives_the_diagram_script_the_schema_and_a_focus_control_per_table(viewer, personas):
    page = _schema_page(viewer, personas)
    assert 'id="schema-data"' in page and '"references": [{"from": "messages"' in page
    assert 'data-focus-table="users"' in page and 'data-focus-table="messages"' in page
    assert '<option value="messages">messages</option>' in page


def test_it_lists_every_rule_once_with_an_anchor_and_collapsed_docs(viewer):
    from auditor.engine.rules import all_rules

    page = viewer.get(reverse("reports:rules")).content.decode()
    for rule in all_rules():
        assert page.count(f'id="rule-{rule.id.replace("/", "")}"') == 1
    assert "<details open" not in page and page.count("<details>") == len(all_rules())
    assert "npx tsc --noEmit" in page  # the docs are there, folded


def test_it_filters_rules_by_search_severity_category_and_block(viewer):
    def shown(**params) -> set[str]:
        page = viewer.get(reverse("reports:rules"), params).content.decode()
        articles = re.findall(r'<article class="rule" id="rule-([^"]+)"[^>]*?( hidden)?>', page)
        return {slug for slug, hidden in articles if not hidden}

    assert shown(q="tsc noemit") == {"engineparse-error"}
    from auditor.engine.rules import all_rules

    cors_errors = {r.id.replace("/", "") for r in all_rules() if r.category == "cors" and r.severity == "error"}
    assert shown(severity="error", category="cors") == cors_errors >= {"corsmissing-headers", "corsmissing-preflight"}
    block_1 = shown(block="1")
    assert "functionsquery-writes-db" in block_1 and "validatorsmissing-args" not in block_1
    page = viewer.get(reverse("reports:rules"), {"block": "2"}).content.decode()
    assert 'value="2" selected' in page and "of " in page.split('id="rule-count"')[1][:60]


def test_it_shows_each_locations_line_number_apart_from_the_path_it_may_cut(viewer, personas):
    audit = make_audit(RepositoryFactory(team=personas.team, url="https://git.acme.io/acme/chat.git"), findings=0)
    add_findings(audit, 1, path="convex/chat.ts")
    for name in ("reports:audit", "reports:index_map", "reports:endpoints"):
        page = viewer.get(reverse(name, args=[audit.pk])).content.decode()
        locations = re.findall(r'class="(?:where )?loc" title="([^"]+):(\d+)">(.*?)</span></span>', page)
        assert locations, name
        for path, line, inner in locations:
            # The full text on hover; the path in a part that may be cut, the line in one that is not.
            assert f'<span class="loc-path">{path}</span><span class="loc-line">:{line}' in inner, (name, inner)


def test_it_highlights_the_rules_docs_once_not_on_every_request(viewer, monkeypatch):
    def rule_list() -> str:
        return viewer.get(reverse("reports:rules")).content.decode().split('<div class="rule-list">')[1]

    first = rule_list()
    assert '<span class="kd">const</span>' in first  # examples and fixes are highlighted

    def no_highlighting_per_request(*args, **kwargs):
        raise AssertionError("highlighted again for this request")

    monkeypatch.setattr("projects.highlight.highlight_lines", no_highlighting_per_request)
    monkeypatch.setattr("projects.highlight._lexer", no_highlighting_per_request)
    assert rule_list() == first
