// The levels an assessment can have, with the names and colours every part of the extension shows; the one place
// the extension defines them (they follow the "levels" of model/criteria.json, which a test checks).
(function (root) {
  "use strict";
  root.stemclaimLevels = Object.freeze({
    high: Object.freeze({ name: "High", badge: "HIGH", colour: "#b3261e" }),
    moderate: Object.freeze({ name: "Moderate", badge: "MOD", colour: "#b26a00" }),
    low: Object.freeze({ name: "Low", badge: "LOW", colour: "#2e7d32" }),
    not_applicable: Object.freeze({ name: "Not about stem cells for MS", badge: "", colour: "#8c8f94" }),
  });
})(globalThis);
