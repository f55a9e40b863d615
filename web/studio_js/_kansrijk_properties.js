// Kansrijk's group in the bpmn-js properties panel: the spiffworkflow:property values the engine
// reads (workflow/engine/definitions.py, bpmn check), offered as choices instead of XML.
// The choices (form files, statuses, lanes) come from GET /studio/<key>/concept as the
// `kansrijkKeuzes` value service.
import { jsx } from '@bpmn-io/properties-panel/preact/jsx-runtime';
import {
  CheckboxEntry, SelectEntry, TextAreaEntry, TextFieldEntry,
  isCheckboxEntryEdited, isSelectEntryEdited, isTextAreaEntryEdited, isTextFieldEntryEdited,
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

const FORM_SCHEMA = 'formJsonSchemaFilename';
const FORM_UI = 'formUiSchemaFilename';

// --- reading and writing spiffworkflow:property -------------------------------------------------
function propertiesOf(bo) {
  const ext = bo.get('extensionElements');
  return ext && ext.get('values').find((v) => is(v, 'spiffworkflow:Properties'));
}

export function getProperty(element, name) {
  const props = propertiesOf(getBusinessObject(element));
  const prop = props && props.get('properties').find((p) => p.name === name);
  return prop ? prop.value || '' : '';
}

// Changes several properties as one undo step; '' (or null) removes a property.
export function setProperties(injector, element, changes) {
  const bpmnFactory = injector.get('bpmnFactory');
  const commandStack = injector.get('commandStack');
  const bo = getBusinessObject(element);
  const commands = [];
  const update = (target, properties) => commands.push({
    cmd: 'element.updateModdleProperties', context: { element, moddleElement: target, properties },
  });
  let ext = bo.get('extensionElements');
  if (!ext) {
    ext = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    ext.$parent = bo;
    update(bo, { extensionElements: ext });
  }
  let props = propertiesOf(bo);
  if (!props) {
    props = bpmnFactory.create('spiffworkflow:Properties', { properties: [] });
    props.$parent = ext;
    update(ext, { values: [...ext.get('values'), props] });
  }
  let list = [...props.get('properties')];
  for (const [name, value] of Object.entries(changes)) {
    const existing = list.find((p) => p.name === name);
    if (!value) {
      list = list.filter((p) => p !== existing);
    } else if (existing) {
      update(existing, { value });
    } else {
      const prop = bpmnFactory.create('spiffworkflow:Property', { name, value });
      prop.$parent = props;
      list.push(prop);
    }
  }
  update(props, { properties: list });
  commandStack.execute('properties-panel.multi-command-executor', commands);
}

// --- entries ---------------------------------------------------------------------------------
function textEntry(name, label, description) {
  function Component({ element, id }) {
    const injector = useService('injector');
    return jsx(TextFieldEntry, {
      element, id, label, description, debounce: useService('debounceInput'),
      getValue: () => getProperty(element, name),
      setValue: (value) => setProperties(injector, element, { [name]: (value || '').trim() }),
    });
  }
  return { id: `kansrijk-${name}`, component: Component, isEdited: isTextFieldEntryEdited };
}

function withCurrent(options, current) {
  return current && !options.some((o) => o.value === current)
    ? [...options, { value: current, label: `${current} (onbekend)` }] : options;
}

function StatusComponent({ element, id }) {
  const injector = useService('injector');
  const keuzes = useService('kansrijkKeuzes');
  const getOptions = () => withCurrent(
    [{ value: '', label: '(status niet wijzigen)' }, ...keuzes.statussen.map((s) => ({ value: s, label: s }))],
    getProperty(element, 'status'));
  return jsx(SelectEntry, {
    element, id, label: 'Status na afronden', getOptions,
    description: 'Uit de statuslijst (bpmn/statussen.yaml).',
    getValue: () => getProperty(element, 'status'),
    setValue: (value) => setProperties(injector, element, { status: value }),
  });
}

function FormComponent({ element, id }) {
  const injector = useService('injector');
  const keuzes = useService('kansrijkKeuzes');
  const getValue = () => (getProperty(element, 'formulier') === 'geen' ? 'geen' : getProperty(element, FORM_SCHEMA));
  const getOptions = () => withCurrent([
    { value: '', label: '(kies een formulier)' },
    { value: 'geen', label: 'Geen formulier nodig' },
    ...keuzes.formulieren.map((f) => ({ value: f, label: f })),
  ], getValue());
  const setValue = (value) => {
    if (value === 'geen') {
      setProperties(injector, element, { formulier: 'geen', [FORM_SCHEMA]: '', [FORM_UI]: '' });
      return;
    }
    const ui = value.replace(/\.json$/, '.ui.json');
    setProperties(injector, element, {
      formulier: '', [FORM_SCHEMA]: value, [FORM_UI]: value && keuzes.ui.includes(ui) ? ui : '',
    });
  };
  return jsx(SelectEntry, {
    element, id, label: 'Formulier', getOptions, getValue, setValue,
    description: 'Het formulier dat de behandelaar invult; maak of wijzig het in de formuliereditor.',
  });
}

function MailComponent({ element, id }) {
  const injector = useService('injector');
  return jsx(CheckboxEntry, {
    element, id, label: 'Mail naar de school bij deze taak',
    getValue: () => getProperty(element, 'mailSchool') === 'ja',
    setValue: (value) => setProperties(injector, element, { mailSchool: value ? 'ja' : '' }),
  });
}

function ConditionComponent({ element, id }) {
  const modeling = useService('modeling');
  const bpmnFactory = useService('bpmnFactory');
  const bo = getBusinessObject(element);
  return jsx(TextAreaEntry, {
    element, id, label: 'Voorwaarde', debounce: useService('debounceInput'),
    description: 'Een Python-expressie over de zaakgegevens, bijvoorbeeld besluit == "akkoord".',
    getValue: () => (bo.conditionExpression ? bo.conditionExpression.body || '' : ''),
    setValue: (value) => modeling.updateProperties(element, {
      conditionExpression: value && value.trim()
        ? bpmnFactory.create('bpmn:FormalExpression', { body: value }) : undefined,
    }),
  });
}

function ScriptComponent({ element, id }) {
  const modeling = useService('modeling');
  const bo = getBusinessObject(element);
  return jsx(TextAreaEntry, {
    element, id, label: 'Script', debounce: useService('debounceInput'), monospace: true, rows: 8,
    description: 'Python in de sandbox van Kansrijk (zie README).',
    getValue: () => bo.script || '',
    setValue: (value) => modeling.updateProperties(element, { script: value || undefined }),
  });
}

function LaneComponent({ element, id }) {
  const modeling = useService('modeling');
  const keuzes = useService('kansrijkKeuzes');
  const bo = getBusinessObject(element);
  const getOptions = () => withCurrent(
    [{ value: '', label: '(kies een rol)' }, ...keuzes.lanes.map((l) => ({ value: l, label: l }))], bo.name || '');
  return jsx(SelectEntry, {
    element, id, label: 'Rol van deze baan', getOptions,
    description: 'De naam van de baan bepaalt wie de taken erin krijgt.',
    getValue: () => bo.name || '',
    setValue: (value) => modeling.updateProperties(element, { name: value }),
  });
}

const TASK_ENTRIES = [
  { id: 'kansrijk-formulier', component: FormComponent, isEdited: isSelectEntryEdited },
  { id: 'kansrijk-status', component: StatusComponent, isEdited: isSelectEntryEdited },
  textEntry('statusReden', 'Reden bij de status', 'Komt in de historie en in de mail.'),
  textEntry('doorlooptijd', 'Doorlooptijd', 'Een ISO-duur: P10D (10 dagen), P2W (2 weken), PT4H (4 uur).'),
  textEntry('functie', 'Functie', 'Wie de taak uitvoert; mag een expressie zijn die met = begint.'),
  textEntry('toegewezenAan', 'Toegewezen aan', 'Het veld met de gebruiker aan wie de taak toegewezen wordt.'),
  textEntry('controle', 'Controle', 'Een expressie die waar moet zijn om de taak af te ronden.'),
  { id: 'kansrijk-mailSchool', component: MailComponent, isEdited: isCheckboxEntryEdited },
];

function entriesFor(element) {
  if (is(element, 'bpmn:UserTask') || is(element, 'bpmn:ManualTask')) return TASK_ENTRIES;
  if (is(element, 'bpmn:SequenceFlow')) {
    return [{ id: 'kansrijk-voorwaarde', component: ConditionComponent, isEdited: isTextAreaEntryEdited }];
  }
  if (is(element, 'bpmn:ScriptTask')) {
    return [{ id: 'kansrijk-script', component: ScriptComponent, isEdited: isTextAreaEntryEdited }];
  }
  if (is(element, 'bpmn:Lane')) return [{ id: 'kansrijk-rol', component: LaneComponent, isEdited: isSelectEntryEdited }];
  return [];
}

class KansrijkPropertiesProvider {
  constructor(propertiesPanel) {
    propertiesPanel.registerProvider(500, this);
  }

  getGroups(element) {
    return (groups) => {
      const entries = entriesFor(element);
      if (entries.length) groups.splice(1, 0, { id: 'kansrijk', label: 'Kansrijk', entries });
      return groups;
    };
  }
}
KansrijkPropertiesProvider.$inject = ['propertiesPanel'];

export default {
  __init__: ['kansrijkPropertiesProvider'],
  kansrijkPropertiesProvider: ['type', KansrijkPropertiesProvider],
};
