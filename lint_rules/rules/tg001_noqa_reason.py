from __future__ import annotations

from lint_rules.rule import Rule


class NoqaWithoutReason(Rule):
    """Suppression without a reason.

    ## What it does
    With `require-noqa-reason = true`, reports every `# noqa: TG...` comment that does not say why
    the finding is safe to ignore, in the form `# noqa: TG101 -- reason`.

    ## Why is this bad?
    A silenced order-routing finding is a decision that real money may move around the gateway.
    The reason is what a reviewer, and the next engineer, need to judge it.

    ## Example
    ```python
    broker.place_order(order)  # noqa: TG101
    ```

    ## Use instead
    ```python
    broker.place_order(order)  # noqa: TG101 -- replay tool, runs against the paper broker only
    ```

    ## Options
    - `require-noqa-reason` (default false).

    ## Fix safety
    No fix: only a person knows the reason.
    """

    code = "TG001"
    name = "noqa-without-reason"
    message = "suppression without a reason: write `# noqa: CODE -- why this is safe`"
    visits_tree = False
