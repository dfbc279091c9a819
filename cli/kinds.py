"""The ``--kind`` option's type: checked against the declared kinds only when a value is
given, so that ``--help`` imports no model (the kinds are read from the models)."""

from __future__ import annotations

import click


def _happening_kinds() -> tuple[str, ...]:
    from events.kinds import happening_kinds

    return happening_kinds()


class KindParam(click.ParamType):
    name = "kind"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "KIND"

    def convert(self, value, param, ctx) -> str:
        kinds = _happening_kinds()
        if value == "retraction":  # recorded by its own command, from options
            self.fail(
                "'retraction' is not a kind of event: retract with "
                "`uspk retract ID --reason TEXT --publisher TEXT --title TEXT --published DATE`"
                f"; the kinds are: {', '.join(kinds)}"
            )
        if value not in kinds:
            self.fail(f"{value!r} is not a kind of event; expected one of: {', '.join(kinds)}")
        return value

    def shell_complete(self, ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        return [CompletionItem(k) for k in _happening_kinds() if k.startswith(incomplete)]


KIND = KindParam()
