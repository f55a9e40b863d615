"""Studio: the procesbeheerder's editor for aanpaktypes (drafts, modeler, forms, scenarios, diff, publish).

Procesbeheerders edit; beheerders may look (GET) but not change. One blueprint, one module per
topic; each module registers its routes on ``bp``. Every change is audited (workflow/studio/).
"""

from flask import Blueprint

bp = Blueprint("studio", __name__, url_prefix="/studio")

BEKIJKEN = ("procesbeheerder", "beheerder")  # GET routes: web.policy.roles(*BEKIJKEN)
BEWERKEN = ("procesbeheerder",)  # POST/PUT routes: web.policy.roles(*BEWERKEN)

__all__ = ["bp", "BEKIJKEN", "BEWERKEN"]

from web.studio import bestanden, formulieren, modeler, overzicht, scenarios, verschil  # noqa: E402,F401 - registers routes
