"""The loader: positions, GitHub's key reading, merge keys, encodings and every limit."""

from __future__ import annotations

import time

import pytest

from trustycheck import loader
from trustycheck.loader import load_bytes, load_text
from trustycheck.nodes import Mapping, Pos, Scalar, Sequence


def test_positions_of_keys_and_values_are_one_based() -> None:
    doc = load_text("w.yml", "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n")
    build = doc.root.get("jobs").get("build")
    assert doc.root.key_node("jobs").pos == Pos(2, 1, 2, 5)
    assert build.key_node("runs-on").pos == Pos(4, 5, 4, 12)
    assert build.get("runs-on").pos == Pos(4, 14, 4, 27)


def test_columns_count_characters_not_bytes() -> None:
    doc = load_text("w.yml", "name: é😀\nenv: {A: x}\n")
    assert doc.root.get("env").get("A").pos.col == 10
    assert doc.root.get("name").pos == Pos(1, 7, 1, 9)


@pytest.mark.parametrize("word", ["on", "yes", "no", "y", "n", "off", "true", "True", "null", "1"])
def test_keys_are_the_strings_github_reads(word: str) -> None:
    doc = load_text("w.yml", f"{word}: x\n")
    assert doc.root.keys() == [word]


@pytest.mark.parametrize(
    ("text", "value"),
    [("yes", "yes"), ("off", "off"), ("true", True), ("False", False), ("~", None), ("", None),
     ("12", 12), ("0x1F", 31), ("1.5", 1.5), ("'true'", "true"), ('"12"', "12"), ("v1", "v1")],
)
def test_plain_scalars_follow_yaml_1_2_core(text: str, value: object) -> None:
    assert load_text("w.yml", f"k: {text}\n").root.get("k").value == value


def test_anchor_alias_resolves_to_the_anchored_node_and_position() -> None:
    doc = load_text("w.yml", "a: &perm {id-token: write}\nb: *perm\n")
    aliased = doc.root.get("b")
    assert isinstance(aliased, Mapping)
    assert aliased.get("id-token").value == "write"
    assert aliased.get("id-token").pos.line == 1


def test_merge_keys_apply_with_explicit_keys_winning() -> None:
    text = "base: &b {runs-on: x, timeout: 5}\njob:\n  <<: *b\n  timeout: 9\n"
    job = load_text("w.yml", text).root.get("job")
    assert job.keys() == ["timeout", "runs-on"]
    assert job.get("timeout").value == 9
    assert job.get("runs-on").pos.line == 1


def test_merge_of_a_list_of_mappings_takes_the_first_definition() -> None:
    text = "a: &a {k: 1}\nb: &b {k: 2, j: 3}\nc:\n  <<: [*a, *b]\n"
    c = load_text("w.yml", text).root.get("c")
    assert (c.get("k").value, c.get("j").value) == (1, 3)


def test_crlf_line_endings_keep_line_numbers() -> None:
    doc = load_bytes("w.yml", b"on: push\r\njobs:\r\n  a:\r\n    runs-on: x\r\n")
    assert doc.root.get("jobs").get("a").get("runs-on").pos == Pos(4, 14, 4, 15)
    assert doc.lines[3] == "    runs-on: x"


def test_utf8_bom_is_dropped_and_positions_unchanged() -> None:
    doc = load_bytes("w.yml", b"\xef\xbb\xbfon: push\njobs: {}\n")
    assert doc.problems == []
    assert doc.root.keys() == ["on", "jobs"]
    assert doc.root.key_node("on").pos == Pos(1, 1, 1, 3)


def test_utf16_with_bom_is_decoded() -> None:
    doc = load_bytes("w.yml", "on: push\njobs: {}\n".encode("utf-16"))
    assert doc.problems == []
    assert doc.root.keys() == ["on", "jobs"]


