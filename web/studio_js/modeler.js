// The studio modeler (web/templates/studio/modeler.html): bpmn-js with the properties panel and
// Kansrijk's group, the spiffworkflow moddle extension (so the engine's properties round-trip),
// Dutch labels, saving with the revisie the editor started from, and the server's check about a
// second after each change, shown in a list and on the elements.
//
// Saving writes bpmn-js's own serialisation (saveXML({format: true})): the XML stays indented and
// readable, but what bpmn-js does not model is lost: XML comments, the original attribute order
// and indentation, namespace declarations nobody uses, and elements of unknown namespaces.
import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css'; // font files, not data: URIs (the CSP allows 'self' only)
import '@bpmn-io/properties-panel/assets/properties-panel.css';
import './_modeler.css';
import spiffworkflow from './_kansrijk_moddle.json';
import kansrijkProperties from './_kansrijk_properties.js';
import vertalen from './_vertalen.js';

const CHECK_DELAY_MS = 1000;

function $(id) { return document.getElementById(id); }

function say(text, isError = false) {
  const melding = $('modeler-melding');
  melding.textContent = text;
  melding.classList.toggle('fout', isError);
}

async function postJson(app, url, body) {
  const response = await fetch(url, {
    method: 'POST', credentials: 'same-origin', body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': app.dataset.csrf },
  });
  let data = {};
  try { data = await response.json(); } catch (e) { data = { fout: `De server antwoordde ${response.status}.` }; }
  return { status: response.status, data };
}

class Problemen {
  constructor(modeler) {
    this.modeler = modeler;
    this.marked = [];
  }

  show(found) {
    const overlays = this.modeler.get('overlays');
    const canvas = this.modeler.get('canvas');
    const registry = this.modeler.get('elementRegistry');
    overlays.remove({ type: 'kansrijk-probleem' });
    this.marked.forEach((id) => registry.get(id) && canvas.removeMarker(id, 'kansrijk-fout'));
    this.marked = [];
    const perElement = {};
    found.forEach((p) => { if (registry.get(p.element)) perElement[p.element] = (perElement[p.element] || 0) + 1; });
    Object.entries(perElement).forEach(([id, count]) => {
      canvas.addMarker(id, 'kansrijk-fout');
      this.marked.push(id);
      const badge = document.createElement('span');
      badge.className = 'kansrijk-badge';
      badge.textContent = String(count);
      badge.title = `${count} probleem${count === 1 ? '' : 'en'}`;
      overlays.add(id, 'kansrijk-probleem', { position: { top: -8, right: 8 }, html: badge });
    });
    this.list(found);
  }

  list(found) {
    const ul = $('modeler-problemen');
    ul.replaceChildren();
    $('modeler-aantal').textContent = `(${found.length})`;
    if (!found.length) {
      const li = document.createElement('li');
      li.className = 'geen';
      li.textContent = 'Geen problemen gevonden.';
      ul.append(li);
      return;
    }
    found.forEach((p) => {
      const li = document.createElement('li');
      const text = `${p.element !== '-' ? `${p.element}: ` : ''}${p.melding}`;
      if (p.element !== '-' && this.modeler.get('elementRegistry').get(p.element)) {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = text;
        button.dataset.element = p.element;
        button.addEventListener('click', () => this.select(p.element));
        li.append(button);
      } else {
        li.textContent = `${p.bestand ? `${p.bestand}:${p.regel}: ` : ''}${text}`;
      }
      ul.append(li);
    });
  }

  select(id) {
    const element = this.modeler.get('elementRegistry').get(id);
    if (!element) return;
    this.modeler.get('selection').select(element);
    this.modeler.get('canvas').scrollToElement(element);
  }
}

async function start(app) {
  const response = await fetch(app.dataset.conceptUrl, { credentials: 'same-origin' });
  const concept = await response.json();
  const bewerkbaar = app.dataset.bewerkbaar === 'ja';
  const modeler = new Modeler({
    container: '#modeler-canvas',
    propertiesPanel: { parent: '#modeler-panel' },
    additionalModules: [
      BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, kansrijkProperties, vertalen,
      { kansrijkKeuzes: ['value', { formulieren: concept.formulieren, ui: concept.ui, statussen: concept.statussen, lanes: concept.lanes }] },
    ],
    moddleExtensions: { spiffworkflow },
  });
  window.kansrijkModeler = modeler; // for the browser tests and the curious
  const problemen = new Problemen(modeler);
  const state = { revisie: concept.revisie, timer: null, dirty: false };
  await modeler.importXML(concept.xml);
  modeler.get('canvas').zoom('fit-viewport');
  say(bewerkbaar ? 'Klaar om te bewerken.' : 'Alleen bekijken: u kunt hier niets opslaan.');
  const knop = $('modeler-opslaan');

  const controleer = async () => {
    const { xml } = await modeler.saveXML({ format: true });
    const { status, data } = await postJson(app, app.dataset.controleUrl, { xml });
    if (status === 200) problemen.show(data.problemen);
    else say(data.fout || 'De controle kon niet worden uitgevoerd.', true);
  };

  if (bewerkbaar) {
    modeler.on('commandStack.changed', () => {
      state.dirty = true;
      knop.disabled = false;
      clearTimeout(state.timer);
      state.timer = setTimeout(controleer, CHECK_DELAY_MS);
    });
    knop.addEventListener('click', async () => {
      knop.disabled = true;
      const { xml } = await modeler.saveXML({ format: true });
      const { status, data } = await postJson(app, app.dataset.conceptUrl, { xml, revisie: state.revisie });
      if (status === 200) {
        state.revisie = data.revisie;
        state.dirty = false;
        const revisie = $('modeler-revisie');
        if (revisie) revisie.textContent = String(data.revisie);
        problemen.show(data.problemen);
        say(`Concept opgeslagen (revisie ${data.revisie}).`);
      } else {
        knop.disabled = false; // the edits stay in the editor
        say(`${data.fout || 'Opslaan is mislukt.'}${status === 409 ? '' : ' Uw wijzigingen staan nog in de editor.'}`, true);
      }
    });
    window.addEventListener('beforeunload', (event) => { if (state.dirty) event.preventDefault(); });
    controleer();
  }
}

document.addEventListener('DOMContentLoaded', () => {
  const app = $('modeler-app');
  if (app) start(app).catch((error) => say(`Het diagram kon niet worden geladen: ${error.message}`, true));
});
