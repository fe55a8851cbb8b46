"""``uses:`` parsing and ref-kind classification."""

from __future__ import annotations

import pytest

from trustycheck.model.refs import parse_uses


@pytest.mark.parametrize(
    ("uses", "kind", "slug", "path", "ref", "ref_kind"),
    [
        ("pypa/gh-action-pypi-publish@release/v1", "repo", "pypa/gh-action-pypi-publish", None, "release/v1", "branch"),
        ("pypa/gh-action-pypi-publish@master", "repo", "pypa/gh-action-pypi-publish", None, "master", "branch"),
        ("pypa/gh-action-pypi-publish@v1.12.4", "repo", "pypa/gh-action-pypi-publish", None, "v1.12.4", "tag"),
        ("actions/checkout@v4", "repo", "actions/checkout", None, "v4", "tag"),
        ("actions/checkout@1.0.0-beta.2", "repo", "actions/checkout", None, "1.0.0-beta.2", "tag"),
        ("PyPA/GH-Action-PyPI-Publish@76f52bc884231f62b9a034ebfe128415bbaabdfc", "repo", "pypa/gh-action-pypi-publish", None,
         "76f52bc884231f62b9a034ebfe128415bbaabdfc", "sha"),
        ("pypa/gh-action-pypi-publish@76f52bc", "repo", "pypa/gh-action-pypi-publish", None, "76f52bc", "short-sha"),
        ("github/codeql-action/upload-sarif@v3", "repo", "github/codeql-action", "upload-sarif", "v3", "tag"),
        ("org/repo/.github/workflows/release.yml@main", "repo", "org/repo", ".github/workflows/release.yml", "main", "branch"),
        ("./.github/actions/publish", "local", None, "./.github/actions/publish", None, "none"),
        ("$/.github/actions/publish", "local", None, "$/.github/actions/publish", None, "none"),
        ("docker://alpine:3.20", "docker", None, "alpine:3.20", None, "tag"),
        ("docker://ghcr.io/o/i@sha256:" + "a" * 64, "docker", None, "ghcr.io/o/i@sha256:" + "a" * 64, None, "sha"),
        ("owner/repo", "repo", "owner/repo", None, None, "none"),
        ("actions/cache@20240101", "repo", "actions/cache", None, "20240101", "tag"),
    ],
)
def test_parse_uses(uses, kind, slug, path, ref, ref_kind) -> None:
    parsed = parse_uses(uses)
    assert (parsed.kind, parsed.slug, parsed.path, parsed.ref, parsed.ref_kind) == (kind, slug, path, ref, ref_kind)

