// Draws an aanpak's BPMN diagram (bpmn-js viewer) and marks the current and finished tasks.
document.addEventListener("DOMContentLoaded", async () => {
  const box = document.getElementById("diagram");
  if (!box || !window.BpmnJS) return;
  const viewer = new window.BpmnJS({ container: box });
  try {
    const response = await fetch(box.dataset.src, { credentials: "same-origin" });
    await viewer.importXML(await response.text());
    const canvas = viewer.get("canvas");
    const registry = viewer.get("elementRegistry");
    const mark = (ids, cls) => ids.split(" ").filter((id) => id && registry.get(id)).forEach((id) => canvas.addMarker(id, cls));
    mark(box.dataset.gedaan || "", "gedaan");
    mark(box.dataset.actief || "", "actief");
    canvas.zoom("fit-viewport");
  } catch (error) {
    console.error(error);
    box.textContent = "Het diagram kan niet worden getoond.";
  }
});
