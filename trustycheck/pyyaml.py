"""PyYAML, imported so that its start-up does not cost what trustycheck never uses.

At import, PyYAML compiles about a dozen regular expressions for its pure-Python reader,
resolver and constructor: the reader's check for non-printable characters alone is a class of
large Unicode ranges that takes ~4 ms to compile, the whole set ~5 ms of every run. trustycheck
reads workflows with libyaml's C parser, which uses none of them (and rule files, when they are
not cached, with the C loader, which uses only the resolver's). So while PyYAML is imported,
``re.compile`` hands out patterns that compile on first use (:class:`LazyPattern`, which behaves
as the compiled pattern); it is put back as soon as the import ends. Importing PyYAML is not
shared between threads in this program.
"""

from __future__ import annotations

import re
import sys

from trustycheck.patterns import LazyPattern


def _import_pyyaml():
    if "yaml" in sys.modules:  # already imported by someone else: nothing to save
        import yaml

        return yaml
    compile_now = re.compile

    def compile_on_first_use(pattern, flags=0):
        if isinstance(pattern, str):
            return LazyPattern(pattern, flags)
        return compile_now(pattern, flags)

    re.compile = compile_on_first_use
    try:
        import yaml
    finally:
        re.compile = compile_now
    return yaml


yaml = _import_pyyaml()
