"""The rule catalog: one YAML file per rule, validated against the shipped JSON Schema.

A malformed rule file is a :class:`CatalogError` naming the file and the field, for the
built-in catalog and for an organisation's own rules directory alike. Fact paths used in a
condition, ``at:`` or message must exist in the fact vocabulary the model declares.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import yaml

from trustycheck.engine.conditions import Condition, compile_condition, needed_record, split_first
from trustycheck.engine.shipped import shipped_rule
from trustycheck.findings import severity_rank
from trustycheck.patterns import lazy_pattern

_SCHEMA_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "schemas", "rule.schema.json")
_PLACEHOLDER = lazy_pattern(r"\{([a-z][a-z0-9_.*-]*)\}")
RULE_FILE_LIMIT = 256 << 10
"""The largest rule file read (the built-in ones are under 5 KB)."""
MAX_ADDED_RULES = 200
"""Rule files an organisation's directories may add (each costs a few ms to check and compile)."""
MAX_DOCUMENT_NODES = 10_000
"""Values (mappings, lists, scalars) a rule file may hold, counting each use of a YAML alias
again, as everything that reads the rule sees it (the built-in ones hold under 100)."""
MAX_DOCUMENT_DEPTH = 40
MAX_CONDITION_DEPTH = 12
"""``all``/``any``/``not`` levels in a condition (the built-in ones use at most 4)."""
MAX_CONDITION_TESTS = 256
"""Fact tests in a condition (the built-in ones use at most 6)."""


class CatalogError(Exception):
    """A rule file that cannot be used; the message names the file and the field."""


@dataclass(eq=False, repr=False)
class Rule:
    """One rule of the catalog, as its YAML file declares it."""

    id: str
    slug: str
    severity: str
    scope: str
    summary: str
    why: str
    fix: dict[str, str]
    references: tuple[dict[str, str], ...]
    condition: dict[str, Any]
    at: tuple[str, ...]
    message: str
    examples: dict[str, list[dict[str, Any]]]
    source: str
    severity_cases: tuple[dict[str, Any], ...] = ()
    declared_security_severity: float | None = None
    extra_tags: tuple[str, ...] = ()
    message_many: str | None = None
    """The message when one finding stands for several contexts that differ in one placeholder
    (``jobs 'a' and 'b' publish``): the plural the singular template cannot make."""
    autofix: dict[str, Any] | None = None
    """``{safe, summary}`` when `trustycheck fix` can fix the rule's findings (the code is in
    trustycheck/fixes/); ``safe: false`` fixes change behaviour and run only with ``--unsafe``."""

    @property
    def hint(self) -> str:
        return self.fix["hint"]

    @cached_property
    def head(self) -> Condition:
        """The condition's first test (its first ``all`` member, or all of it)."""
        return compile_condition(split_first(self.condition)[0])

    @cached_property
    def head_key(self) -> str:
        """The first test as text: rules whose first tests are equal share one evaluation."""
        import json

        return json.dumps(split_first(self.condition)[0], sort_keys=True)

    @cached_property
    def rest(self) -> Condition | None:
        """What must hold besides the first test (None: nothing)."""
        remainder = split_first(self.condition)[1]
        return compile_condition(remainder) if remainder is not None else None

    @cached_property
    def needed_record(self) -> str | None:
        """A record the condition cannot hold without (see :func:`needed_record`)."""
        return needed_record(self.condition)

    @cached_property
    def severity_tests(self) -> tuple[tuple[Condition, str], ...]:
        """Each ``severity-cases`` entry as (compiled condition, severity), in order."""
        return tuple((compile_condition(case["when"]), case["severity"]) for case in self.severity_cases)

    @property
    def is_security(self) -> bool:
        """Whether code scanning should treat the rule as a security query: every rule but
        those tagged as about the tool or the file's hygiene (TC001-TC003)."""
        return not NOT_SECURITY_TAGS.intersection(self.extra_tags)

    def security_severity_at(self, level: str) -> float | None:
        """The score code scanning ranks by (Critical >= 9, High >= 7, Medium >= 4, else Low);
        None for a rule that is not about security (a score makes code scanning treat it as one).
        For a finding of this rule at ``level`` (configured, or a per-case
        severity): the declared score at the rule's own severity; at another level, the
        default score of that level, never below the declared one when raised nor above it
        when lowered, so an error always ranks at least High and a note at most Low."""
        if not self.is_security:
            return None
        declared = self.declared_security_severity
        if declared is None:
            return _DEFAULT_SECURITY_SEVERITY[level]
        if level == self.severity:
            return declared
        default = _DEFAULT_SECURITY_SEVERITY[level]
        raised = severity_rank(level) > severity_rank(self.severity)
        return max(declared, default) if raised else min(declared, default)

    @property
    def tags(self) -> tuple[str, ...]:
        if not self.is_security:
            return self.extra_tags
        return ("security", "supply-chain", *self.extra_tags)


