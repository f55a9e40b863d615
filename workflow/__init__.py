"""Use cases per noun; ``workflow.engine`` is the engine boundary (the only importer of SpiffWorkflow)."""

# Modules that register lookup helpers for expressions: imported with the package, so checking
# and testing a diagram (which need no app) know every helper a diagram may call.
from workflow import budget, tlv  # noqa: E402,F401
