"""The rule registry: every rule module, in the order reports list them."""

from __future__ import annotations

import dataclasses
import importlib
from functools import cache
from types import ModuleType

from auditor.engine.rules.base import Finding, RuleDoc, RuleInfo, RuleModule, doc_title, parse_doc

# One module per rule; the id lives in the module's RULE. Keep sorted by id.
RULE_MODULES: tuple[str, ...] = (
    "arch_large_handler",
    "arch_no_convex_error",
    "auth_broad_patch",
    "auth_conditional_export",
    "auth_http_without_auth",
    "auth_public_function_without_auth",
    "auth_public_query_exposes_private_data",
    "auth_spoofable_identity_arg",
    "client_action_from_client",
    "client_mutation_in_render",
    "client_unhandled_loading",
    "compat_field_removed",
    "compat_field_type_narrowed",
    "compat_public_function_removed",
    "compat_required_arg_added",
    "compat_required_field_added",
    "config_generated_code_edited",
    "config_missing_auth_config",
    "config_process_env",
    "correctness_deprecated_validator",
    "correctness_direct_function_ref",
    "correctness_first_on_unique_index",
    "correctness_floating_promise",
    "correctness_implicit_table_id",
    "correctness_mutation_from_query",
    "correctness_non_determinism_in_query",
    "correctness_query_chain_delete",
    "correctness_query_count_method",
    "correctness_query_skip_method",
    "correctness_run_with_string_ref",
    "correctness_unsupported_validator",
    "correctness_withindex_range_method",
    "cors_missing_headers",
    "cors_missing_preflight",
    "cors_wildcard_with_credentials",
    "crons_duplicate_id",
    "crons_top_of_hour",
    "engine_parse_error",
    "frontend_cloud_domain_for_http",
    "functions_action_uses_db",
    "functions_old_syntax",
    "functions_query_writes_db",
    "functions_reserved_word_export",
    "functions_side_effect_in_transaction",
    "functions_unexported_function",
    "http_duplicate_route",
    "http_error_status",
    "http_handler_not_httpaction",
    "http_invalid_route_spec",
    "http_param_route_path",
    "http_router_not_exported",
    "imports_api_from_generated_server",
    "imports_registrar_from_convex_server",
    "imports_unknown_convex_server_export",
    "perf_action_calls_action",
    "perf_collect_then_filter",
    "perf_date_now_in_query",
    "perf_missing_pagination_validator",
    "perf_run_from_query_or_mutation",
    "perf_run_in_loop",
    "perf_sequential_runs_in_action",
    "perf_unbounded_collect",
    "perf_unpaginated_public_list",
    "runtime_misplaced_use_node",
    "runtime_node_for_query_or_mutation",
    "runtime_node_import_in_default_runtime",
    "scheduler_action_called_from_mutation",
    "scheduler_public_function_scheduled",
    "schema_deep_nesting",
    "schema_foreign_key_without_index",
    "schema_import_cycle",
    "schema_invalid_index_definition",
    "schema_missing_schema",
    "schema_redundant_index",
    "schema_reserved_table_name",
    "schema_search_index_without_filter",
    "schema_too_many_indexes",
    "schema_unbounded_id_array",
    "schema_unindexed_filter",
    "schema_unknown_index",
    "schema_unknown_table",
    "schema_unused_index",
    "security_env_file_committed",
    "security_hardcoded_secret",
    "storage_copied_file_url",
    "storage_manual_url",
    "validators_any_in_public_args",
    "validators_missing_args",
    "validators_missing_returns",
    "validators_string_for_id",
)


@cache
def rule_modules() -> tuple[ModuleType, ...]:
    return tuple(importlib.import_module(f"auditor.engine.rules.{name}") for name in RULE_MODULES)


@cache
def all_rules() -> tuple[RuleInfo, ...]:
    """Every rule, titled by the first line of its module's docstring: a rule's title has one source."""
    return tuple(dataclasses.replace(module.RULE, title=doc_title(module)) for module in rule_modules())


@cache
def rule_docs() -> dict[str, RuleDoc]:
    return {module.RULE.id: parse_doc(module) for module in rule_modules()}


def rule_by_id(rule_id: str) -> RuleInfo | None:
    return next((rule for rule in all_rules() if rule.id == rule_id), None)


__all__ = ["Finding", "RuleDoc", "RuleInfo", "RuleModule", "all_rules", "rule_by_id", "rule_docs", "rule_modules"]