_DEFAULT_SECURITY_SEVERITY = {"error": 7.5, "warning": 5.0, "note": 2.0}
NOT_SECURITY_TAGS = frozenset({"correctness", "hygiene"})
"""Tags of rules about the tool or the file's shape rather than an attack: no ``security``
tag and no security-severity in SARIF, so code scanning lists them apart from security alerts."""


def builtin_rules_dir() -> str:
    """The catalog inside the installed package, or the repository's ``rules/`` in a checkout."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    shipped = os.path.join(package, "rules")
    return shipped if os.path.isdir(shipped) else os.path.join(os.path.dirname(package), "rules")


@lru_cache(maxsize=1)
def _validator() -> Any:
    import json

    import jsonschema  # imported lazily: only needed when a rule file is validated

    with open(_SCHEMA_PATH, encoding="utf-8") as handle:
        schema = json.loads(handle.read())
    return jsonschema.Draft202012Validator(schema)


def load_catalog(directories: Iterable[str | os.PathLike[str]], known_facts: Callable[[], dict[str, str]],
                 trusted: Iterable[str | os.PathLike[str]] = ()) -> list[Rule]:
    """Load and validate every ``*.yml``/``*.yaml`` rule file; ids and slugs must be unique.

    ``known_facts`` gives the fact vocabulary (asked for only when a rule file is checked
    against it). Directories in ``trusted`` (the built-in catalog, which the test suite
    validates) skip the JSON Schema check and the fact vocabulary: importing jsonschema and
    validating cost ~100 ms per run, more than linting a small repository. Size, nesting,
    condition shape and regexes are checked for them too. Nothing is cached between runs: a cache is input that another user,
    or a CI cache restored from another branch, could have written."""
    trusted = {os.fspath(directory) for directory in trusted}
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    added = 0
    for directory in (os.fspath(entry) for entry in directories):
        if not os.path.isdir(directory):
            raise CatalogError(f"{directory}: rules directory does not exist")
        files = sorted(path for name in os.listdir(directory)
                       if os.path.splitext(name)[1] in (".yml", ".yaml") and os.path.isfile(path := os.path.join(directory, name)))
        validate = directory not in trusted
        if validate:
            added += len(files)
            if added > MAX_ADDED_RULES:
                raise CatalogError(f"{directory}: rules directories hold more than {MAX_ADDED_RULES} rule files in all")
        contents = [read_rule(path, known_facts, validate) for path in files]
        for path, data in zip(files, contents):
            rule = _rule(path, data)
            for name in (rule.id, rule.slug):
                if name in seen:
                    raise CatalogError(f"{path}: {name!r} is already defined by {seen[name]}")
                seen[name] = str(path)
            rules.append(rule)
    return sorted(rules, key=lambda rule: rule.id)


def read_rule(path: str | os.PathLike[str], known_facts: Callable[[], dict[str, str]], validate: bool = True) -> dict[str, Any]:
    """A rule file's data, after the schema (if ``validate``) and the fact vocabulary accept it."""
    from trustycheck.config import ConfigError, read_small_file

    try:
        raw = read_small_file(path, RULE_FILE_LIMIT)
    except ConfigError as error:
        raise CatalogError(f"{error}" + (" (a rule file is a few KB)" if error.too_big else "")) from None
    if not validate:  # a built-in rule file, parsed ahead of time unless it was edited since
        shipped = shipped_rule(os.fspath(path), raw)
        if shipped is not None:
            return shipped
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CatalogError(f"{path}: cannot read rule file: {error}") from None
    try:
        data = yaml.load(text, Loader=_loader())
    except yaml.YAMLError as error:
        raise CatalogError(f"{path}: not valid YAML: {' '.join(str(error).split())}") from None  # one line
    except RecursionError:
        raise CatalogError(f"{path}: nests deeper than {MAX_DOCUMENT_DEPTH} levels") from None
    _check_size(path, data)
    errors = [] if not validate else sorted(_validator().iter_errors(data), key=lambda e: (len(list(e.absolute_path)), str(e.absolute_path)))
    if errors:
        raise CatalogError(f"{path}: {_describe(_deepest(errors))}")
    _check_conditions(path, data)
    _check_facts(path, data, known_facts() if validate else None)
    return data


