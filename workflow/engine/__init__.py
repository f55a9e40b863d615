"""The engine boundary: the only package that imports SpiffWorkflow.

``run`` configures the engine (parser, serializer, script engine); ``expressions`` is the
sandboxed language of diagram code; ``definitions`` publishes diagrams; ``check`` reads a
diagram before it is published; ``scenarios`` runs a diagram's scenario file; ``runtime`` runs
instances against the database; ``forms`` renders and validates the JSON-schema forms.
"""
