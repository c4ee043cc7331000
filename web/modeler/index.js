// The designer's editor (web/templates/designer/editor.html): bpmn-js with its properties panel and
// Alur's own group (properties.js). It opens the newest version and saves the edited XML through the
// upload page's deploy path (POST /sop/pasang), which checks it exactly like an uploaded file; the
// problems it finds are marked on their elements and listed.
import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import '@bpmn-io/properties-panel/assets/properties-panel.css';

import AlurPropertiesProvider from './properties';
import translations from './translations';
import spiffworkflow from './spiffworkflow.json';

const PROBLEM = 'alur-problem';

function json(element, name) {
  return JSON.parse(element.dataset[name] || 'null');
}

function item(text, className) {
  const li = document.createElement('li');
  if (className) li.className = className;
  li.textContent = text;
  return li;
}

function start(root) {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const status = document.getElementById('editor-status');
  const list = document.getElementById('editor-problems');
  const listBox = document.getElementById('editor-problems-box');
  const save = document.getElementById('editor-save');
  const force = document.getElementById('editor-force');
  const processId = root.dataset.processId;

  const modeler = new Modeler({
    container: document.getElementById('editor-canvas'),
    propertiesPanel: { parent: document.getElementById('editor-properties') },
    additionalModules: [
      translations, BpmnPropertiesPanelModule, BpmnPropertiesProviderModule,
      { __init__: [ 'alurPropertiesProvider' ], alurPropertiesProvider: [ 'type', AlurPropertiesProvider ] },
    ],
    moddleExtensions: { spiffworkflow },
    alurProperties: { forms: json(root, 'forms') || [], laneRoles: json(root, 'laneRoles') || {} },
  });
  const canvas = modeler.get('canvas');
  const overlays = modeler.get('overlays');
  const registry = modeler.get('elementRegistry');
  const selection = modeler.get('selection');
  let marked = [];

  function say(text, kind) {
    status.textContent = text;
    status.className = `flash ${kind || ''}`;
    status.hidden = !text;
  }

  function clearProblems() {
    marked.forEach((id) => registry.get(id) && canvas.removeMarker(id, PROBLEM));
    overlays.remove({ type: PROBLEM });
    marked = [];
    list.replaceChildren();
    listBox.hidden = true;
  }

  function showProblems(title, problems) {
    clearProblems();
    document.getElementById('editor-problems-title').textContent = title;
    const counts = {};
    problems.forEach((problem) => {
      const shape = problem.element && registry.get(problem.element);
      const where = problem.line ? `baris ${problem.line}` : '';
      const label = problem.severity === 'warning' ? 'peringatan' : 'galat';
      const li = item(`${label}${problem.element ? ` · ${problem.element}` : ''}${where ? ` · ${where}` : ''}: `
                      + problem.message, problem.severity);
      if (shape) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'link small';
        button.textContent = 'tunjukkan';
        button.addEventListener('click', () => {
          canvas.zoom(1);
          canvas.scrollToElement(shape);
          selection.select(shape);
        });
        li.append(' ', button);
        if (!counts[shape.id]) {
          marked.push(shape.id);
          canvas.addMarker(shape.id, PROBLEM);
          const badge = document.createElement('span');
          badge.className = `alur-problem-badge ${problem.severity}`;
          badge.title = problem.message;
          badge.textContent = '!';
          overlays.add(shape.id, PROBLEM, { position: { top: -10, right: 10 }, html: badge });
        }
        counts[shape.id] = (counts[shape.id] || 0) + 1;
      }
      list.append(li);
    });
    listBox.hidden = problems.length === 0;
  }

  async function open() {
    say('Memuat versi terbaru…');
    const response = await fetch(root.dataset.xmlUrl, { credentials: 'same-origin' });
    if (!response.ok) {
      say(`Versi terbaru tidak dapat dimuat (HTTP ${response.status}).`, 'error');
      return;
    }
    const { warnings } = await modeler.importXML(await response.text());
    canvas.zoom('fit-viewport');
    if (warnings.length) {
      showProblems('Bagian berkas yang tidak dikenali modeler (dapat hilang saat disimpan)',
                   warnings.map((w) => ({ message: w.message, severity: 'warning',
                                          element: w.element && w.element.id })));
    }
    say('');
    save.disabled = false;
  }

  async function store() {
    save.disabled = true;
    say('Memeriksa dan memasang…');
    clearProblems();
    try {
      const { xml } = await modeler.saveXML({ format: true });
      const body = new FormData();
      body.append('csrf_token', csrf);
      body.append('berkas', new Blob([ xml ], { type: 'application/xml' }), `${processId}.bpmn`);
      if (force.checked) body.append('paksa', '1');
      const response = await fetch(root.dataset.deployUrl, {
        method: 'POST', body, credentials: 'same-origin',
        headers: { Accept: 'application/json', 'X-CSRF-Token': csrf },
      });
      const answer = await response.json().catch(() => ({}));
      if (response.ok) {
        say(answer.message, 'success');
        document.getElementById('editor-opened').textContent =
          `Versi terbaru sekarang versi ${answer.version}; simpanan berikutnya yang isinya baru menjadi versi `
          + `${answer.version + 1}.`;
        showProblems('Peringatan pemeriksaan', answer.problems || []);
        const link = document.createElement('a');
        link.href = answer.versions_url;
        link.textContent = 'Lihat daftar versi';
        status.append(' ', link);
      } else {
        say(answer.error || `Tidak dipasang (HTTP ${response.status}). Tidak ada yang berubah.`, 'error');
        if (answer.problems) showProblems('Masalah yang ditemukan', answer.problems);
        if (answer.scenarios) showProblems('Skenario uji yang gagal', answer.scenarios.map(
          (message) => ({ message, severity: 'error' })));
      }
    } catch (error) {
      say(`Tidak tersimpan: ${error.message}. Tidak ada yang berubah.`, 'error');
    } finally {
      save.disabled = false;
    }
  }

  save.addEventListener('click', store);
  open().catch((error) => say(`Diagram tidak dapat dibuka: ${error.message}`, 'error'));
  window.alurModeler = modeler; // for the browser test, and for a designer's console
}

const root = document.getElementById('editor');
if (root) start(root);