def test_invalid_utf8_is_a_problem_at_the_bad_byte() -> None:
    doc = load_bytes("w.yml", b"on: push\nname: ab\xffc\n")
    assert [(p.kind, p.pos.line, p.pos.col) for p in doc.problems] == [("encoding", 2, 9)]
    assert "0xff" in doc.problems[0].message


def test_tab_indentation_is_a_clear_error_with_position() -> None:
    doc = load_text("w.yml", "on: push\njobs:\n\tbuild: {}\n")
    assert [(p.kind, p.pos.line, p.pos.col) for p in doc.problems] == [("yaml", 3, 1)]
    assert "tab" in doc.problems[0].message


def test_duplicate_keys_are_reported_when_read() -> None:
    doc = load_text("w.yml", "a: 1\nb: 2\na: 3\n")
    assert doc.root.get("a").value == 1
    assert [(p.kind, p.pos.line) for p in doc.problems] == [("duplicate-key", 3)]


def test_two_documents_are_rejected() -> None:
    doc = load_text("w.yml", "on: push\n---\njobs: {}\n")
    assert [(p.kind, p.pos.line) for p in doc.problems] == [("yaml", 2)]


def test_empty_file_is_a_problem() -> None:
    assert [p.kind for p in load_text("w.yml", "").problems] == ["empty"]
    assert [p.kind for p in load_text("w.yml", "# only a comment\n").problems] == ["empty"]


def test_billion_laughs_is_rejected_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    start = time.perf_counter()
    doc = load_text("bomb.yml", "\n".join(lines) + "\n")
    assert time.perf_counter() - start < 1.0
    assert [p.kind for p in doc.problems] == ["limit"]
    assert "alias" in doc.problems[0].message


def test_moderate_alias_reuse_is_fine() -> None:
    text = "x: &x {a: 1, b: 2}\n" + "".join(f"k{i}: *x\n" for i in range(200))
    assert load_text("w.yml", text).problems == []


def test_recursive_alias_does_not_hang() -> None:
    doc = load_text("w.yml", "a: &x [*x, 1]\n")
    assert doc.problems == []
    assert isinstance(doc.root.get("a"), Sequence)


@pytest.mark.parametrize("opener", ["[", "{a: ", "- "])
def test_deep_nesting_is_a_limit_problem_not_a_crash(opener: str) -> None:
    depth = 100_000
    closer = {"[": "]", "{a: ": "}", "- ": ""}[opener]
    text = opener * depth + "x" + closer * depth
    doc = load_text("deep.yml", text)
    assert [(p.kind, p.message) for p in doc.problems] == [("limit", "nesting deeper than 1000 levels")]
    pos = doc.problems[0].pos  # where the parser stops differs between PyYAML builds, by a level
    assert pos.line == 1 and len(opener) * loader.MAX_DEPTH - 2 <= pos.col <= len(opener) * (loader.MAX_DEPTH + 1) + 1


def test_nesting_by_indentation_is_refused_at_the_level_past_the_limit() -> None:
    text = "".join(" " * level + "-\n" for level in range(loader.MAX_DEPTH + 50))
    problem = load_text("deep.yml", text).problems[0]
    assert (problem.kind, problem.message) == ("limit", "nesting deeper than 1000 levels")
    assert loader.MAX_DEPTH - 1 <= problem.pos.line <= loader.MAX_DEPTH + 1


def test_nesting_up_to_the_limit_is_read() -> None:
    depth = loader.MAX_DEPTH - 1  # a mapping at the top, then flow sequences
    doc = load_text("w.yml", "a: " + "[" * depth + "]" * depth + "\n")
    assert doc.problems == [] and doc.root is not None


def test_the_parsers_own_depth_refusal_is_the_same_limit_problem() -> None:
    """libyaml 0.2.6 and newer refuse nesting past 1,000 levels with a ScannerError; older
    builds do not, and trustycheck's own count answers. Either way: one limit problem."""
    import yaml

    mark = yaml.Mark("w.yml", 0, 4, 7, None, None)
    refusal = yaml.scanner.ScannerError("while increasing flow level", mark, "exceeded maximum nesting depth", mark)
    assert loader._depth_refusal(refusal) == loader.Problem("limit", "nesting deeper than 1000 levels", Pos.point(5, 8))
    other = yaml.scanner.ScannerError("while scanning", mark, "found character that cannot start any token", mark)
    assert loader._depth_refusal(other) is None


