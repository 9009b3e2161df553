"""The studio's cost preview is computed in the browser (js/lib/studio_form.js) with the kernel's
arithmetic: js/lib/plan_cases.json holds the rules the kernel sends and a table of cases, and the
same table is checked here against `plan_batch` and in vitest against the browser's preview."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from productai_notebook.api import plan_batch
from productai_notebook.notebook.studio_form import form_rules, preview_plan, prompt_lines

TABLE = json.loads((Path(__file__).resolve().parents[2] / "js" / "lib" / "plan_cases.json").read_text())


def test_the_browser_is_tested_with_the_rules_the_kernel_sends() -> None:
    assert TABLE["rules"] == form_rules()


@pytest.mark.parametrize("case", TABLE["cases"], ids=lambda c: f"{c['inputs']}x{c['models']}@{c['plan']}")
def test_plan_batch_gives_each_cases_numbers(case: dict) -> None:
    plan = plan_batch(
        inputs=[f"asset_{n}" for n in range(case["inputs"])],  # the studio's inputs are uploaded assets
        prompts=prompt_lines(case["prompts"]) or None,
        models=case["models"],
        num_images=case["num_images"],
        preset_id=case["preset_id"] or None,
        plan=preview_plan(case["plan"]),
    )
    numbers = {"jobs": plan.jobs, "images": plan.images, "credits": plan.credits, "requests": plan.requests,
               "seconds": plan.seconds}
    assert numbers == case["expected"]
