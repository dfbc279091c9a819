"""The kinds of event, with the built-in ones loaded: importing this defines them
(``events.model``), and what the registry answers then includes them.

Read the kinds from here rather than from ``events.registry``, which only holds what has
been defined so far (it cannot import the models: they import it).
"""

import events.model  # noqa: F401 - defining the built-in kinds registers them
from events.registry import (  # noqa: F401 - the kinds' public face
    declaring,
    document_adapter,
    document_type,
    happening_kinds,
    happening_models,
    kinds,
    label,
    model_for,
)
