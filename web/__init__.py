"""The web layer: one blueprint per feature. Never imports SpiffWorkflow."""
