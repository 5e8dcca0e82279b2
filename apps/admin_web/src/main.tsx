import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/App";
import { unlockAudio } from "./notify";
import "./ui/tokens.css";
import "./ui/ui.css";
import "./styles.css";

// browsers start audio only after a gesture: get the alert sound ready on the first one
for (const event of ["pointerdown", "keydown"]) {
  window.addEventListener(event, unlockAudio, { once: true, capture: true });
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
