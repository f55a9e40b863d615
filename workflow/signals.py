"""Signals other parts of ``workflow/`` listen to, so the engine does not import them.

``status_gewijzigd`` is sent inside the transaction that records a status change: a
receiver queues its own work (an outbox row) in that same transaction, so a rolled-back
change leaves nothing behind. Receivers are module-level functions connected at import
(blinker holds them weakly); ``create_app`` imports the modules that connect.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Hulpvraag; keyword ``change``: the new Statuswijziging (added, not yet flushed)
status_gewijzigd = _signals.signal("status-gewijzigd")

# sender: the new HumanTask (flushed); keyword ``door``: the User whose action created it, or None
taak_aangemaakt = _signals.signal("taak-aangemaakt")

# sender: the completed HumanTask (its answers stored, the case persisted and flushed); ``door``: the User
taak_afgerond = _signals.signal("taak-afgerond")
