"""TC404: job container and service images of jobs that build or publish the release, pinned
by a mutable tag instead of a digest."""

from __future__ import annotations

import pytest

from tests.conftest import lint_text
from workflows import ON_TAG, before_steps, job, release_workflow, workflow

DIGEST = "sha256:" + "0123456789abcdef" * 4


def _publish(job_extra: str) -> str:
    """The release job that builds and uploads, with ``job_extra`` (container, services) before
    its steps: lines 1-9, then ``job_extra`` from line 10."""
    return before_steps(release_workflow("- run: python -m build", "- uses: pypa/gh-action-pypi-publish@release/v1"),
                        job_extra)


def _tc404(text: str) -> list[tuple[int, int, str, str]]:
    return [(f.pos.line, f.pos.col, f.severity, f.message) for f in lint_text(text, {"TC404"})]


@pytest.mark.parametrize("container", [
    "    container: python:3.12-slim\n",
    "    container:\n      image: python:3.12-slim\n      options: --user root\n",
    "    container: quay.io/pypa/manylinux_2_28_x86_64:latest\n",
    "    container: ghcr.io/example/builder\n",
])
def test_a_container_by_tag_is_a_finding(container: str) -> None:
    [(line, _col, severity, message)] = _tc404(_publish(container))
    assert (line, severity) == (10 if "image:" not in container else 11, "warning")
    assert message.startswith("job 'publish' runs in image '")
    assert message.endswith("', pinned by a mutable tag, not a @sha256: digest, while building or publishing the release")


@pytest.mark.parametrize("container", [
    f"    container: python:3.12-slim@{DIGEST}\n",
    f"    container:\n      image: ghcr.io/example/builder@{DIGEST}\n",
    "    container: ${{ matrix.image }}\n",
])
def test_a_container_by_digest_or_expression_is_not(container: str) -> None:
    assert _tc404(_publish(container)) == []


def test_services_by_tag_are_named_with_the_container() -> None:
    extra = (
        f"    container: python:3.12@{DIGEST}\n"
        "    services:\n"
        "      redis:\n        image: redis:7\n"
        f"      db:\n        image: postgres@{DIGEST}\n"
        "      cache:\n        image: memcached\n"
    )
    assert _tc404(_publish(extra)) == [
        (13, 16, "warning", "job 'publish' runs in image 'redis:7' (service 'redis'), 'memcached' (service 'cache'), "
                            "pinned by a mutable tag, not a @sha256: digest, while building or publishing the release"),
    ]


def test_an_image_in_the_job_that_builds_what_is_published() -> None:
    wheels = job("wheels", "- run: python -m build", "- uses: actions/upload-artifact@v4\n  with: {name: dist, path: dist/}")
    publish = job("publish", "- uses: actions/download-artifact@v4\n  with: {name: dist, path: dist/}",
                  "- uses: pypa/gh-action-pypi-publish@release/v1", needs="wheels", environment="pypi",
                  permissions="id-token: write")
    text = workflow(before_steps(wheels, "container: quay.io/pypa/manylinux2014_x86_64"), publish, on=ON_TAG)
    assert [(line, col) for line, col, *_ in _tc404(text)] == [(7, 16)]


def test_an_image_in_a_test_job_is_not_the_release() -> None:
    text = """\
    on: [push, pull_request]
    jobs:
      test:
        runs-on: ubuntu-latest
        container: python:3.12
        services:
          db:
            image: postgres:16
        steps:
          - run: python -m pytest
    """
    assert _tc404(text) == []
