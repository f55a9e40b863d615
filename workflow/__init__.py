"""The engine boundary: the only package that imports SpiffWorkflow."""
