"""Container images a job runs in: its ``container:`` and its ``services:``.

Every step of a job with a ``container:`` runs inside that image, and ``services:`` images run
next to it on the job's network (GitHub workflow syntax, ``jobs.<id>.container`` and
``jobs.<id>.services``). A tag (``python:3.12``, ``manylinux2014_x86_64:latest``) can be
pushed again by whoever controls the image, so a release built there runs their code; only
an ``@sha256:`` digest names fixed content (DOMAIN.md §5.5, as for ``docker://`` steps).
"""

from __future__ import annotations

from dataclasses import dataclass

from trustycheck.model.refs import SHA, parse_uses
from trustycheck.nodes import Mapping, Node, Scalar


@dataclass(frozen=True)
class JobImage:
    """An image a job runs in or next to."""

    image: str
    node: Node
    """The image's value in the file."""
    service: str | None
    """The service's name, or None for the job's container."""

    @property
    def pinned(self) -> bool:
        """Pinned by digest (or chosen by an expression, which the file cannot show)."""
        return "${{" in self.image or parse_uses("docker://" + self.image).ref_kind == SHA

    def __str__(self) -> str:
        return f"'{self.image}'" + (f" (service '{self.service}')" if self.service is not None else "")


def job_images(job: Mapping) -> list[JobImage]:
    """The job's container image, then its services' images, in file order."""
    found = []
    container = _image(job.get("container"))
    if container is not None:
        found.append(JobImage(container[0], container[1], None))
    services = job.get("services")
    if isinstance(services, Mapping):
        for key, value in services.items():
            image = _image(value)
            if image is not None:
                found.append(JobImage(image[0], image[1], key.text))
    return found


def _image(node: Node | None) -> tuple[str, Node] | None:
    """The image a ``container:`` or service value names: a string, or a mapping's ``image:``."""
    if isinstance(node, Mapping):
        node = node.get("image")
    if isinstance(node, Scalar) and isinstance(node.value, str) and node.value.strip():
        return node.value.strip(), node
    return None
