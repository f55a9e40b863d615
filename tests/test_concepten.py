"""Studio drafts: opened from the live version, saved without overwriting a newer save, checked."""

from __future__ import annotations

import pytest

from models import db
from workflow.studio.concepten import ConceptFout, Verouderd, andere_bewerkers, open_concept, opslaan, problemen


def test_a_draft_starts_as_the_live_version_and_is_clean(app, world):
    concept = open_concept("aanpak", world.users["procesbeheerder"])
    db.session.commit()

    assert concept.revisie == 1 and concept.basis.versie == "v1"
    assert "aanpak-toekennen.json" in concept.forms and "scenarios:" in concept.scenarios
    assert problemen(concept) == []
    assert open_concept("aanpak", world.users["procesbeheerder"]).id == concept.id  # one open draft per author


def test_a_save_based_on_an_older_revisie_is_refused_and_changes_nothing(app, world):
    concept = open_concept("aanpak", world.users["procesbeheerder"])
    opslaan(concept, world.users["procesbeheerder"], 1, scenarios=concept.scenarios + "\n# eerste\n")
    db.session.commit()

    with pytest.raises(Verouderd, match="intussen opgeslagen door Petra Dekker") as raised:
        opslaan(concept, world.users["procesbeheerder"], 1, scenarios="# tweede\n")
    db.session.rollback()

    db.session.refresh(concept)
    assert raised.value.concept.revisie == 2 and concept.scenarios.endswith("# eerste\n")


def test_problems_name_the_element_and_bad_input_is_refused(app, world):
    concept = open_concept("aanpak", world.users["procesbeheerder"])
    broken = concept.bpmn_xml.replace('name="doorlooptijd" value="P10D"', 'name="doorlooptyd" value="P10D"', 1)
    opslaan(concept, world.users["procesbeheerder"], concept.revisie, bpmn_xml=broken)

    found = problemen(concept)

    assert found and found[0].bestand == "aanpak.bpmn" and found[0].element != "-"
    assert "onbekende eigenschap ‘doorlooptyd’" in found[0].melding
    with pytest.raises(ConceptFout, match="geen geldige formuliernaam"):
        opslaan(concept, world.users["procesbeheerder"], concept.revisie, forms={"../evil.json": {}})
    with pytest.raises(ConceptFout, match="leeg"):
        opslaan(concept, world.users["procesbeheerder"], concept.revisie, bpmn_xml="  ")


def test_another_editor_is_visible(app, world):
    mine = open_concept("aanpak", world.users["procesbeheerder"])
    other = open_concept("aanpak", world.users["beheerder"])

    assert [c.id for c in andere_bewerkers(mine)] == [other.id]
