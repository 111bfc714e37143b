"""A workspace's governance settings: its case reference pattern, own email domains, retention."""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_CASE_PATTERN = r"[A-Z]{1,4}-?\d{1,10}"
CASE_EXAMPLE = "AB-1234"


@dataclass(frozen=True)
class Governance:
    """What the personal-data guard and retention need to know about the workspace."""

    case_pattern: str = DEFAULT_CASE_PATTERN
    own_domains: tuple[str, ...] = ()
    case_years: int = 6
    review_years: int = 2
    escalation_protocol: str = "default"
    # Retention set for particular workspaces (by platform id): (id, case years, review years).
    workspace_years: tuple[tuple[str, int, int], ...] = ()

    def retention_years(self, workspace: str) -> tuple[int, int]:
        """The case and review retention years of a workspace (the deployment's by default)."""
        for external_id, case_years, review_years in self.workspace_years:
            if external_id == workspace:
                return case_years, review_years
        return self.case_years, self.review_years

    def case_ref_ok(self, ref: str) -> bool:
        """The reference fits the workspace's pattern (letters compared in upper case)."""
        return re.fullmatch(self.case_pattern, ref.upper()) is not None
