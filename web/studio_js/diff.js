// Studio diff page: draws the draft with bpmn-js (NavigatedViewer) and marks the elements the
// server found added or changed (GET verschil.json). The page lists the same changes in text.
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "./diff.css";

async function draw(box) {
  const response = await fetch(box.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } });
  const data = await response.json();
  if (!response.ok || !data.xml) throw new Error(data.fout || "geen diagram");
  const viewer = new NavigatedViewer({ container: box });
  await viewer.importXML(data.xml);
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  const mark = (ids, cls) => ids.filter((id) => registry.get(id)).forEach((id) => canvas.addMarker(id, cls));
  mark(data.toegevoegd || [], "diff-nieuw");
  mark(data.gewijzigd || [], "diff-gewijzigd");
  canvas.zoom("fit-viewport");
  box.dataset.getekend = String((data.toegevoegd || []).length + (data.gewijzigd || []).length);
}

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("diagram");
  if (!box || !box.dataset.src) return;
  draw(box).catch((error) => {
    console.error(error);
    box.textContent = "Het diagram kan niet worden getoond; de wijzigingen staan hieronder in de lijst.";
  });
});
