"""The names of the kinds of event (importable without pydantic, for fast --help)."""

HAPPENING_KINDS: tuple[str, ...] = (
    "meeting",
    "visit",
    "agreement-signed",
    "commitment-made",
    "statement-made",
    "step-planned",
    "step-progressed",
)
KINDS: tuple[str, ...] = (*HAPPENING_KINDS, "retraction")
