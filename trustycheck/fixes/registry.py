"""Which code fixes each rule's findings: the rule's YAML says whether it has a fix
(``autofix:``), this table says where the fix is. The first fixer that can fix a finding wins."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from trustycheck.fixes import action_ref, attestations, environment, token_upload, tool_to_action, workflow_id_token

if TYPE_CHECKING:
    from trustycheck.fixes.fix import Fix
    from trustycheck.fixes.text import Source
    from trustycheck.model.analysis import Analysis
    from trustycheck.model.facts import Context

Fixer = Callable[["Context", "Source", "Analysis"], "Fix | None"]

FIXERS: dict[str, tuple[Fixer, ...]] = {
    "TC101": (token_upload.fix, tool_to_action.fix),
    "TC103": (token_upload.fix, tool_to_action.fix),
    "TC202": (workflow_id_token.fix,),
    "TC301": (environment.fix,),
    "TC402": (action_ref.fix,),
    "TC501": (attestations.fix,),
}