def test_oversized_input_is_rejected_before_parsing() -> None:
    doc = load_bytes("big.yml", b"#" * (loader.MAX_BYTES + 1))
    assert [p.kind for p in doc.problems] == ["limit"]


def test_unreadable_path_is_a_problem(tmp_path) -> None:
    doc = loader.load_path(str(tmp_path / "missing.yml"))
    assert [p.kind for p in doc.problems] == ["unreadable"]
    directory = loader.load_path(str(tmp_path))
    assert [p.kind for p in directory.problems] == ["unreadable"]


def test_scalar_as_string_matches_what_github_passes() -> None:
    root = load_text("w.yml", "a: false\nb: 12\nc:\nd: 'x'\n").root
    assert [root.get(k).as_string() for k in "abcd"] == ["false", "12", "", "x"]
    assert isinstance(root.get("a"), Scalar)


def _shape(node: object) -> object:
    """A node graph as plain data: kind, position, text, children (for comparing composers)."""
    if isinstance(node, Scalar):
        return ("scalar", node.pos, node.text, not node.style, node.tag == "tag:yaml.org,2002:merge")
    if isinstance(node, Sequence):
        return ("sequence", node.pos, [_shape(item) for item in node.items])
    assert isinstance(node, Mapping)
    return ("mapping", node.pos, [(_shape(key), _shape(value)) for key, value in node.pairs])


def test_nodes_adopted_from_pythons_composer_equal_those_libyaml_builds() -> None:
    """Without libyaml (or with a PyYAML whose C composer binds its node classes early) PyYAML's
    nodes are converted; the graph must be the one the C composer builds for us."""
    import yaml

    from trustycheck.nodes import Origin, adopt

    text = "on: push\nbase: &b {runs-on: x}\njobs:\n  a:\n    <<: *b\n    steps:\n      - run: 'echo'\n      - uses: x@v1\n"
    direct = load_text("w.yml", text).root
    python_nodes = yaml.compose(text, Loader=loader._Parser if loader._c_yaml is None else yaml.SafeLoader)
    adopted = adopt(python_nodes, Origin("w.yml"))
    assert type(direct) is Mapping and not isinstance(python_nodes, Mapping)
    assert _shape(adopted) == _shape(direct)
    assert adopted.get("jobs").get("a").get("runs-on") is adopted.get("base").get("runs-on")  # aliases stay shared


def test_pyyamls_own_node_classes_are_restored_after_composing() -> None:
    import yaml

    load_text("w.yml", "a: [1, {b: c}]\n")
    assert type(yaml.compose("a: [1]\n", Loader=yaml.CSafeLoader)) is yaml.MappingNode


def test_the_depth_bound_from_bytes_counts_what_the_text_bound_counts() -> None:
    text = "a: [1, {b: c}]\n- x\n? k\n--flag\n" * 50
    expected = sum(text.count(char) for char in "[{-?\n")
    assert len(text.encode().translate(None, loader._NOT_NESTING)) == expected
    deep = "[" * (loader.MAX_DEPTH + 1) + "]" * (loader.MAX_DEPTH + 1) + "\n"
    assert load_bytes("w.yml", deep.encode()).problems[0].kind == "limit"


def test_a_mapping_that_merges_itself_keeps_its_own_keys() -> None:
    doc = load_text("w.yml", "a: &s\n  k: 1\n  <<: *s\nb: *s\n")
    assert doc.problems == []
    assert doc.root.get("a").keys() == ["k"]
    assert doc.root.get("b").get("k").value == 1


