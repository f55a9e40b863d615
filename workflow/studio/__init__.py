"""The process owner's studio: drafts (concepten) of an aanpaktype, checked, tested and published
through the same engine functions as the files in bpmn/ (``workflow.engine``)."""
