"""Publishing a studio draft: exactly the draft's files go through the publish gate.

The draft is laid out as a private folder (``als_map``) and published with ``publiceer`` from
there, with bron "studio": the same check and scenarios as every other route. A refused gate
keeps the draft open, with its Dutch problem lines for the editor; a success marks the draft
``gepubliceerd`` with the version it became.
"""

from __future__ import annotations

import sqlalchemy as sa

from models import Concept, PublicatiePoging, User, db, utcnow
from models.concept import GEPUBLICEERD
from workflow import audit
from workflow.engine.publiceren import STUDIO, STUDIO_ZIP, Publicatie, publiceer
from workflow.studio.concepten import ConceptFout, als_map
from workflow.versies import notitie_fout


def publiceer_concept(concept: Concept, user: User, notitie: str) -> Publicatie:
    """Gate and publish the draft (commits); ConceptFout for a missing note or a closed draft."""
    fout = notitie_fout(notitie, verplicht=True)
    if fout:
        raise ConceptFout(fout)
    if not concept.is_open:
        raise ConceptFout("Dit concept is al gepubliceerd of verworpen; open een nieuw concept.")
    with als_map(concept) as folder:
        publicatie = publiceer(folder, user=user, notitie=notitie.strip(), bron=STUDIO)
    nieuw = [d for d in publicatie.gepubliceerd if d.process_key == concept.process_key]
    if publicatie.ok and nieuw:
        concept.status, concept.gepubliceerd_als_id = GEPUBLICEERD, nieuw[0].id
        concept.gewijzigd_op, concept.gewijzigd_door_id = utcnow(), user.id
        audit.record(user, "wijzigen", "concept", concept.id, detail=f"gepubliceerd als {nieuw[0].label}")
        db.session.commit()
    return publicatie


def laatste_studio_weigering() -> PublicatiePoging | None:
    """The last publication from the studio (a draft or a zip), when it was refused."""
    query = sa.select(PublicatiePoging).where(PublicatiePoging.bron.in_((STUDIO, STUDIO_ZIP)))
    poging = db.session.scalar(query.order_by(PublicatiePoging.id.desc()).limit(1))
    return poging if poging is not None and not poging.ok else None