def test_mappings_that_merge_each_other_get_both_sets_of_keys() -> None:
    doc = load_text("w.yml", "a: &a\n  x: 1\n  <<: &b\n    y: 2\n    <<: *a\n")
    a = doc.root.get("a")
    b = a.pairs[1][1]  # the mapping under a's merge key
    assert a.keys() == ["x", "y"]
    assert b.keys() == ["y", "x"]


def test_merge_sources_are_taken_depth_first_and_the_first_definition_wins() -> None:
    text = (
        "base: &base {k: base, only_base: 1}\n"
        "mid: &mid {<<: *base, k: mid, only_mid: 2}\n"
        "other: &other {k: other, only_base: other, only_other: 3}\n"
        "job: {<<: [*mid, *other], own: 0}\n"
    )
    job = load_text("w.yml", text).root.get("job")
    assert job.keys() == ["own", "k", "only_mid", "only_base", "only_other"]
    assert [job.get(key).value for key in job.keys()] == [0, "mid", 2, 1, 3]


def test_a_merge_chain_as_deep_as_nesting_allows_is_resolved() -> None:
    levels = 990
    text = "job: " + "{<<: " * levels + "{k: 1}" + "}" * levels + "\n"
    doc = load_text("w.yml", text)
    assert doc.problems == []
    assert doc.root.get("job").get("k").value == 1


def test_a_long_merge_chain_through_aliases_is_resolved() -> None:
    chain = "".join(f"m{i}: &m{i}\n  <<: *m{i - 1}\n  k{i}: {i}\n" for i in range(1, 150))
    doc = load_text("w.yml", "m0: &m0\n  k0: 0\n" + chain)
    assert doc.problems == []
    assert doc.root.get("m149").get("k0").value == 0
    assert len(doc.root.get("m149")) == 150


def test_duplicate_keys_of_a_merge_source_are_reported_once() -> None:
    doc = load_text("w.yml", "a: &a\n  k: 1\n  k: 2\n  <<: {j: 3}\nb:\n  <<: *a\n")
    assert doc.root.get("b").get("k").value == 1
    assert doc.root.get("a").get("k").value == 1
    assert [(p.kind, p.pos.line) for p in doc.problems] == [("duplicate-key", 3)]


@pytest.mark.parametrize("number", ["9" * 5000, "-" + "1" * 5000, "0x" + "f" * 5000, "0o" + "7" * 5000, "1" * 5000 + ".5"])
def test_a_number_too_long_for_python_is_read_as_text(number: str) -> None:
    scalar = load_text("w.yml", f"k: {number}\n").root.get("k")
    assert scalar.value == number
    assert scalar.as_string() == number
    assert str(scalar.value) == number


def test_numbers_of_ordinary_length_are_still_numbers() -> None:
    assert load_text("w.yml", "k: " + "9" * 100 + "\n").root.get("k").value == int("9" * 100)


@pytest.mark.parametrize("text", [
    "on: push\njobs:\n" + "".join(f"  j{n}:\n    runs-on: x\n" for n in range(25_000)),
    "a: [" + "1," * 70_000 + "1]\n",
    "a:\n" + "- x\n" * 70_000 + "b: " + "[" * 1500 + "]" * 1500 + "\n",  # too deep, but past the node limit first
])
def test_a_file_with_more_nodes_than_a_workflow_has_is_one_limit_problem(text: str) -> None:
    start = time.perf_counter()
    doc = load_text("big.yml", text)
    assert time.perf_counter() - start < 10  # a hang guard; the bound itself is benchmarks/hostile.py's
    [problem] = doc.problems
    assert problem.kind == "limit" and problem.message.startswith("over 60,000 YAML nodes")
    assert doc.root is None


def test_a_file_just_under_the_node_limit_is_read() -> None:
    text = "on: push\njobs:\n" + "".join(f"  j{n}:\n    runs-on: x\n" for n in range(14_900))  # 59,605 nodes
    doc = load_text("big.yml", text)
    assert doc.problems == [] and len(doc.root.get("jobs").pairs) == 14_900
