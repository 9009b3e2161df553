"""`pai.sandbox()`: a working client whatever happened to the last one, and accounts on a real plan."""

from __future__ import annotations

import pytest

import productai_notebook as pai


def test_the_sandbox_gives_a_working_client_after_the_last_one_was_closed():
    first = pai.sandbox()
    account = first.me()
    first.close()
    with pytest.raises(pai.ProductAIError, match="was closed"):
        first.me()
    again = pai.sandbox()
    assert again is not first and not again.is_closed
    assert again.me().plan == account.plan  # the same account on the same emulator
    assert again.base_url == first.base_url
    assert pai.sandbox() is again


def test_a_sandbox_on_the_free_or_pro_plan_is_another_account_on_the_same_emulator():
    unlimited = pai.sandbox()
    free, pro = pai.sandbox(plan="free"), pai.sandbox(plan="pro")
    assert (free.me().plan, pro.me().plan, unlimited.me().plan) == ("free", "pro", "enterprise")
    assert free.base_url == pro.base_url == unlimited.base_url
    assert len({free.api_key, pro.api_key, unlimited.api_key}) == 3
    assert pai.sandbox(plan="free") is free
    # the plan's request budget is the one the widgets then pace to
    assert free.budget().limit == 10 and pro.budget().limit == 60


def test_an_unknown_plan_says_which_plans_there_are():
    with pytest.raises(ValueError, match="'free', 'pro', 'enterprise'.*'gold'"):
        pai.sandbox(plan="gold")
