"""Words for the keys the plan tables hold (statuses, spend categories, measures, modes).

The tables keep stable English keys (``long_haul``, ``heifers_delivered``); the pages show
these words instead, translated by :func:`label`. A key without a word here is shown as
it is, so a new key never breaks a page.
"""

from __future__ import annotations

from agroplan.messages import N_
from agroplan.render.i18n import Translator

LABELS: dict[str, dict[str, str]] = {
    "status": {
        "optimal": N_("optimal"),
        "feasible": N_("feasible"),
        "infeasible": N_("infeasible"),
        "no_solution": N_("no plan found"),
        "error": N_("error"),
    },
    "spend": {
        "farms": N_("dairy farms"),
        "heifers": N_("heifers"),
        "long_haul": N_("long-haul transport"),
        "trucking": N_("trucking from hubs"),
        "houses": N_("wooden houses"),
        "infrastructure": N_("agro-town infrastructure"),
    },
    "mode": {
        "rail": N_("rail"),
        "road": N_("road"),
        "sea": N_("sea"),
    },
    "metric": {
        "families_housed": N_("families housed"),
        "houses_built": N_("houses built"),
        "herd_heads": N_("herd (head)"),
        "farms_operational": N_("farms operational"),
        "belarus_exports_usd": N_("Belarusian exports (USD)"),
        "trade_total_usd": N_("bilateral trade (USD)"),
    },
    "measure": {
        "farms_started": N_("Farms started"),
        "farm_places_started": N_("Farm places started"),
        "heifers_delivered": N_("Heifers delivered"),
        "houses_built": N_("Houses built"),
        "spend_usd": N_("Money spent"),
    },
    "unit": {
        "farms": N_("farms"),
        "head": N_("head"),
        "heads": N_("head"),
        "houses": N_("houses"),
        "families": N_("families"),
        "workers": N_("workers"),
        "ha": N_("ha"),
        "m3": N_("m³"),
        "USD": N_("USD"),
    },
    "farm_change": {
        "added": N_("added"),
        "removed": N_("removed"),
        "relocated": N_("relocated"),
        "resized": N_("resized"),
        "moved in time": N_("moved in time"),
        "resized and moved in time": N_("resized and moved in time"),
        "rescheduled": N_("rescheduled"),
        "resized, rescheduled": N_("resized and rescheduled"),
    },
    "export": {
        "heifers_usd": N_("heifers"),
        "house_kits_usd": N_("house kits"),
        "equipment_usd": N_("farm equipment"),
    },
    "kpi": {
        "families_housed": N_("Families housed"),
        "farms": N_("Dairy farms built"),
        "herd_heads": N_("Herd in the last quarter"),
        "milk_t_per_year": N_("Milk a year at that herd"),
        "jobs": N_("Farm jobs in the last quarter"),
        "spend_usd": N_("Spend"),
        "budget_usd": N_("Budget"),
        "violations_count": N_("Soft constraints violated"),
        "violation_penalty": N_("Penalty of the violations"),
        "objective": N_("Objective"),
        "status": N_("Status"),
        "relative_gap": N_("Relative gap"),
        "solver": N_("Solver"),
        "milestones_met": N_("Milestones met"),
    },
}


def label(tr: Translator, group: str, key: object) -> str:
    """The word for ``key`` of ``group`` in the translator's language (else the key)."""
    text = str(key)
    word = LABELS.get(group, {}).get(text)
    return tr.gettext(word) if word is not None else text
