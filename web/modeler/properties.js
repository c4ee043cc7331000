// The task and lane properties Alur reads (runtime/bpmn_check.py task_properties), as a group of
// the bpmn-js properties panel: the form, the mutu baku (waktu, kelengkapan, output) of a user task,
// and the role a lane is performed by. They live in spiffworkflow:properties of the element.
import { h } from '@bpmn-io/properties-panel/preact';
import { SelectEntry, TextFieldEntry, isSelectEntryEdited, isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { is } from 'bpmn-js/lib/util/ModelUtil';

export const FORM = 'formJsonSchemaFilename';
// bpmn_check.standard_minutes_of reads standardMinutes before waktu: a changed waktu drops it, so the
// deploy derives the minutes from the new text (or warns that it holds no duration).
const MINUTES = 'standardMinutes';

function propertiesOf(businessObject) {
  const extensions = businessObject.extensionElements;
  return extensions && extensions.values.find((value) => is(value, 'spiffworkflow:Properties'));
}

export function propertyValue(businessObject, name) {
  const properties = propertiesOf(businessObject);
  const found = properties && (properties.properties || []).find((p) => p.name === name);
  return found ? found.value || '' : '';
}

/** Set (or, with an empty value, remove) property `name` of `element`, creating the containers it needs. */
export function setProperty(element, name, value, modeling, bpmnFactory) {
  const businessObject = element.businessObject;
  let extensions = businessObject.extensionElements;
  if (!extensions) {
    extensions = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    modeling.updateProperties(element, { extensionElements: extensions });
  }
  let properties = propertiesOf(businessObject);
  if (!properties) {
    properties = bpmnFactory.create('spiffworkflow:Properties', { properties: [] });
    modeling.updateModdleProperties(element, extensions, { values: [ ...extensions.values, properties ] });
  }
  const list = properties.properties || [];
  const found = list.find((p) => p.name === name);
  if (!value) {
    if (found) modeling.updateModdleProperties(element, properties, { properties: list.filter((p) => p !== found) });
  } else if (found) {
    modeling.updateModdleProperties(element, found, { value });
  } else {
    const created = bpmnFactory.create('spiffworkflow:Property', { name, value });
    modeling.updateModdleProperties(element, properties, { properties: [ ...list, created ] });
  }
}

/** The default role of a lane, as runtime/engine.py role_for_lane makes it from the lane's name. */
export function roleForLane(name) {
  return (name || '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

function TextProperty(props) {
  const { element, id, name, label, description } = props;
  const modeling = useService('modeling');
  const bpmnFactory = useService('bpmnFactory');
  const debounce = useService('debounceInput');
  return h(TextFieldEntry, {
    element, id, label, description, debounce,
    getValue: () => propertyValue(element.businessObject, name),
    setValue: (value) => {
      setProperty(element, name, (value || '').trim(), modeling, bpmnFactory);
      if (name === 'waktu') setProperty(element, MINUTES, '', modeling, bpmnFactory);
    },
  });
}

function FormProperty(props) {
  const { element, id, forms } = props;
  const modeling = useService('modeling');
  const bpmnFactory = useService('bpmnFactory');
  return h(SelectEntry, {
    element, id, label: 'Formulir (berkas di forms/)',
    getValue: () => propertyValue(element.businessObject, FORM),
    setValue: (value) => setProperty(element, FORM, value, modeling, bpmnFactory),
    getOptions: () => {
      const current = propertyValue(element.businessObject, FORM);
      const names = forms.includes(current) || !current ? forms : [ current, ...forms ];
      return [ { value: '', label: '(formulir umum: selesai + catatan)' },
               ...names.map((name) => ({ value: name, label: name })) ];
    },
  });
}

function LaneRole(props) {
  const { element, laneRoles } = props;
  const name = element.businessObject.name || element.businessObject.id;
  const role = laneRoles[name];
  const text = role
    ? `Lajur ini dijalankan oleh peran "${role}". Admin mengubah pemetaan peran di halaman Admin; `
      + 'mengganti nama lajur membuat lajur baru dengan peran bawaan dari namanya.'
    : `Lajur baru: saat dipasang dijalankan oleh peran bawaan "${roleForLane(name)}" (dari namanya); `
      + 'admin dapat memetakannya ke peran lain.';
  return h('div', { class: 'bio-properties-panel-entry alur-lane-role', 'data-entry-id': 'alur-lane-role' },
    h('p', { class: 'bio-properties-panel-description' }, text));
}

/** The properties-panel provider: one group "Alur" on user tasks and lanes. */
export default function AlurPropertiesProvider(propertiesPanel, config) {
  const { forms = [], laneRoles = {} } = config || {};
  this.getGroups = function(element) {
    return function(groups) {
      if (is(element, 'bpmn:UserTask')) {
        // Entries are rendered as their component with the entry's own fields as props.
        const text = (name, label, description) => ({
          id: `alur-${name}`, element, isEdited: isTextFieldEntryEdited, component: TextProperty,
          name, label, description,
        });
        groups.splice(1, 0, {
          id: 'alur-task', label: 'Formulir dan mutu baku',
          entries: [
            { id: 'alur-form', element, isEdited: isSelectEntryEdited, component: FormProperty, forms },
            text('waktu', 'Waktu', 'Misalnya "15 Menit", "2 Jam", "1 hari"; menentukan tenggat tugas (hari kerja).'),
            text('kelengkapan', 'Kelengkapan', 'Dokumen atau bahan yang diperlukan langkah ini.'),
            text('output', 'Output', 'Hasil langkah ini.'),
          ],
        });
      }
      if (is(element, 'bpmn:Lane')) {
        groups.splice(1, 0, {
          id: 'alur-lane', label: 'Peran lajur',
          entries: [ { id: 'alur-lane-role', element, component: LaneRole, laneRoles } ],
        });
      }
      return groups;
    };
  };
  propertiesPanel.registerProvider(500, this);
}

AlurPropertiesProvider.$inject = [ 'propertiesPanel', 'config.alurProperties' ];
