"""What to register on PyPI for each upload path: the "Add a trusted publisher" form's fields
(owner, repository, workflow file name, environment), and where they will not match.

Owner and repository come from the ``origin`` remote in ``.git/config`` when it names a GitHub
repository (read offline; nothing is fetched); otherwise placeholders. PyPI matches the
workflow file of the OIDC ``job_workflow_ref`` claim: for an upload in a reusable workflow,
that is the called file today (DOMAIN.md §2.2), which the warning spells out."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from trustycheck.git_origin import github_origin
from trustycheck.model.analysis import Analysis
from trustycheck.model.credentials import CredentialKind
from trustycheck.model.pypi import TESTPYPI
from trustycheck.report.visible import visible

OWNER, REPOSITORY = "<owner>", "<repository>"


@dataclass(eq=False, repr=False)
class PublisherSettings:
    """One upload path's trusted publisher, as PyPI's form asks for it."""

    index: str
    owner: str
    repository: str
    workflow: str
    environment: str | None
    job: str
    path: str
    line: int
    project: str | None = None
    """The project's name from ``pyproject.toml`` (what a pending publisher for a new project names)."""
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"index": self.index, "project": self.project, "owner": self.owner, "repository": self.repository,
                "workflow": self.workflow, "environment": self.environment, "job": self.job, "path": self.path,
                "line": self.line, "warnings": self.warnings}


def project_name(root: str | None) -> str | None:
    """``[project] name`` of the repository's ``pyproject.toml``, read with the configuration's
    bounded TOML reader; ``None`` when there is none."""
    from trustycheck.config import ConfigError, _read_toml

    path = os.path.join(root, "pyproject.toml") if root is not None else None
    if path is None or os.path.islink(path) or not os.path.isfile(path):
        return None  # a link may lead to another project's file, or out of the repository
    try:
        project = _read_toml(path).get("project")
    except ConfigError:
        return None
    name = project.get("name") if isinstance(project, dict) else None
    return name if isinstance(name, str) and name else None


def publisher_settings(analysis: Analysis, path: str, root: str | None) -> list[PublisherSettings]:
    """The trusted publishers the uploads of ``path`` (its Trusted Publishing uploads to PyPI
    or TestPyPI, or those still on a token) need, one per job and index."""
    remote = github_origin(root)
    owner, repository = remote if remote else (OWNER, REPOSITORY)
    project = project_name(root)
    found: dict[tuple[str, str, str], PublisherSettings] = {}
    mine = os.path.abspath(path)
    for context in analysis.contexts.get("step", ()):
        step, job = context.step, context.job
        upload = step.publish if step is not None else None
        if upload is None or job is None or not upload.to_pypi or upload.delegated:
            continue
        if upload.credential.kind not in (CredentialKind.OIDC, CredentialKind.TOKEN, CredentialKind.LITERAL,
                                          CredentialKind.PASSWORD):
            continue
        entry = job._instance.entry.path
        workflow = job._instance.workflow.path
        if os.path.abspath(entry) != mine and os.path.abspath(workflow) != mine:
            continue
        environment = job.environment.name if job.environment is not None else None
        key = (upload.index_name, job.id, os.path.abspath(workflow))
        if key in found:
            continue
        settings = PublisherSettings(upload.index_name, owner, repository, job.publisher_workflow, environment,
                                     job.id, path, job.key.pos.line, project)
        settings.warnings = _warnings(settings, remote is not None, workflow, job.caller_file, upload.index)
        found[key] = settings
    return list(found.values())


def _warnings(settings: PublisherSettings, known_remote: bool, workflow: str, caller: str | None, index: str) -> list[str]:
    warnings = []
    if not known_remote:
        warnings.append("owner and repository: no GitHub 'origin' remote in .git/config; fill in the repository's")
    if os.path.basename(os.path.dirname(os.path.abspath(workflow))) != "workflows" or \
            os.path.basename(os.path.dirname(os.path.dirname(os.path.abspath(workflow)))) != ".github":
        warnings.append(f"'{settings.workflow}' is not directly in .github/workflows/: GitHub runs only workflows there, "
                        "and PyPI matches only a file name there")
    if caller is not None:
        warnings.append(f"the upload runs inside the reusable workflow '{settings.workflow}', called by "
                        f"'{caller}': PyPI matches the called file today (register "
                        f"'{settings.workflow}'); it plans to match the calling workflow instead (pypi/warehouse#20083)")
    environment = settings.environment
    if environment is not None and "${{" in environment:
        warnings.append(f"the environment is an expression ({environment}): PyPI needs the name it takes when "
                        "publishing, or no environment in the publisher")
    if environment is None:
        warnings.append("the job has no environment: leave PyPI's environment field empty (any run of the workflow "
                        "can then publish), or add one to the job and name it there")
    if index == TESTPYPI:
        warnings.append("register this one on test.pypi.org, which has its own accounts and publishers")
    return warnings


def render_settings_text(settings: list[PublisherSettings]) -> str:
    """The settings as text, one block per publisher."""
    if not settings:
        return "No upload to PyPI or TestPyPI found: no trusted publisher to register.\n"
    lines = []
    for entry in settings:
        lines += [f"Trusted publisher for {entry.index} ({entry.path}:{entry.line}, job '{entry.job}'):"]
        if entry.project:
            lines.append(f"  PyPI project name: {entry.project} (asked only for a pending publisher)")
        lines += [f"  Owner:             {entry.owner}",
                  f"  Repository name:   {entry.repository}",
                  f"  Workflow name:     {entry.workflow}",
                  f"  Environment name:  {entry.environment or '(none)'}"]
        lines += [f"  warning: {warning}" for warning in entry.warnings]
        lines.append("")
    host = "test.pypi.org" if all(entry.index == "TestPyPI" for entry in settings) else "pypi.org"
    named = settings[0].project
    name = f"the project name '{named}'" if named else "the project's name as in pyproject.toml"
    lines.append(f"Existing project: {host} > Your projects > Manage > Publishing. New project: {host} > "
                 f"Your account > Publishing > 'Add a new pending publisher', with {name} (a pending publisher "
                 "does not reserve the name and expires after 30 days unused).")
    # each line made visible whole: a name from the workflow may hold a line break of its own
    return "".join(visible(line) + "\n" for line in lines)