def _check_size(path: str | os.PathLike[str], data: Any) -> None:
    """Refuse a document that nests too deeply or holds too many values, before anything walks
    it: a few lines of YAML aliases can stand for billions of values."""
    budget = MAX_DOCUMENT_NODES
    top = data.items() if isinstance(data, dict) else [("", data)]
    for key, value in top:
        where = f"field '{key}': " if key else ""
        stack = [(value, 1)]
        while stack:
            node, depth = stack.pop()
            budget -= 1
            if budget < 0:
                raise CatalogError(f"{path}: {where}holds more than {MAX_DOCUMENT_NODES} values (counting each use of an alias)")
            if depth > MAX_DOCUMENT_DEPTH:
                raise CatalogError(f"{path}: {where}nests deeper than {MAX_DOCUMENT_DEPTH} levels")
            if isinstance(node, dict):
                budget -= len(node)  # the keys
                stack.extend((child, depth + 1) for child in node.values())
            elif isinstance(node, list):
                stack.extend((child, depth + 1) for child in node)


def _check_conditions(path: str | os.PathLike[str], data: Any) -> None:
    """Bound each condition's depth and size (the code made from it nests as deep)."""
    if not isinstance(data, dict):
        return  # the schema says why
    conditions = [(data.get("condition"), "condition")]
    cases = data.get("severity-cases")
    if isinstance(cases, list):
        conditions += [(case.get("when"), f"severity-cases[{i}].when") for i, case in enumerate(cases) if isinstance(case, dict)]
    for condition, field in conditions:
        tests = 0
        stack = [(condition, 1)]
        while stack:
            node, depth = stack.pop()
            if depth > MAX_CONDITION_DEPTH:
                raise CatalogError(f"{path}: field '{field}': nests deeper than {MAX_CONDITION_DEPTH} levels of all/any/not")
            if not isinstance(node, dict):
                continue
            if "fact" in node:
                tests += 1
                if tests > MAX_CONDITION_TESTS:
                    raise CatalogError(f"{path}: field '{field}': has more than {MAX_CONDITION_TESTS} fact tests")
            children = node.get("all", node.get("any", [node["not"]] if "not" in node else []))
            if isinstance(children, list):
                stack.extend((child, depth + 1) for child in children)


def _rule(path: str | os.PathLike[str], data: dict[str, Any]) -> Rule:
    at = data["at"]
    return Rule(
        id=data["id"],
        slug=data["slug"],
        severity=data["severity"],
        scope=data["scope"],
        summary=data["summary"],
        why=data["why"],
        fix=data["fix"],
        references=tuple(data.get("references", ())),
        condition=data["condition"],
        at=(at,) if isinstance(at, str) else tuple(at),
        message=data["message"],
        examples=data["examples"],
        source=str(path),
        severity_cases=tuple(data.get("severity-cases", ())),
        declared_security_severity=data.get("security-severity"),
        extra_tags=tuple(data.get("tags", ())),
        message_many=data.get("message-many"),
        autofix=data.get("autofix"),
    )


