"""Local calls are followed: findings in called files carry the caller's context and chain."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import PUBLISH_CALLEE, SECRET_CALLER, lint_repo, run_cli

TRUSTED_CALLEE = """\
on: workflow_call
jobs:
  upload:
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
"""
"""A called workflow that uploads with Trusted Publishing, if its caller lets it."""


def _found(findings) -> list[tuple[str, str, int, int]]:
    return [(f.rule_id, f.path, f.pos.line, f.pos.col) for f in findings]


def test_secret_passed_by_the_caller_makes_a_token_publish_named_by_its_chain(tmp_path: Path) -> None:
    caller = SECRET_CALLER
    findings = lint_repo(tmp_path, caller, {".github/workflows/publish.yml": PUBLISH_CALLEE}, {"TC101"})
    assert _found(findings) == [("TC101", ".github/workflows/publish.yml", 14, 11)]
    assert findings[0].message == (
        "pypa/gh-action-pypi-publish uploads to PyPI with a long-lived credential (secrets.PYPI_API_TOKEN) "
        "instead of Trusted Publishing (via example.yml job 'publish' → publish.yml job 'upload')"
    )


def test_secret_not_passed_is_empty_so_the_action_uses_trusted_publishing(tmp_path: Path) -> None:
    caller = """\
        on:
          release:
            types: [published]
        permissions:
          id-token: write
        jobs:
          publish:
            uses: ./.github/workflows/publish.yml
        """
    findings = lint_repo(tmp_path, caller, {".github/workflows/publish.yml": PUBLISH_CALLEE}, {"TC101", "TC201"})
    assert findings == []


def test_secrets_inherit_passes_the_callers_secret_through(tmp_path: Path) -> None:
    caller = """\
        on:
          push:
            tags: ["v*"]
        jobs:
          publish:
            uses: ./.github/workflows/publish.yml
            secrets: inherit
        """
    findings = lint_repo(tmp_path, caller, {".github/workflows/publish.yml": PUBLISH_CALLEE}, {"TC101", "TC104"})
    assert _found(findings) == [
        ("TC104", ".github/workflows/example.yml", 7, 14),
        ("TC101", ".github/workflows/publish.yml", 14, 11),
    ]
    assert "secrets.PYPI_TOKEN" in findings[1].message


def test_called_workflow_cannot_raise_permissions_a_caller_block_withholds(tmp_path: Path) -> None:
    callee = TRUSTED_CALLEE
    narrowed = """\
        on:
          release:
            types: [published]
        jobs:
          publish:
            permissions:
              contents: read
            uses: ./.github/workflows/publish.yml
        """
    findings = lint_repo(tmp_path / "a", narrowed, {".github/workflows/publish.yml": callee}, {"TC201"})
    assert _found(findings) == [("TC201", ".github/workflows/publish.yml", 9, 15)]
    assert "job 'upload' does not grant id-token: write" in findings[0].message
    granted = narrowed.replace("contents: read", "id-token: write")
    assert lint_repo(tmp_path / "b", granted, {".github/workflows/publish.yml": callee}, {"TC201"}) == []
    # A caller with no permissions anywhere lets a same-repository callee ask for id-token.
    unset = narrowed.replace("            permissions:\n              contents: read\n", "")
    assert lint_repo(tmp_path / "c", unset, {".github/workflows/publish.yml": callee}, {"TC201"}) == []


def test_callee_without_a_block_gets_the_callers_permissions(tmp_path: Path) -> None:
    callee = """\
        on: workflow_call
        jobs:
          upload:
            runs-on: ubuntu-latest
            environment: pypi
            steps:
              - run: python -m build
              - uses: pypa/gh-action-pypi-publish@release/v1
        """
    caller = """\
        on:
          release:
            types: [published]
        jobs:
          publish:
            permissions:
              id-token: write
              contents: write
            uses: ./.github/workflows/publish.yml
        """
    findings = lint_repo(tmp_path, caller, {".github/workflows/publish.yml": callee}, {"TC201", "TC203", "TC204"})
    assert [(f.rule_id, f.path, f.pos.line) for f in findings] == [
        ("TC204", ".github/workflows/example.yml", 8),
        ("TC203", ".github/workflows/publish.yml", 7),
    ]


def test_ungated_trigger_of_the_caller_applies_to_the_called_publish_job(tmp_path: Path) -> None:
    callee = TRUSTED_CALLEE
    caller = """\
        on:
          push:
            branches: [main]
        jobs:
          publish:
            uses: ./.github/workflows/publish.yml
        """
    findings = lint_repo(tmp_path / "a", caller, {".github/workflows/publish.yml": callee}, {"TC303"})
    assert _found(findings) == [("TC303", ".github/workflows/example.yml", 2, 3)]
    guarded = caller.replace("    uses:", "    if: startsWith(github.ref, 'refs/tags/')\n            uses:")
    assert lint_repo(tmp_path / "b", guarded, {".github/workflows/publish.yml": callee}, {"TC303"}) == []


def test_composite_action_inputs_resolve_to_the_callers_secret(tmp_path: Path) -> None:
    action = """\
        name: upload
        inputs:
          token:
            required: true
        runs:
          using: composite
          steps:
            - run: twine upload dist/*
              shell: bash
              env:
                TWINE_USERNAME: __token__
                TWINE_PASSWORD: ${{ inputs.token }}
        """
    caller = """\
        on:
          release:
            types: [published]
        jobs:
          publish:
            runs-on: ubuntu-latest
            environment: pypi
            steps:
              - uses: actions/checkout@v4
              - uses: ./.github/actions/upload
                with:
                  token: ${{ secrets.PYPI_TOKEN }}
        """
    findings = lint_repo(tmp_path, caller, {".github/actions/upload/action.yml": action}, {"TC101", "TC301"})
    assert _found(findings) == [("TC101", ".github/actions/upload/action.yml", 12, 9)]
    assert "(secrets.PYPI_TOKEN)" in findings[0].message
    assert findings[0].message.endswith("(via example.yml job 'publish' → example.yml step './.github/actions/upload')")


def test_composite_action_runs_with_the_jobs_permissions(tmp_path: Path) -> None:
    action = """\
        runs:
          using: composite
          steps:
            - run: uv publish
              shell: bash
        """
    caller = """\
        on:
          release:
            types: [published]
        jobs:
          publish:
            runs-on: ubuntu-latest
            environment: pypi
            permissions:
              contents: read
            steps:
              - uses: ./.github/actions/upload
        """
    findings = lint_repo(tmp_path / "a", caller, {".github/actions/upload/action.yml": action}, {"TC201"})
    assert _found(findings) == [("TC201", ".github/actions/upload/action.yml", 4, 12)]
    granted = caller.replace("contents: read", "id-token: write")
    assert lint_repo(tmp_path / "b", granted, {".github/actions/upload/action.yml": action}, {"TC201"}) == []


def test_nested_composite_actions_and_a_cycle_between_them(tmp_path: Path) -> None:
    outer = """\
        runs:
          using: composite
          steps:
            - uses: ./.github/actions/inner
        """
    inner = """\
        runs:
          using: composite
          steps:
            - run: twine upload -p "${{ secrets.PYPI }}" dist/*
              shell: bash
            - uses: ./.github/actions/outer
        """
    caller = """\
        on:
          release:
            types: [published]
        jobs:
          publish:
            runs-on: ubuntu-latest
            environment: pypi
            steps:
              - uses: ./.github/actions/outer
        """
    files = {".github/actions/outer/action.yml": outer, ".github/actions/inner/action.yml": inner}
    findings = lint_repo(tmp_path, caller, files, {"TC002", "TC101"})
    assert _found(findings) == [
        ("TC101", ".github/actions/inner/action.yml", 4, 25),
        ("TC002", ".github/actions/inner/action.yml", 6, 13),
    ]
    assert "this call makes a cycle (actions/outer/action.yml → actions/inner/action.yml → actions/outer/action.yml)" in findings[1].message


def test_missing_called_workflow_is_a_finding_and_the_rest_is_still_checked(tmp_path: Path) -> None:
    caller = """\
        on:
          release:
            types: [published]
        jobs:
          publish:
            uses: ./.github/workflows/missing.yml
          other:
            runs-on: ubuntu-latest
            steps:
              - uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  password: ${{ secrets.PYPI }}
        """
    findings = lint_repo(tmp_path, caller, {}, {"TC002", "TC101"})
    assert _found(findings) == [
        ("TC002", ".github/workflows/example.yml", 6, 11),
        ("TC101", ".github/workflows/example.yml", 12, 11),
    ]


def test_a_reusable_workflow_linted_alone_is_judged_in_its_callers_context(tmp_path: Path) -> None:
    """pre-commit passes only the changed file: the callee still gets its caller's secrets."""
    caller = SECRET_CALLER
    lint_repo(tmp_path, caller, {".github/workflows/publish.yml": PUBLISH_CALLEE}, set())
    result = run_cli("--select", "TC101", "--no-color", ".github/workflows/publish.yml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0] == (
        ".github/workflows/publish.yml:14:11: error TC101 [token-publish] pypa/gh-action-pypi-publish uploads to PyPI "
        "with a long-lived credential (secrets.PYPI_API_TOKEN) instead of Trusted Publishing "
        "(via example.yml job 'publish' → publish.yml job 'upload')"
    )
    assert "example.yml:" not in result.stdout


def test_the_same_callee_reached_twice_is_reported_once(tmp_path: Path) -> None:
    caller = """\
        on:
          release:
            types: [published]
        jobs:
          first:
            uses: ./.github/workflows/publish.yml
            secrets: {PYPI_TOKEN: "${{ secrets.A }}"}
          second:
            uses: ./.github/workflows/publish.yml
            secrets: {PYPI_TOKEN: "${{ secrets.A }}"}
        """
    findings = lint_repo(tmp_path, caller, {".github/workflows/publish.yml": PUBLISH_CALLEE}, {"TC101"})
    assert len(findings) == 1
    assert findings[0].message.endswith(
        "(via example.yml job 'first' → publish.yml job 'upload'; example.yml job 'second' → publish.yml job 'upload')")


def test_fan_out_of_calls_is_bounded(tmp_path: Path) -> None:
    """Each level calls the next twice: 2**12 paths if followed naively; depth and count are capped."""
    files = {}
    for level in range(12):
        files[f".github/workflows/l{level}.yml"] = (
            "on: workflow_call\njobs:\n"
            f"  a:\n    uses: ./.github/workflows/l{level + 1}.yml\n"
            f"  b:\n    uses: ./.github/workflows/l{level + 1}.yml\n"
        )
    files[".github/workflows/l12.yml"] = "on: workflow_call\njobs:\n  leaf:\n    runs-on: x\n    steps:\n      - run: echo\n"
    caller = "on: push\njobs:\n  go:\n    uses: ./.github/workflows/l0.yml\n"
    findings = lint_repo(tmp_path, caller, files, {"TC002"})
    assert findings and all("deeper than 10 levels" in f.message for f in findings)


def test_too_many_job_instances_stop_the_expansion_with_one_finding(tmp_path: Path) -> None:
    callee = "on: workflow_call\njobs:\n" + "".join(f"  k{i}:\n    runs-on: x\n    steps:\n      - run: echo\n" for i in range(100))
    caller = "on: push\njobs:\n" + "".join(f"  j{i}:\n    uses: ./.github/workflows/c.yml\n" for i in range(60))
    findings = lint_repo(tmp_path, caller, {".github/workflows/c.yml": callee}, {"TC002"})
    assert [(f.path, f.pos.line) for f in findings] == [(".github/workflows/example.yml", 2 + 2 * 50 + 2)]
    assert findings[0].message.startswith("more than 5,000 jobs in this repository's call graph")


# --- calls that leave the repository ----------------------------------------------------------

OTHER_REPOSITORY_UPLOAD = """\
on: workflow_call
jobs:
  upload:
    runs-on: ubuntu-latest
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.OTHER_TOKEN }}
"""
OTHER_ACTION_UPLOAD = """\
runs:
  using: composite
  steps:
    - run: twine upload -p "${{ secrets.OTHER_TOKEN }}" dist/*
      shell: bash
"""


CALL_RULES = {"TC001", "TC002", "TC101", "TC201", "TC301"}
"""What a call followed by mistake would show (the other repository's upload), and the refusal."""


def _neighbour(tmp_path: Path) -> Path:
    """A second repository beside ``tmp_path/repo`` with an upload in a reusable workflow and an action."""
    other = tmp_path / "other-repo"
    (other / ".github" / "workflows").mkdir(parents=True)
    (other / ".github" / "workflows" / "publish.yml").write_text(OTHER_REPOSITORY_UPLOAD)
    (other / "upload").mkdir()
    (other / "upload" / "action.yml").write_text(OTHER_ACTION_UPLOAD)
    return other


def test_a_called_workflow_that_climbs_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    _neighbour(tmp_path)
    caller = "on: push\njobs:\n  release:\n    uses: ./../other-repo/.github/workflows/publish.yml\n"
    findings = lint_repo(tmp_path / "repo", caller, {}, CALL_RULES)
    assert _found(findings) == [("TC002", ".github/workflows/example.yml", 4, 11)]
    assert findings[0].message == ("'./../other-repo/.github/workflows/publish.yml' is not followed: "
                                   "it points outside the repository")


def test_an_action_that_climbs_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    _neighbour(tmp_path)
    caller = "on: push\njobs:\n  release:\n    runs-on: x\n    steps:\n      - uses: ./../other-repo/upload\n"
    findings = lint_repo(tmp_path / "repo", caller, {}, CALL_RULES)
    assert _found(findings) == [("TC002", ".github/workflows/example.yml", 6, 15)]
    assert findings[0].message == "'./../other-repo/upload' is not followed: it points outside the repository"


def test_an_action_reached_through_a_symlink_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    other = _neighbour(tmp_path)
    root = tmp_path / "repo"
    (root / ".github" / "actions").mkdir(parents=True)
    (root / ".github" / "actions" / "upload").symlink_to(other / "upload")
    caller = "on: push\njobs:\n  release:\n    runs-on: x\n    steps:\n      - uses: ./.github/actions/upload\n"
    findings = lint_repo(root, caller, {}, CALL_RULES)
    assert _found(findings) == [("TC002", ".github/workflows/example.yml", 6, 15)]
    assert findings[0].message == "'./.github/actions/upload' is not followed: it points outside the repository"


def test_a_called_workflow_symlinked_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    other = _neighbour(tmp_path)
    root = tmp_path / "repo"
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "publish.yml").symlink_to(other / ".github" / "workflows" / "publish.yml")
    caller = "on: push\njobs:\n  release:\n    uses: ./.github/workflows/publish.yml\n"
    findings = lint_repo(root, caller, {}, CALL_RULES)
    assert _found(findings) == [("TC002", ".github/workflows/example.yml", 4, 11),
                                ("TC001", ".github/workflows/publish.yml", 1, 1)]
    assert findings[0].message == "'./.github/workflows/publish.yml' is not followed: it points outside the repository"


def test_a_call_into_git_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / ".git" / "hooks").mkdir(parents=True)
    (root / ".git" / "hooks" / "action.yml").write_text(OTHER_ACTION_UPLOAD)
    caller = "on: push\njobs:\n  release:\n    runs-on: x\n    steps:\n      - uses: ./.git/hooks\n"
    findings = lint_repo(root, caller, {}, CALL_RULES)
    assert _found(findings) == [("TC002", ".github/workflows/example.yml", 6, 15)]
    assert "is not followed: it is inside a .git folder" in findings[0].message


# --- expansion is bounded by the steps it makes ------------------------------------------------


def _composite_fan_out(levels: int, fan: int) -> dict[str, str]:
    """Composite actions a1..a<levels>, each calling the next ``fan`` times; the last uploads."""
    files = {}
    for level in range(1, levels + 1):
        if level < levels:
            steps = f"    - uses: ./.github/actions/a{level + 1}\n" * fan
        else:
            steps = '    - run: twine upload -p "${{ secrets.PYPI }}" dist/*\n      shell: bash\n'
        files[f".github/actions/a{level}/action.yml"] = "runs:\n  using: composite\n  steps:\n" + steps
    return files


@pytest.mark.timeout(120)
def test_composite_actions_calling_each_other_are_bounded_by_the_steps_they_make(tmp_path: Path) -> None:
    caller = "on: push\njobs:\n  release:\n    runs-on: x\n    steps:\n" + "      - uses: ./.github/actions/a1\n" * 8
    start = time.perf_counter()
    findings = lint_repo(tmp_path, caller, _composite_fan_out(8, 8), {"TC002", "TC101"})
    assert time.perf_counter() - start < 20  # 8**8 steps if followed: minutes and gigabytes
    limits = [f for f in findings if f.rule_id == "TC002"]
    assert len(limits) == 1
    assert limits[0].message.startswith("more than 10,000 steps reached through local calls in this repository")
    assert [(f.rule_id, f.path, f.pos.line) for f in findings if f.rule_id == "TC101"] == [
        ("TC101", ".github/actions/a8/action.yml", 4)]


def test_composite_calls_below_the_step_bound_are_all_followed(tmp_path: Path) -> None:
    caller = "on: push\njobs:\n  release:\n    runs-on: x\n    steps:\n" + "      - uses: ./.github/actions/a1\n" * 4
    findings = lint_repo(tmp_path, caller, _composite_fan_out(5, 4), {"TC002", "TC101"})  # 4**5 = 1,024 uploads
    assert _found(findings) == [("TC101", ".github/actions/a5/action.yml", 4, 25)]
    assert findings[0].message.startswith("twine uploads to PyPI with a long-lived credential (secrets.PYPI)")
