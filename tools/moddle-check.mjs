// Reads BPMN files with bpmn-moddle (the model layer of bpmn.io / Camunda Modeler)
// and prints every import warning; exits 1 if any file has one.
import { readFileSync } from 'node:fs';
import BpmnModdle from 'bpmn-moddle';

const moddle = new BpmnModdle();
let failed = false;
for (const file of process.argv.slice(2)) {
  const { warnings } = await moddle.fromXML(readFileSync(file, 'utf8'));
  for (const warning of warnings) {
    failed = true;
    console.log(`${file}: ${warning.message}`);
  }
}
process.exit(failed ? 1 : 0);