def _loader() -> Any:
    try:
        return yaml.CSafeLoader
    except AttributeError:  # pragma: no cover
        return yaml.SafeLoader


def _deepest(errors: list) -> Any:
    """The most specific error: for a oneOf failure, the branch that got furthest."""
    best = errors[-1]
    while best.context:
        best = max(best.context, key=lambda e: len(list(e.absolute_path)))
    return best


def _describe(error: Any) -> str:
    location = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path).lstrip(".")
    field = f"field '{location}'" if location else "top level"
    return f"{field}: {error.message}"


def _check_facts(path: str | os.PathLike[str], data: dict[str, Any], known: dict[str, str] | None) -> None:
    """Every fact a rule names exists for its scope (``known`` None: the scope only), and its
    regexes are linear."""
    scope = data["scope"]
    allowed_roots = {"file", scope} | {"problem": set(), "secret": set(), "workflow": set(), "job": {"workflow", "call"}, "step": {"workflow", "job", "call"}}[scope]

    def check(fact: str, field: str) -> None:
        root = fact.split(".", 1)[0]
        if root not in allowed_roots:
            raise CatalogError(f"{path}: field '{field}': fact '{fact}' is not available to a {scope}-scope rule")
        if known is not None and not _is_known(fact, known):
            raise CatalogError(f"{path}: field '{field}': unknown fact '{fact}' (see `trustycheck facts`)")

    conditions = [(data["condition"], "condition")]
    conditions += [(case["when"], f"severity-cases[{i}].when") for i, case in enumerate(data.get("severity-cases", ()))]
    for condition, where in conditions:
        for test, field in _tests(condition, where):
            check(test["fact"], f"{field}.fact")
            if "matches" in test:
                problem = _regex_problem(test["matches"])
                if problem:
                    raise CatalogError(f"{path}: field '{field}.matches': {problem}")
    at = data["at"]
    for index, fact in enumerate([at] if isinstance(at, str) else at):
        check(fact, f"at[{index}]" if not isinstance(at, str) else "at")
    for field in ("message", "message-many"):
        for fact in _PLACEHOLDER.findall(data.get(field, "")):
            check(fact, field)


def _regex_problem(pattern: Any) -> str | None:
    if not isinstance(pattern, str):
        return "must be a string"
    from trustycheck.engine.regex_shape import regex_problem  # only a rule that matches text needs it

    return regex_problem(pattern)


def _tests(condition: dict[str, Any], field: str) -> list[tuple[dict[str, Any], str]]:
    """Every leaf test (``{fact: ..., <op>: ...}``) of a condition, with its field path."""
    if "fact" in condition:
        return [(condition, field)]
    if "not" in condition:
        return _tests(condition["not"], f"{field}.not")
    key = "all" if "all" in condition else "any"
    found = []
    for index, child in enumerate(condition[key]):
        found.extend(_tests(child, f"{field}.{key}[{index}]"))
    return found


def _is_known(fact: str, known: dict[str, str]) -> bool:
    """A path is known when it is, or is a prefix of, a declared path (``*`` = any segment)."""
    prefixes, patterns = _vocabulary(tuple(known))
    if fact in prefixes:
        return True
    parts = fact.split(".")
    return any(len(parts) <= len(declared) and all(d == "*" or d == p for d, p in zip(declared, parts)) for declared in patterns)


@lru_cache(maxsize=4)
def _vocabulary(declared: tuple[str, ...]) -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
    """The declared paths as every prefix of those without ``*`` (looked up at once) and the
    split paths with one (matched part by part)."""
    prefixes: set[str] = set()
    patterns = []
    for path in declared:
        parts = path.split(".")
        if "*" in parts:
            patterns.append(tuple(parts))
        else:
            prefixes.update(".".join(parts[:end]) for end in range(1, len(parts) + 1))
    return frozenset(prefixes), tuple(patterns)
