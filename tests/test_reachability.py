"""When can a job run: on: filters, the job's if:, the jobs it needs and the caller of a reusable
workflow, read together (GitHub's semantics, DOMAIN.md §5.2 and §5.4), and what TC302, TC303
and `status` make of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ids_at, lint_repo, lint_text, write_tree
from workflows import ON_CALL, composite_action, release_workflow
from trustycheck.status import judge_repository

GATING = {"TC302", "TC303"}


def workflow(on: str, condition: str | None = None, *, before: str = "", needs: str | None = None) -> str:
    """A workflow whose job ``release`` uploads with Trusted Publishing, after the jobs in
    ``before``; ``on`` is the YAML under ``on:`` (indented by two)."""
    lines = ["on:", *("  " + line for line in on.splitlines()), "jobs:"]
    lines += before.splitlines()
    lines += ["  release:"]
    if needs:
        lines += [f"    needs: {needs}"]
    if condition is not None:
        lines += [f"    if: {condition}"]
    lines += [
        "    runs-on: ubuntu-latest",
        "    environment: pypi",
        "    permissions:",
        "      id-token: write",
        "    steps:",
        "      - uses: actions/download-artifact@v4",
        "      - uses: pypa/gh-action-pypi-publish@release/v1",
    ]
    return "\n".join(lines) + "\n"


def build_job(name: str, condition: str | None = None, needs: str | None = None) -> str:
    lines = [f"  {name}:"]
    if needs:
        lines += [f"    needs: {needs}"]
    if condition is not None:
        lines += [f"    if: {condition}"]
    lines += ["    runs-on: ubuntu-latest", "    steps:", "      - run: python -m build"]
    return "\n".join(lines) + "\n"


PUSH_ANY = "push:"
PUSH_MAIN = "push:\n  branches: [main]"
PUSH_MAIN_AND_RELEASE = "push:\n  branches: [main]\nrelease:\n  types: [published]"


def gating(text: str) -> list[tuple[str, int, int]]:
    return ids_at(lint_text(text, GATING))


def messages(text: str) -> list[str]:
    return [f.message for f in lint_text(text, GATING)]


# --- the job's if: -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "condition",
    [
        "startsWith(github.ref, 'refs/tags/')",
        "startsWith(github.ref, 'refs/tags/v')",
        "contains(github.ref, 'refs/tags/')",
        "github.ref_type == 'tag'",
        "github.event_name == 'release'",
        "github.event.action == 'published'",
        "${{ github.event_name == 'release' }}",
        "${{ github.event.action == 'published' && github.repository == 'o/r' }}",
        "github.repository_owner == 'o' && startsWith(github.ref, 'refs/tags/')",
        "(github.event_name == 'release' || github.ref_type == 'tag') && github.repository == 'o/r'",
        "${{ !(github.event_name == 'push') }}",  # YAML reads a plain `!...` as a tag: GitHub needs ${{ }}
        "github.event_name != 'push'",
        "github.event_name == 'push' && contains(github.ref, 'refs/tags/')",
    ],
)
def test_a_guard_that_excludes_branch_pushes_gates_the_job(condition: str) -> None:
    assert gating(workflow(PUSH_MAIN_AND_RELEASE, condition)) == []


@pytest.mark.parametrize(
    "condition",
    [
        None,
        "${{ !startsWith(github.ref, 'refs/tags/') }}",
        "${{ !contains(github.ref, 'refs/tags/') }}",
        "github.ref == 'refs/heads/main' || startsWith(github.ref, 'refs/tags/')",
        "github.event_name == 'push'",
        "github.repository == 'o/r'",  # keeps forks out, not branch pushes
        "github.repository_owner == 'o' && github.event_name != 'release'",
        "${{ github.event_name == 'release' || github.ref_name == 'main' }}",
        "success()",
    ],
)
def test_a_guard_that_lets_branch_pushes_in_does_not(condition: str | None) -> None:
    assert gating(workflow(PUSH_MAIN_AND_RELEASE, condition)) == [("TC303", 2, 3)]


def test_the_message_names_only_the_events_that_get_past_the_guard() -> None:
    on = "push:\n  branches: [main]\nschedule:\n  - cron: '0 3 * * *'"
    assert messages(workflow(on)) == [
        "job 'release' publishes to PyPI on every push, schedule run, with no tag or release filter or guard"]
    assert messages(workflow(on, "github.event_name != 'schedule'")) == [
        "job 'release' publishes to PyPI on every push run, with no tag or release filter or guard"]


# --- on: filters ---------------------------------------------------------------------------


def test_a_push_filtered_to_tags_is_gated_and_one_filtered_to_branches_is_not() -> None:
    assert gating(workflow("push:\n  tags: ['v*']")) == []
    assert gating(workflow("push:\n  tags-ignore: ['nightly']")) == []
    assert gating(workflow("push:\n  branches-ignore: [gh-pages]")) == [("TC303", 2, 3)]
    assert gating(workflow("push:\n  paths: ['src/**']")) == [("TC303", 2, 3)]


def test_a_dispatch_can_run_on_a_tag_so_a_tag_guarded_job_is_alive() -> None:
    text = workflow(PUSH_MAIN + "\nworkflow_dispatch:", "startsWith(github.ref, 'refs/tags/')")
    assert ids_at(lint_text(text, {"TC301", "TC303", "TC401"})) == [("TC401", 13, 15), ("TC401", 14, 15)]


def test_release_types_decide_which_action_can_be_seen() -> None:
    created = "release:\n  types: [created]"
    assert ids_at(lint_text(workflow(created, "github.event.action == 'published'"), {"TC401"})) == []
    assert ids_at(lint_text(workflow(created, "github.event.action == 'created'"), {"TC401"})) == [
        ("TC401", 12, 15), ("TC401", 13, 15)]
    assert ids_at(lint_text(workflow("release:", "github.event.action == 'published'"), {"TC401"})) == [
        ("TC401", 11, 15), ("TC401", 12, 15)]


# --- jobs that can never run -----------------------------------------------------------------


TOKEN_STEPS = """\
    steps:
      - run: twine upload dist/*
        env:
          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
"""


@pytest.mark.parametrize(
    ("on", "condition"),
    [
        (PUSH_MAIN, "startsWith(github.ref, 'refs/tags/')"),  # tag-only job, branch-only push
        ("push:\n  tags: ['v*']", "github.event_name == 'release'"),
        ("release:\n  types: [published]", "github.event_name == 'push'"),
        ("push:", "github.event.action == 'published'"),  # a push has no action
        (PUSH_MAIN, "github.repository != 'o/r'"),  # runs only in forks
    ],
)
def test_a_job_no_run_can_start_publishes_nothing(tmp_path: Path, on: str, condition: str) -> None:
    text = workflow(on, condition).split("    environment: pypi\n")[0] + TOKEN_STEPS
    assert lint_text(text) == []
    root = write_tree(tmp_path, {".github/workflows/release.yml": text})
    verdict = judge_repository(str(root))
    assert (verdict.verdict, verdict.evidence) == ("none", [])
    # the reason says an upload exists but cannot run, so an inventory does not read it as "no release workflow"
    line = text.splitlines().index("      - run: twine upload dist/*") + 1
    assert verdict.reason == (f"no upload can run: twine in .github/workflows/release.yml:{line} is in job 'release', "
                              "which no trigger of its workflow can start")
    alive = text.replace(f"    if: {condition}\n", "")
    assert {f.rule_id for f in lint_text(alive)} >= {"TC101", "TC301"}
    assert judge_repository(str(write_tree(tmp_path / "alive", {".github/workflows/release.yml": alive}))).verdict == "token"


# --- needs: ----------------------------------------------------------------------------------


def test_a_guard_on_a_needed_job_carries_to_the_jobs_that_need_it() -> None:
    tag_build = build_job("dists", "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/')")
    assert gating(workflow(PUSH_ANY, before=tag_build, needs="dists")) == []
    assert gating(workflow(PUSH_ANY, before=tag_build, needs="[lint, dists]")) == []
    chained = build_job("check", "startsWith(github.ref, 'refs/tags/')") + build_job("wheels", needs="check")
    assert gating(workflow(PUSH_ANY, before=chained, needs="wheels")) == []  # through two needs


def test_always_cancelled_or_failure_runs_the_job_when_a_needed_job_is_skipped() -> None:
    tag_build = build_job("dists", "startsWith(github.ref, 'refs/tags/')")
    for condition in ("always()", "${{ !cancelled() }}", "cancelled()", "failure() || success()"):
        assert gating(workflow(PUSH_ANY, condition, before=tag_build, needs="dists")) == [("TC303", 2, 3)], condition
    assert gating(workflow(PUSH_ANY, "success()", before=tag_build, needs="dists")) == []


def test_a_needed_job_that_can_run_on_branches_leaves_the_job_ungated() -> None:
    guarded_elsewhere = build_job("dists", "github.ref == 'refs/heads/main'")
    assert gating(workflow(PUSH_ANY, before=guarded_elsewhere, needs="dists")) == [("TC303", 2, 3)]


def test_a_needed_job_that_never_runs_makes_the_publishing_job_dead(tmp_path: Path) -> None:
    never = build_job("dists", "github.event_name == 'release'")
    text = workflow(PUSH_MAIN, before=never, needs="dists")
    assert ids_at(lint_text(text, {"TC301", "TC303", "TC401"})) == []
    root = write_tree(tmp_path, {".github/workflows/ci.yml": text})
    assert judge_repository(str(root)).verdict == "none"


# --- untrusted events (TC302) ------------------------------------------------------------------


def test_an_outsider_event_excluded_by_the_job_or_a_needed_job_is_not_a_finding() -> None:
    on = "pull_request_target:\npush:\n  tags: ['v*']"
    assert gating(workflow(on)) == [("TC302", 2, 3)]
    assert gating(workflow(on, "github.event_name == 'push'")) == []
    assert gating(workflow(on, "startsWith(github.ref, 'refs/tags/')")) == []
    assert gating(workflow(on, "github.repository == 'o/r'")) == [("TC302", 2, 3)]  # the base repository runs it
    guarded_build = build_job("dists", "github.event_name != 'pull_request_target'")
    assert gating(workflow(on, before=guarded_build, needs="dists")) == []


def test_workflow_run_after_a_push_is_not_caused_by_outsiders() -> None:
    on = "workflow_run:\n  workflows: [CI]\n  types: [completed]"
    assert gating(workflow(on)) == [("TC302", 2, 3)]
    assert gating(workflow(on, "github.event.workflow_run.event == 'push'")) == []
    assert gating(workflow(on, "github.event.workflow_run.event != 'pull_request'")) == [("TC302", 2, 3)]  # pull_request_target
    assert gating(workflow(on, "github.event.workflow_run.conclusion == 'success'")) == [("TC302", 2, 3)]


# --- reusable workflows: the caller's context --------------------------------------------------


CALLEE = release_workflow("- uses: pypa/gh-action-pypi-publish@release/v1", on=ON_CALL, name="upload")
"""A reusable workflow whose job `upload` (line 4) uploads with Trusted Publishing."""


def test_a_tag_only_caller_gates_the_called_publish_job(tmp_path: Path) -> None:
    caller = "on:\n  push:\n    tags: ['v*']\njobs:\n  pypi:\n    uses: ./.github/workflows/upload.yml\n"
    assert lint_repo(tmp_path / "a", caller, {".github/workflows/upload.yml": CALLEE}, GATING) == []
    branches = caller.replace("tags: ['v*']", "branches: [main]")
    found = lint_repo(tmp_path / "b", branches, {".github/workflows/upload.yml": CALLEE}, GATING)
    assert [(f.rule_id, f.path, f.pos.line) for f in found] == [("TC303", ".github/workflows/example.yml", 2)]


def test_a_called_job_whose_caller_never_runs_publishes_nothing(tmp_path: Path) -> None:
    caller = ("on:\n  push:\n    branches: [main]\njobs:\n  pypi:\n    if: github.event_name == 'release'\n"
              "    uses: ./.github/workflows/upload.yml\n")
    assert lint_repo(tmp_path, caller, {".github/workflows/upload.yml": CALLEE}, {"TC301", "TC303", "TC401"}) == []
    assert judge_repository(str(tmp_path)).verdict == "none"


def test_the_called_jobs_own_guard_is_read_with_the_callers_events(tmp_path: Path) -> None:
    callee = CALLEE.replace("  upload:\n", "  upload:\n    if: github.event_name == 'release'\n")
    caller = ("on:\n  push:\n    branches: [main]\n  release:\n    types: [published]\njobs:\n  pypi:\n"
              "    uses: ./.github/workflows/upload.yml\n")
    assert lint_repo(tmp_path / "a", caller, {".github/workflows/upload.yml": callee}, GATING) == []
    only_push = caller.replace("  release:\n    types: [published]\n", "")
    assert lint_repo(tmp_path / "b", only_push, {".github/workflows/upload.yml": callee}, {"TC303", "TC401"}) == []


def test_what_starts_a_file_read_without_triggers_is_not_known_so_its_uploads_count() -> None:
    action = composite_action("upload", """\
        - run: twine upload dist/*
          shell: bash
          env:
            TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
        """)
    assert ids_at(lint_text(action, {"TC101"}, path="action.yml")) == [("TC101", 8, 9)]
    no_on = workflow(PUSH_ANY).split("\n", 2)[2]  # jobs: only (GitHub rejects it: TC001)
    assert ids_at(lint_text(no_on, {"TC001", "TC401"})) == [("TC001", 1, 1), ("TC401", 8, 15), ("TC401", 9, 15)]


def test_inputs_are_null_unless_a_dispatch_gave_them() -> None:
    on = "schedule:\n  - cron: '0 3 * * 0'\nrelease:\n  types: [published]\nworkflow_dispatch:\n  inputs:\n    publish:\n      type: boolean"
    for condition in ("inputs.publish || github.event_name == 'release'",
                      "github.event.inputs.publish == 'true' || github.event_name == 'release'"):
        assert gating(workflow(on, condition)) == [], condition
    assert gating(workflow(on, "inputs.publish || github.event_name != 'release'")) == [("TC303", 2, 3)]


def test_a_called_workflows_inputs_come_from_its_caller(tmp_path: Path) -> None:
    callee = CALLEE.replace("  workflow_call:\n", "  workflow_call:\n    inputs:\n      publish:\n        type: boolean\n")
    callee = callee.replace("  upload:\n", "  upload:\n    if: inputs.publish\n")
    caller = ("on:\n  push:\n    branches: [main]\njobs:\n  pypi:\n    uses: ./.github/workflows/upload.yml\n"
              "    with:\n      publish: true\n")
    found = lint_repo(tmp_path, caller, {".github/workflows/upload.yml": callee}, GATING)
    assert [(f.rule_id, f.path, f.pos.line) for f in found] == [("TC303", ".github/workflows/example.yml", 2)]


# --- a needed job's outputs that only some runs set ---------------------------------------------


def output_job(name: str, value: str = "${{ steps.tag.outputs.release }}", step_condition: str | None = (
        "startsWith(github.ref, 'refs/tags/')"), *, step_id: str = "tag", needs: str | None = None) -> str:
    """A job ``name`` whose output ``release`` is ``value``, next to a step ``step_id`` that writes
    ``release=true`` to ``$GITHUB_OUTPUT`` under ``step_condition``."""
    lines = [f"  {name}:", "    runs-on: ubuntu-latest"]
    if needs:
        lines += [f"    needs: {needs}"]
    lines += ["    outputs:", f"      release: {value}", "    steps:", "      - uses: actions/checkout@v4",
              f"      - id: {step_id}"]
    if step_condition is not None:
        lines += [f"        if: {step_condition}"]
    lines += ["        run: echo \"release=true\" >> \"$GITHUB_OUTPUT\""]
    return "\n".join(lines) + "\n"


def test_an_output_only_a_tag_run_sets_gates_the_job_that_tests_it(tmp_path: Path) -> None:
    text = workflow(PUSH_ANY, "needs.check.outputs.release == 'true'", before=output_job("check"), needs="check")
    assert gating(text) == []
    renamed = workflow(PUSH_ANY, "${{ needs.Gate.outputs.RELEASE == 'true' }}",
                       before=output_job("Gate", step_condition="github.ref_type == 'tag'", step_id="is-tag",
                                         value="${{ steps.is-tag.outputs.release }}"), needs="[lint, Gate]")
    assert gating(renamed) == []
    # the index forms GitHub's expressions allow name the same output
    for test, value in (("needs.check.outputs['release'] == 'true'", "${{ steps.tag.outputs['release'] }}"),
                        ("needs['check']['outputs'].release == 'true'", "${{ steps['tag'].outputs.release }}")):
        assert gating(workflow(PUSH_ANY, test, before=output_job("check", value), needs="check")) == [], test
    # on branch pushes only, no run sets it: the publishing job never runs, so it publishes nothing
    dead = workflow(PUSH_MAIN, "needs.check.outputs.release == 'true'", before=output_job("check"), needs="check")
    dead = dead.split("    environment: pypi\n")[0] + TOKEN_STEPS
    assert lint_text(dead) == []
    assert judge_repository(str(write_tree(tmp_path, {".github/workflows/release.yml": dead}))).verdict == "none"


def test_an_output_set_on_every_run_leaves_the_job_ungated() -> None:
    unconditional = output_job("check", step_condition=None)
    assert gating(workflow(PUSH_ANY, "needs.check.outputs.release == 'true'", before=unconditional, needs="check")) == [
        ("TC303", 2, 3)]
    branch_step = output_job("check", step_condition="github.ref == 'refs/heads/main'")
    assert gating(workflow(PUSH_ANY, "needs.check.outputs.release == 'true'", before=branch_step, needs="check")) == [
        ("TC303", 2, 3)]


@pytest.mark.parametrize(
    ("condition", "gated"),
    [
        ("needs.check.outputs.release != ''", True),
        ("needs.check.outputs.release", True),
        ("${{ needs.check.outputs.release }}", True),
        ("needs.check.outputs.release == 'false'", True),  # a non-empty value: set only where the step runs
        ("needs.check.outputs.release && github.repository == 'o/r'", True),
        ("${{ !needs.check.outputs.release }}", False),
        ("needs.check.outputs.release != 'true'", False),
        ("needs.check.outputs.release == ''", False),
        ("needs.check.outputs.release || github.event_name == 'push'", False),
        ("always() && needs.check.outputs.release == 'true'", True),  # check skipped or not, a branch sets nothing
    ],
)
def test_how_the_output_is_tested_decides_whether_it_gates(condition: str, gated: bool) -> None:
    text = workflow(PUSH_ANY, condition, before=output_job("check"), needs="check")
    assert gating(text) == ([] if gated else [("TC303", 2, 3)])


@pytest.mark.parametrize(
    "value",
    [
        "${{ steps.tag.outputs.release || steps.other.outputs.release }}",  # several sources
        "${{ format('{0}', steps.tag.outputs.release) }}",
        "${{ steps.missing.outputs.release }}",  # no step with that id
        "'true'",
        "${{ steps.tag.outputs.release }}-${{ github.sha }}",
    ],
)
def test_an_output_that_cannot_be_read_may_be_set_in_any_run(value: str) -> None:
    text = workflow(PUSH_ANY, "needs.check.outputs.release == 'true'", before=output_job("check", value), needs="check")
    assert gating(text) == [("TC303", 2, 3)]


def test_an_output_not_among_the_jobs_needs_is_not_read() -> None:
    text = workflow(PUSH_ANY, "needs.check.outputs.release == 'true'", before=output_job("check") + build_job("lint"),
                    needs="lint")
    assert gating(text) == [("TC303", 2, 3)]


def test_an_output_passed_through_two_levels_of_needs_keeps_its_runs() -> None:
    relay = output_job("check") + output_job("wheels", "${{ needs.check.outputs.release }}", None, needs="check")
    assert gating(workflow(PUSH_ANY, "needs.wheels.outputs.release == 'true'", before=relay, needs="wheels")) == []
    relay_any = output_job("check", step_condition=None) + output_job(
        "wheels", "${{ needs.check.outputs.release }}", None, needs="check")
    assert gating(workflow(PUSH_ANY, "needs.wheels.outputs.release == 'true'", before=relay_any, needs="wheels")) == [
        ("TC303", 2, 3)]
    # a step guarded by a needed job's tag-only output sets its own output only on tags
    stepped = output_job("check") + output_job("wheels", step_condition="needs.check.outputs.release == 'true'",
                                               needs="check")
    assert gating(workflow(PUSH_ANY, "needs.wheels.outputs.release == 'true'", before=stepped, needs="wheels")) == []


def test_many_outputs_and_a_long_guard_stay_cheap() -> None:
    import time

    outputs = "".join(f"      o{i}: ${{{{ steps.tag.outputs.o{i} }}}}\n" for i in range(2000))
    before = output_job("check").replace("    outputs:\n", "    outputs:\n" + outputs)
    condition = "${{ " + " && ".join(f"needs.check.outputs.o{i} == 'x'" for i in range(48)) + " }}"
    started = time.perf_counter()
    assert gating(workflow(PUSH_ANY, condition, before=before, needs="check")) == []
    assert time.perf_counter() - started < 2


def test_an_upload_step_guarded_by_the_output_runs_only_where_it_is_set() -> None:
    check = output_job("check").replace("release", "go")
    text = workflow(PUSH_ANY, before=check, needs="check").replace(
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n",
        "      - if: needs.check.outputs.go == 'true'\n        uses: pypa/gh-action-pypi-publish@release/v1\n")
    assert gating(text) == []
    assert gating(text.replace("        if: startsWith(github.ref, 'refs/tags/')\n", "")) == [("TC303", 2, 3)]


def test_a_hostile_chain_of_needs_is_read_without_exhausting_the_stack() -> None:
    def chain(length: int) -> str:
        jobs = output_job("j0")
        for i in range(1, length):
            jobs += output_job(f"j{i}", f"${{{{ needs.j{i - 1}.outputs.release }}}}", None, needs=f"j{i - 1}").replace(
                "    runs-on:", f"    if: needs.j{i - 1}.outputs.release == 'true'\n    runs-on:", 1)
        return workflow(PUSH_ANY, f"needs.j{length - 1}.outputs.release", before=jobs, needs=f"j{length - 1}")

    assert lint_text(chain(12), {"TC001", "TC303"}) == []  # a real relay is followed to its tag-only step
    long = lint_text(chain(1000), {"TC001", "TC303"})
    assert [f.rule_id for f in long] == ["TC303"]  # too long to follow: taken as able to run, as before this was read
