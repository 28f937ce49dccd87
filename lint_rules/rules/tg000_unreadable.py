from __future__ import annotations

from lint_rules.rule import Rule


class UnreadableFile(Rule):
    """File could not be checked.

    ## What it does
    Reported once for a file tradeguard cannot check, naming the reason: a syntax error (with its
    line and column), bytes that are not valid in the file's encoding (UTF-8 unless a PEP 263
    coding line says otherwise), a binary file, or a file larger than 2 MiB. The run goes on with
    the other files.

    ## Why is this bad?
    A file that cannot be parsed cannot be shown to route its orders through the gateway; a check
    that silently skipped it would pass code it never read.

    ## Example
    ```python
    def place(self order):   # syntax error
    ```

    ## Use instead
    Fix the file, or exclude it (`exclude = ["generated/**"]`) if it is not meant to be Python.

    ## Options
    - `exclude`, `per-file-ignores`, `ignore = ["TG000"]`.

    ## Fix safety
    No fix.
    """

    code = "TG000"
    name = "unreadable-file"
    message = "file could not be checked: {reason}"
    visits_tree = False
